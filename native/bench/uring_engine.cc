// The io_uring engine: one multishot recv per connection into a provided-buffer ring shared by the
// thread, sends straight from the payload pattern (one in flight per connection keeps the stream in
// order), sockets as registered files, and one io_uring_enter per loop that submits every send and
// waits for what came back.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "clock.h"
#include "errno_name.h"
#include "uring/prep.h"
#include "uring/ring.h"
#include "worker.h"

namespace bench {

namespace {

namespace abi = uring::abi;
namespace setup = uring::catalog::setup;

constexpr uint64_t kRecv = 1, kSend = 2, kCancel = 3;
constexpr unsigned kKindBits = 2;
constexpr uint32_t kMaxSend = 64 * 1024;
constexpr unsigned kSmallBuffer = 16 * 1024;
constexpr unsigned kLargeBuffer = 64 * 1024;
constexpr size_t kBufferMemory = 32 * 1024 * 1024;  // per thread, at most
constexpr uint16_t kBufferGroup = 0;

unsigned next_pow2(unsigned v) {
  unsigned p = 1;
  while (p < v) p <<= 1;
  return p;
}

std::string errno_words(const char* what, int err) { return std::string(what) + ": " + bench::errno_words(err); }

// Cheapest completion mode first: DEFER_TASKRUN (6.1) runs completions only when we wait, in our thread.
int init_ring(uring::Ring& ring, unsigned entries, unsigned cq_entries) {
  const uint32_t attempts[] = {setup::SINGLE_ISSUER | setup::DEFER_TASKRUN, setup::COOP_TASKRUN, 0};
  int rc = -EINVAL;
  for (uint32_t flags : attempts) {
    uring::RingOptions options;
    options.entries = entries;
    options.cq_entries = cq_entries;
    options.flags = flags | setup::CLAMP;  // thousands of connections may ask for more than the kernel's maximum
    rc = ring.init(options);
    if (rc != -EINVAL) return rc;
  }
  return rc;
}

class UringEngine {
 public:
  explicit UringEngine(Worker& worker) : w_(worker) {}

  void run() {
    const unsigned n = static_cast<unsigned>(w_.connections().size());
    // Room for a send, a re-armed receive and a cancel per connection in one loop.
    int rc = init_ring(ring_, next_pow2(3 * n + 16), next_pow2(8 * n + 64));
    if (rc < 0) return w_.fail_all(errno_words("io_uring_setup", -rc));
    ring_.register_ring_fd();  // an optimisation only: enters work without it
    register_sockets();
    // Large messages in flight: bigger buffers mean fewer completions; the count keeps memory bounded.
    const BenchConfig& config = w_.config();
    unsigned size = uint64_t{config.size_max} * config.pipeline >= kSmallBuffer ? kLargeBuffer : kSmallBuffer;
    unsigned count = std::min<unsigned>(kBufferMemory / size, std::max(64u, next_pow2(2 * n)));
    rc = buffers_.init(ring_, kBufferGroup, count, size);
    if (rc < 0) return w_.fail_all(errno_words("IORING_REGISTER_PBUF_RING", -rc));

    for (Connection& c : w_.connections())
      if (c.alive) arm_recv(c);
    w_.begin(now_ns());
    for (;;) {
      int64_t now = now_ns();
      int64_t deadline = w_.tick(now);
      queue_sends();
      for (Connection* c : rearm_)
        if (c->alive) arm_recv(*c);
      rearm_.clear();
      queue_cancels();
      if (w_.finished()) break;
      int64_t wait_ns = deadline - now;
      // Even when already due, enter with GETEVENTS so deferred completions are run.
      w_.count_wait();
      rc = ring_.submit_and_wait_timeout(1, wait_ns > 1000 ? wait_ns : 1000);
      close_cancelled();
      if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EBUSY) {
        w_.fail_all(errno_words("io_uring_enter", -rc));
        break;
      }
      now = now_ns();
      ring_.for_each_cqe([&](const abi::Cqe& cqe) { complete(cqe, now); });
      buffers_.publish();
    }
    ring_.submit();
    close_cancelled();
    ring_.close();  // cancels every request still armed; only then may the buffers go
    buffers_.release();
  }

 private:
  abi::Sqe* sqe() {
    abi::Sqe* s = ring_.get_sqe();
    while (!s) {  // SQ full: hand the queued entries to the kernel and take the freed slots
      ring_.submit();
      s = ring_.get_sqe();
    }
    return s;
  }

  // Registered files (5.1) spare the kernel an fd lookup and reference per request; slot = connection.
  void register_sockets() {
    std::vector<int> fds;
    for (Connection& c : w_.connections()) fds.push_back(c.alive ? c.fd : -1);
    fixed_files_ = ring_.register_op(uring::catalog::reg::REGISTER_FILES, fds.data(), static_cast<unsigned>(fds.size())) == 0;
  }
  // The socket as a request names it: its registered slot, or its fd.
  void target(abi::Sqe* s, const Connection& c) {
    if (!fixed_files_) return;
    s->fd = static_cast<int32_t>(c.local);
    s->flags |= uring::catalog::sqe_flag::FIXED_FILE;
  }
  // Drops the ring's reference to a failed connection's socket so that closing our fd really closes it.
  void unregister_socket(const Connection& c) {
    if (!fixed_files_) return;
    int none = -1;
    abi::RsrcUpdate update{};
    update.offset = c.local;
    update.data = reinterpret_cast<uint64_t>(&none);
    ring_.register_op(uring::catalog::reg::REGISTER_FILES_UPDATE, &update, 1);
  }

