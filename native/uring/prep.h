// SQE preparation helpers: each sets exactly the fields its opcode reads (the SQE arrives zeroed
// from Ring::get_sqe). user_data is always set by the caller's argument.
#pragma once
#include <sys/socket.h>

#include "abi.h"

namespace uring::prep {

namespace op = catalog::op;

inline void rw(abi::Sqe* s, uint8_t opcode, int fd, const void* addr, uint32_t len, uint64_t off,
               uint64_t user_data) {
  s->opcode = opcode;
  s->fd = fd;
  s->addr = reinterpret_cast<uint64_t>(addr);
  s->len = len;
  s->off = off;
  s->user_data = user_data;
}

inline void nop(abi::Sqe* s, uint64_t user_data) { rw(s, op::NOP, -1, nullptr, 0, 0, user_data); }

inline void read(abi::Sqe* s, int fd, void* buf, uint32_t len, uint64_t off, uint64_t user_data) {
  rw(s, op::READ, fd, buf, len, off, user_data);
}

// Multishot accept (5.19): one SQE, a CQE per accepted connection while IORING_CQE_F_MORE is set.
inline void accept(abi::Sqe* s, int fd, bool multishot, uint64_t user_data) {
  rw(s, op::ACCEPT, fd, nullptr, 0, 0, user_data);
  s->op_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  if (multishot) s->ioprio |= abi::kAcceptMultishot;
}

inline void recv(abi::Sqe* s, int fd, void* buf, uint32_t len, uint64_t user_data) {
  rw(s, op::RECV, fd, buf, len, 0, user_data);
}

// Receive into a buffer picked by the kernel from group `bgid`; multishot (6.0) keeps it armed,
// bundle (6.10) lets one CQE carry several consecutive buffers.
inline void recv_provided(abi::Sqe* s, int fd, uint16_t bgid, bool multishot, bool bundle, uint64_t user_data) {
  rw(s, op::RECV, fd, nullptr, 0, 0, user_data);
  s->flags |= catalog::sqe_flag::BUFFER_SELECT;
  s->buf_index = bgid;
  if (multishot) s->ioprio |= abi::kRecvMultishot;
  if (bundle) s->ioprio |= abi::kRecvsendBundle;
}

inline void send(abi::Sqe* s, int fd, const void* buf, uint32_t len, int msg_flags, uint64_t user_data) {
  rw(s, op::SEND, fd, buf, len, 0, user_data);
  s->op_flags = static_cast<uint32_t>(msg_flags);
}

inline void shutdown(abi::Sqe* s, int fd, int how, uint64_t user_data) {
  rw(s, op::SHUTDOWN, fd, nullptr, static_cast<uint32_t>(how), 0, user_data);
}

inline void close(abi::Sqe* s, int fd, uint64_t user_data) { rw(s, op::CLOSE, fd, nullptr, 0, 0, user_data); }

inline void cancel_fd(abi::Sqe* s, int fd, bool all, uint64_t user_data) {
  rw(s, op::ASYNC_CANCEL, fd, nullptr, 0, 0, user_data);
  s->op_flags = abi::kAsyncCancelFd | (all ? abi::kAsyncCancelAll : 0);
}

inline void cancel_user_data(abi::Sqe* s, uint64_t target, uint64_t user_data) {
  rw(s, op::ASYNC_CANCEL, -1, reinterpret_cast<const void*>(target), 0, 0, user_data);
}

inline void poll_add(abi::Sqe* s, int fd, uint32_t events, bool multishot, uint64_t user_data) {
  rw(s, op::POLL_ADD, fd, nullptr, multishot ? abi::kPollAddMulti : 0, 0, user_data);
  s->op_flags = events;
}

// Relative timeout; `ts` must stay valid until the SQE is submitted.
inline void timeout(abi::Sqe* s, const abi::KernelTimespec* ts, unsigned count, uint32_t flags,
                    uint64_t user_data) {
  rw(s, op::TIMEOUT, -1, ts, 1, count, user_data);
  s->op_flags = flags;
}

inline void link_timeout(abi::Sqe* s, const abi::KernelTimespec* ts, uint64_t user_data) {
  rw(s, op::LINK_TIMEOUT, -1, ts, 1, 0, user_data);
}

// Post a CQE with (res, user_data=data) on another ring (5.18).
inline void msg_ring(abi::Sqe* s, int target_ring_fd, uint32_t res, uint64_t data, uint64_t user_data) {
  rw(s, op::MSG_RING, target_ring_fd, reinterpret_cast<const void*>(abi::kMsgData), res, data, user_data);
}

// Zero-copy send (6.0): a result CQE with IORING_CQE_F_MORE, then a IORING_CQE_F_NOTIF CQE once the
// kernel no longer needs `buf`.
inline void send_zc(abi::Sqe* s, int fd, const void* buf, uint32_t len, int msg_flags, uint64_t user_data) {
  rw(s, op::SEND_ZC, fd, buf, len, 0, user_data);
  s->op_flags = static_cast<uint32_t>(msg_flags);
}

// Send from buffers the kernel takes from group `bgid`; bundle (6.10) sends several in one request.
inline void send_provided(abi::Sqe* s, int fd, uint16_t bgid, bool bundle, uint64_t user_data) {
  rw(s, op::SEND, fd, nullptr, 0, 0, user_data);
  s->flags |= catalog::sqe_flag::BUFFER_SELECT;
  s->buf_index = bgid;
  if (bundle) s->ioprio |= abi::kRecvsendBundle;
}

}  // namespace uring::prep

namespace uring::prep {

// sendmsg(2) through the ring: `msg` (and its iovecs) must stay valid until the completion.
inline void sendmsg(abi::Sqe* s, int fd, const struct msghdr* msg, int msg_flags, uint64_t user_data) {
  rw(s, op::SENDMSG, fd, msg, 1, 0, user_data);
  s->op_flags = static_cast<uint32_t>(msg_flags);
}

}  // namespace uring::prep
