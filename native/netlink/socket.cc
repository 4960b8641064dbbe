#include "socket.h"

#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace netlink {

namespace {

// Fixed by the netlink ABI (linux/netlink.h); read from the header only to frame datagrams.
constexpr size_t kHeaderLength = sizeof(nlmsghdr);

long long now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Does this datagram end the answer to `seq`? Malformed framing ends it too: the decoder will say why.
bool ends_answer(const std::vector<uint8_t>& dgram, uint32_t seq, bool expect_more) {
  size_t off = 0;
  while (off + kHeaderLength <= dgram.size()) {
    nlmsghdr h;
    std::memcpy(&h, dgram.data() + off, kHeaderLength);
    if (h.nlmsg_len < kHeaderLength || h.nlmsg_len > dgram.size() - off) return true;
    if (h.nlmsg_seq == seq) {
      if (h.nlmsg_type == NLMSG_ERROR || h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_OVERRUN) return true;
      if (!expect_more && !(h.nlmsg_flags & NLM_F_MULTI)) return true;
    }
    off += NLMSG_ALIGN(h.nlmsg_len);
  }
  return false;
}

bool concerns(const std::vector<uint8_t>& dgram, uint32_t seq) {
  if (dgram.size() < kHeaderLength) return true;  // let the decoder reject it
  nlmsghdr h;
  std::memcpy(&h, dgram.data(), kHeaderLength);
  return h.nlmsg_seq == seq;
}

}  // namespace

int open_socket(int protocol) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd < 0) return -errno;
  int on = 1;
  // Extended acks carry the kernel's reason ("no device matches name"); failure to enable is harmless.
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof(on));
  // Errors echo only the request header, not the whole request.
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof(on));
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) < 0) {
    int e = -errno;
    ::close(fd);
    return e;
  }
  return fd;
}

Reply transact(int fd, const uint8_t* request, size_t length, int timeout_ms, size_t max_bytes) {
  Reply reply;
  if (length < kHeaderLength) {
    reply.error = -EINVAL;
    return reply;
  }
  nlmsghdr req;
  std::memcpy(&req, request, kHeaderLength);
  // A dump or an acked request always ends with DONE or ERROR; anything else ends with its one reply.
  const bool expect_more = (req.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP || (req.nlmsg_flags & NLM_F_ACK);

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = sendto(fd, request, length, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    reply.error = -errno;
    return reply;
  }

  const long long deadline = now_ms() + timeout_ms;
  size_t received = 0;
  for (;;) {
    long long left = deadline - now_ms();
    if (left <= 0) {
      reply.error = -ETIMEDOUT;
      return reply;
    }
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      reply.error = -errno;
      return reply;
    }
    if (r == 0) continue;  // the deadline check above ends the loop

    sockaddr_nl from{};
    socklen_t from_len = sizeof(from);
    // Peek at the size first: a dump datagram can be larger than any fixed buffer we would guess.
    ssize_t size = recvfrom(fd, nullptr, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT, nullptr, nullptr);
    if (size < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      reply.error = -errno;
      return reply;
    }
    std::vector<uint8_t> dgram(static_cast<size_t>(size));
    ssize_t got = recvfrom(fd, dgram.data(), dgram.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      reply.error = -errno;
      return reply;
    }
    dgram.resize(static_cast<size_t>(got));
    if (from.nl_pid != 0) continue;           // only the kernel answers our requests
    if (!concerns(dgram, req.nlmsg_seq)) continue;  // a late answer to an earlier, timed-out request
    received += dgram.size();
    if (received > max_bytes) {
      reply.error = -EMSGSIZE;
      return reply;
    }
    const bool last = ends_answer(dgram, req.nlmsg_seq, expect_more);
    reply.datagrams.push_back(std::move(dgram));
    if (last) return reply;
  }
}

void close_socket(int fd) {
  if (fd >= 0) ::close(fd);
}

}  // namespace netlink