  static uint64_t tag(const Connection& c, uint64_t kind) { return (static_cast<uint64_t>(c.local) << kKindBits) | kind; }

  void arm_recv(Connection& c) {
    abi::Sqe* s = sqe();
    uring::prep::recv_provided(s, c.fd, kBufferGroup, /*multishot=*/true, /*bundle=*/false, tag(c, kRecv));
    target(s, c);
  }

  void queue_sends() {
    for (Connection* c : w_.dirty()) {
      c->dirty = false;
      if (c->alive && !c->send_in_flight) send_next(*c);
    }
    w_.dirty().clear();
  }

  void send_next(Connection& c) {
    if (c.submitted >= c.issued) return;
    uint32_t len = static_cast<uint32_t>(std::min<uint64_t>(c.issued - c.submitted, kMaxSend));
    abi::Sqe* s = sqe();
    uring::prep::send(s, c.fd, w_.pattern().at(c.pattern_start, c.submitted), len, MSG_NOSIGNAL, tag(c, kSend));
    target(s, c);
    c.submitted += len;
    c.send_len = len;
    c.send_in_flight = true;
  }

  // A failed connection's requests are cancelled; its fd is closed once the cancel has been submitted.
  void queue_cancels() {
    for (Connection* c : w_.closing()) {
      if (c->fd < 0) continue;
      abi::Sqe* s = sqe();
      uring::prep::cancel_fd(s, fixed_files_ ? static_cast<int>(c->local) : c->fd, /*all=*/true, tag(*c, kCancel));
      if (fixed_files_) s->op_flags |= abi::kAsyncCancelFdFixed;
      to_close_.push_back(c);
    }
    w_.closing().clear();
  }

  void close_cancelled() {
    for (Connection* c : to_close_) {
      unregister_socket(*c);
      if (c->fd >= 0) ::close(c->fd);
      c->fd = -1;
    }
    to_close_.clear();
  }

  void complete(const abi::Cqe& cqe, int64_t now) {
    Connection& c = w_.connections()[cqe.user_data >> kKindBits];
    switch (cqe.user_data & ((1u << kKindBits) - 1)) {
      case kRecv: return received(c, cqe, now);
      case kSend: return sent(c, cqe);
      default: return;  // cancel results: nothing to do
    }
  }

  void received(Connection& c, const abi::Cqe& cqe, int64_t now) {
    const bool more = cqe.flags & abi::kCqeFMore;
    if (cqe.flags & abi::kCqeFBuffer) {
      uint16_t bid = static_cast<uint16_t>(cqe.flags >> abi::kCqeBufferShift);
      if (cqe.res > 0) w_.on_data(c, buffers_.buffer(bid), static_cast<size_t>(cqe.res), now);
      buffers_.recycle(bid);
    }
    if (!c.alive) return;
    if (cqe.res == 0) return w_.on_eof(c);
    if (cqe.res == -ENOBUFS) w_.count_buffer_stall();
    else if (cqe.res < 0) return w_.on_socket_error(c, -cqe.res, "recv");
    if (!more) rearm_.push_back(&c);  // multishot ended (buffers ran out, or the kernel chose to stop)
  }

  void sent(Connection& c, const abi::Cqe& cqe) {
    c.send_in_flight = false;
    if (!c.alive) return;
    if (cqe.res < 0) return w_.on_socket_error(c, -cqe.res, "send");
    if (static_cast<uint32_t>(cqe.res) < c.send_len) c.submitted -= c.send_len - static_cast<uint32_t>(cqe.res);
    if (c.submitted < c.issued && !c.dirty) {
      c.dirty = true;
      w_.dirty().push_back(&c);
    }
  }

  Worker& w_;
  uring::Ring ring_;
  uring::BufferRing buffers_;
  std::vector<Connection*> rearm_;
  std::vector<Connection*> to_close_;
  bool fixed_files_ = false;
};

}  // namespace

void run_uring_engine(Worker& worker) { UringEngine(worker).run(); }

std::string uring_client_unsupported_reason() {
  uring::Ring ring;
  int rc = init_ring(ring, 8, 0);
  if (rc < 0) return errno_words("io_uring_setup", -rc);
  uring::BufferRing buffers;
  rc = buffers.init(ring, kBufferGroup, 8, 64);
  if (rc < 0) return errno_words("provided buffer ring (IORING_REGISTER_PBUF_RING, 5.19)", -rc);
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) return errno_words("socketpair", errno);
  uring::prep::recv_provided(ring.get_sqe(), pair[0], kBufferGroup, true, false, 1);
  rc = ring.submit();
  const char byte = 'x';
  if (rc >= 0 && ::write(pair[1], &byte, 1) != 1) rc = -errno;
  if (rc >= 0) rc = ring.submit_and_wait_timeout(1, 1000000000LL);
  std::string reason;
  bool seen = false;
  ring.for_each_cqe([&](const abi::Cqe& cqe) {
    seen = true;
    if (cqe.res < 0) reason = errno_words("multishot recv (6.0)", -cqe.res);
    else if (!(cqe.flags & abi::kCqeFMore)) reason = "multishot recv (6.0): the kernel ended it after one completion";
  });
  if (!seen && reason.empty()) reason = rc < 0 ? errno_words("io_uring_enter", -rc) : "multishot recv (6.0): no completion";
  ::close(pair[0]);
  ::close(pair[1]);
  return reason;
}

}  // namespace bench
