// The server's address from its numeric form (names are resolved on the JS side).
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

#include "config.h"

namespace bench {

// Returns false when `ip` is neither an IPv4 nor an IPv6 literal.
inline bool set_address(Destination& destination, const std::string& ip, uint16_t port) {
  destination.address = sockaddr_storage{};
  if (ip.find(':') != std::string::npos) {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&destination.address);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(port);
    destination.address_len = sizeof(sockaddr_in6);
    return inet_pton(AF_INET6, ip.c_str(), &a6->sin6_addr) == 1;
  }
  auto* a4 = reinterpret_cast<sockaddr_in*>(&destination.address);
  a4->sin_family = AF_INET;
  a4->sin_port = htons(port);
  destination.address_len = sizeof(sockaddr_in);
  return inet_pton(AF_INET, ip.c_str(), &a4->sin_addr) == 1;
}

}  // namespace bench
