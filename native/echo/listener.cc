#include "echo/listener.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace echo {

bool parse_address(const std::string& host, uint16_t port, Address& out) {
  out = Address{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    out.length = sizeof(sockaddr_in);
    out.family = AF_INET;
    return true;
  }
  std::string literal = host;
  unsigned scope = 0;
  if (size_t percent = host.find('%'); percent != std::string::npos) {
    literal = host.substr(0, percent);
    std::string name = host.substr(percent + 1);
    scope = if_nametoindex(name.c_str());
    if (!scope) {
      char* end = nullptr;
      unsigned long n = std::strtoul(name.c_str(), &end, 10);
      if (name.empty() || *end) return false;
      scope = static_cast<unsigned>(n);
    }
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (inet_pton(AF_INET6, literal.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    v6->sin6_scope_id = scope;
    out.length = sizeof(sockaddr_in6);
    out.family = AF_INET6;
    return true;
  }
  return false;
}

std::string format_host(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2] = {0};
  if (address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text, sizeof(text));
    return text;
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
  inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
  std::string out = text;
  if (v6->sin6_scope_id) {
    char name[IF_NAMESIZE] = {0};
    out += "%";
    out += if_indextoname(v6->sin6_scope_id, name) ? name : std::to_string(v6->sin6_scope_id);
  }
  return out;
}

uint16_t port_of(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
}

namespace {

void set_port(Address& address, uint16_t port) {
  if (address.family == AF_INET) reinterpret_cast<sockaddr_in*>(&address.storage)->sin_port = htons(port);
  else reinterpret_cast<sockaddr_in6*>(&address.storage)->sin6_port = htons(port);
}

// A socket bound to the address; -errno with `stage` naming the failing step.
int bound_socket(const Address& address, bool reuseport, std::string& stage) {
  int fd = socket(address.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    stage = "socket";
    return -errno;
  }
  int one = 1;
  // REUSEADDR: restart while old connections sit in TIME_WAIT.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0) {
    int e = errno;
    close(fd);
    stage = "socket";
    return -e;
  }
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) < 0) {
    int e = errno;
    close(fd);
    stage = "bind";
    return -e;
  }
  return fd;
}

// Claims the port with a plain (non-REUSEPORT) socket: fails with EADDRINUSE when anyone holds it, and
// for port 0 lets the kernel pick one that is entirely free.
int claim_port(const Address& address, uint16_t& port, std::string& stage) {
  int fd = bound_socket(address, false, stage);
  if (fd < 0) return fd;
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  port = port_of(bound);
  close(fd);
  return 0;
}

}  // namespace

bool open_listeners(const Address& requested, unsigned count, unsigned backlog, bool share_port,
                    std::vector<int>& fds, StartError& error) {
  Address address = requested;
  const bool any_port = port_of(requested.storage) == 0;
  // Port 0: the claimed port could be taken between claim and bind; try a few fresh ones.
  for (int attempt = 0; attempt < (any_port ? 8 : 1); ++attempt) {
    for (int fd : fds) close(fd);
    fds.clear();
    uint16_t port = port_of(requested.storage);
    std::string stage;
    // Sharing a given port: a claim would fail on the other processes' listeners, which is the point.
    int rc = share_port && !any_port ? 0 : claim_port(requested, port, stage);
    if (rc < 0) {
      error = {-rc, stage, ""};
      return false;
    }
    set_port(address, port);
    for (unsigned i = 0; i < count && rc >= 0; ++i) {
      rc = bound_socket(address, true, stage);
      if (rc >= 0) {
        fds.push_back(rc);
        if (listen(rc, static_cast<int>(backlog)) < 0) {
          rc = -errno;
          stage = "listen";
        }
      }
    }
    if (rc >= 0) return true;
    error = {-rc, stage, ""};
    if (!(any_port && -rc == EADDRINUSE)) break;
  }
  for (int fd : fds) close(fd);
  fds.clear();
  return false;
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

int pin_current_thread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

}  // namespace echo
