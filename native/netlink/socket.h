// Netlink socket I/O only: open a NETLINK_* socket, send one request, collect the reply datagrams.
// Message contents are decoded in TypeScript (src/netlink/); here we read just enough of each nlmsghdr
// (type, flags, seq) to know when the kernel has finished answering.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace netlink {

struct Reply {
  int error = 0;  // 0, or -errno from the socket (never from a NLMSG_ERROR: that is data for the decoder)
  std::vector<std::vector<uint8_t>> datagrams;
};

// Opens and binds a netlink socket of `protocol` (NETLINK_GENERIC, NETLINK_ROUTE) with extended acks on.
// Returns the fd or -errno.
int open_socket(int protocol);

// Sends `request` (one complete netlink message) to the kernel and receives datagrams until the answer
// to its sequence number ends (NLMSG_DONE, NLMSG_ERROR/ACK, or a lone reply to a request without ACK/DUMP),
// `timeout_ms` passes (-ETIMEDOUT), or more than `max_bytes` arrive (-EMSGSIZE).
Reply transact(int fd, const uint8_t* request, size_t length, int timeout_ms, size_t max_bytes);

void close_socket(int fd);

}  // namespace netlink
