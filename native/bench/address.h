// The server's address from its numeric form (names are resolved on the JS side).
#pragma once
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "config.h"

namespace bench {

// The interface index of an IPv6 zone ("eth0" or "2"), or 0 when no interface has it.
inline uint32_t scope_index(const std::string& zone) {
  if (zone.empty()) return 0;
  if (zone.find_first_not_of("0123456789") == std::string::npos) {
    errno = 0;
    unsigned long index = std::strtoul(zone.c_str(), nullptr, 10);
    return errno == 0 && index <= UINT32_MAX ? static_cast<uint32_t>(index) : 0;
  }
  return if_nametoindex(zone.c_str());
}

// Returns false when `ip` is neither an IPv4 nor an IPv6 literal (an IPv6 one may carry a %zone).
inline bool set_address(Destination& destination, const std::string& ip, uint16_t port) {
  destination.address = sockaddr_storage{};
  if (ip.find(':') != std::string::npos) {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&destination.address);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(port);
    destination.address_len = sizeof(sockaddr_in6);
    const size_t percent = ip.find('%');
    if (percent != std::string::npos) {
      a6->sin6_scope_id = scope_index(ip.substr(percent + 1));
      if (!a6->sin6_scope_id) return false;
    }
    return inet_pton(AF_INET6, ip.substr(0, percent).c_str(), &a6->sin6_addr) == 1;
  }
  auto* a4 = reinterpret_cast<sockaddr_in*>(&destination.address);
  a4->sin_family = AF_INET;
  a4->sin_port = htons(port);
  destination.address_len = sizeof(sockaddr_in);
  return inet_pton(AF_INET, ip.c_str(), &a4->sin_addr) == 1;
}

}  // namespace bench
