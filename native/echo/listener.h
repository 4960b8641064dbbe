// Listening sockets: one SO_REUSEPORT listener per engine thread, all on the same address and port, so the
// kernel spreads connections over the threads with no shared accept queue.
#pragma once
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "echo/engine.h"

namespace echo {

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = 0;
};

// Numeric IPv4 or IPv6 (with an optional %interface scope). False when it is neither.
bool parse_address(const std::string& host, uint16_t port, Address& out);
std::string format_host(const sockaddr_storage& address);
uint16_t port_of(const sockaddr_storage& address);

// Binds `count` listeners. A port already held by anyone (even another SO_REUSEPORT group of this
// user) is refused, so two servers never silently share a port, unless `share_port`: then the listeners
// join whatever SO_REUSEPORT group holds it (the kernel allows that only to the same user) and the
// kernel spreads connections over every process in it. Port 0 picks one free port for all.
// On failure closes what it opened and fills `error`.
bool open_listeners(const Address& address, unsigned count, unsigned backlog, bool share_port,
                    std::vector<int>& fds, StartError& error);

// CPUs this process may run on, in order: thread i is pinned to cpus[i % size] with --pin.
std::vector<int> allowed_cpus();
int pin_current_thread(int cpu);

}  // namespace echo
