#include "probe/functional.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "uring/prep.h"
#include "uring/ring.h"

namespace probe {

namespace {

namespace abi = uring::abi;
namespace prep = uring::prep;
namespace catalog = uring::catalog;
using uring::BufferRing;
using uring::Ring;
using uring::RingOptions;
using Clock = std::chrono::steady_clock;

constexpr int kWaitMs = 2000;  // per wait; loopback completions arrive in microseconds

FunctionalResult pass(std::string detail) {
  FunctionalResult r;
  r.ran = true;
  r.ok = true;
  r.detail = std::move(detail);
  return r;
}

FunctionalResult fail(int err, std::string detail) {
  FunctionalResult r;
  r.ran = true;
  r.err = err;
  r.detail = std::move(detail);
  return r;
}

class Fd {
 public:
  Fd() = default;
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// A listener on 127.0.0.1 and, after pair(), one connected client/server socket pair.
struct Loopback {
  Fd listener, client, server;
  sockaddr_in addr{};

  int listen() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    listener.reset(fd);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) return -errno;
    if (::listen(fd, 16) < 0) return -errno;
    socklen_t len = sizeof(addr);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) < 0) return -errno;
    return 0;
  }

  int connect_client(Fd& out) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    out.reset(fd);
    // Non-blocking connect, waited for with a bound. (SO_SNDTIMEO would bound a blocking one, but
    // then io_uring task work arriving meanwhile surfaces as EINTR instead of a transparent restart.)
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) {
      if (errno != EINPROGRESS) return -errno;
      pollfd pfd{fd, POLLOUT, 0};
      int r = poll(&pfd, 1, kWaitMs);
      if (r < 0) return -errno;
      if (r == 0) return -ETIMEDOUT;
      int err = 0;
      socklen_t len = sizeof(err);
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return -errno;
      if (err) return -err;
    }
    fcntl(fd, F_SETFL, flags);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return 0;
  }

  int pair() {
    if (int e = listen()) return e;
    if (int e = connect_client(client)) return e;
    pollfd pfd{listener.get(), POLLIN, 0};
    int r = poll(&pfd, 1, kWaitMs);
    if (r < 0) return -errno;
    if (r == 0) return -ETIMEDOUT;
    int fd = accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return -errno;
    server.reset(fd);
    return 0;
  }
};

int send_all(int fd, const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t sent = 0; sent < len;) {
    ssize_t n = send(fd, p + sent, len - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    sent += static_cast<size_t>(n);
  }
  return 0;
}

int read_exactly(int fd, void* buf, size_t len) {
  auto deadline = Clock::now() + std::chrono::milliseconds(kWaitMs);
  auto* p = static_cast<uint8_t*>(buf);
  for (size_t got = 0; got < len;) {
    pollfd pfd{fd, POLLIN, 0};
    int r = poll(&pfd, 1, remaining_ms(deadline));
    if (r < 0 && errno != EINTR) return -errno;
    if (r == 0) return -ETIMEDOUT;
    ssize_t n = recv(fd, p + got, len - got, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) return -ECONNRESET;
    got += static_cast<size_t>(n);
  }
  return 0;
}

// Waits until `len` bytes sit in fd's receive queue, so a request issued next sees all of them.
int wait_queued(int fd, int len) {
  auto deadline = Clock::now() + std::chrono::milliseconds(kWaitMs);
  for (;;) {
    int queued = 0;
    if (ioctl(fd, FIONREAD, &queued) < 0) return -errno;
    if (queued >= len) return 0;
    pollfd pfd{fd, POLLIN, 0};
    if (remaining_ms(deadline) == 0) return -ETIMEDOUT;
    poll(&pfd, 1, 1);
  }
}

// Reaps completions until `want` have arrived, one failed (when stop_on_error), or time is up.
int collect(Ring& ring, std::vector<abi::Cqe>& out, size_t want, bool stop_on_error = true) {
  auto deadline = Clock::now() + std::chrono::milliseconds(kWaitMs);
  for (;;) {
    bool failed = false;
    ring.for_each_cqe([&](const abi::Cqe& cqe) {
      out.push_back(cqe);
      if (cqe.res < 0) failed = true;
    });
    if (out.size() >= want || (stop_on_error && failed)) return 0;
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now()).count();
    if (left <= 0) return -ETIME;
    int r = ring.submit_and_wait_timeout(1, left);
    if (r < 0 && r != -ETIME && r != -EINTR) return r;
  }
}

const abi::Cqe* find(const std::vector<abi::Cqe>& cqes, uint64_t user_data) {
  for (const auto& cqe : cqes)
    if (cqe.user_data == user_data) return &cqe;
  return nullptr;
}

std::string pattern(size_t len) {
  std::string s(len, '\0');
  for (size_t i = 0; i < len; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

RingOptions small(uint32_t flags = 0) {
  RingOptions o;
  o.entries = 8;
  o.flags = flags;
  return o;
}

FunctionalResult multishot_accept() {
  Loopback lb;
  if (int e = lb.listen()) return fail(-e, "could not listen on 127.0.0.1");
  Ring ring;
  if (int e = ring.init(small())) return fail(-e, "io_uring_setup failed");
  prep::accept(ring.get_sqe(), lb.listener.get(), true, 1);
  if (int e = ring.submit(); e < 0) return fail(-e, "io_uring_enter failed");
  Fd first, second;
  if (int e = lb.connect_client(first)) return fail(-e, "connect to the listener failed");
  if (int e = lb.connect_client(second)) return fail(-e, "connect to the listener failed");
  std::vector<abi::Cqe> cqes;
  int e = collect(ring, cqes, 2);
  for (const auto& cqe : cqes)
    if (cqe.res >= 0) close(cqe.res);
  for (const auto& cqe : cqes)
    if (cqe.res < 0) return fail(-cqe.res, "the multishot accept completed with an error");
  if (e < 0) return fail(-e, "fewer than 2 connections were accepted in time");
  if (!(cqes[0].flags & abi::kCqeFMore)) return fail(0, "the first accept ended the request (no IORING_CQE_F_MORE)");
  return pass("one SQE accepted 2 connections and stayed armed (IORING_CQE_F_MORE)");
}

FunctionalResult buffer_ring() {
  Loopback lb;
  if (int e = lb.pair()) return fail(-e, "could not make a loopback TCP pair");
  Ring ring;
  if (int e = ring.init(small())) return fail(-e, "io_uring_setup failed");
  BufferRing buffers;
  if (int e = buffers.init(ring, 1, 8, 256)) return fail(-e, "IORING_REGISTER_PBUF_RING failed");
  const std::string message = "uringctl probe: ring-provided buffer";
  if (int e = send_all(lb.client.get(), message.data(), message.size())) return fail(-e, "send failed");
  prep::recv_provided(ring.get_sqe(), lb.server.get(), 1, false, false, 1);
  std::vector<abi::Cqe> cqes;
  if (int e = collect(ring, cqes, 1); e < 0) return fail(-e, "the recv did not complete in time");
  const abi::Cqe& cqe = cqes[0];
  if (cqe.res < 0) return fail(-cqe.res, "the buffer-select recv failed");
  if (!(cqe.flags & abi::kCqeFBuffer)) return fail(0, "the recv CQE names no buffer (no IORING_CQE_F_BUFFER)");
  unsigned bid = cqe.flags >> abi::kCqeBufferShift;
  if (bid >= buffers.count() || static_cast<size_t>(cqe.res) != message.size() ||
      std::memcmp(buffers.buffer(static_cast<uint16_t>(bid)), message.data(), message.size()) != 0)
    return fail(0, "the data in the provided buffer does not match what was sent");
  return pass("a recv picked buffer " + std::to_string(bid) + " from a registered buffer ring");
}

FunctionalResult multishot_recv() {
  Loopback lb;
  if (int e = lb.pair()) return fail(-e, "could not make a loopback TCP pair");
  Ring ring;
  if (int e = ring.init(small())) return fail(-e, "io_uring_setup failed");
  BufferRing buffers;
  if (int e = buffers.init(ring, 1, 8, 256)) return fail(-e, "IORING_REGISTER_PBUF_RING failed");
  prep::recv_provided(ring.get_sqe(), lb.server.get(), 1, true, false, 1);
  if (int e = ring.submit(); e < 0) return fail(-e, "io_uring_enter failed");
  const std::string messages[] = {"first message", "second, longer message"};
  std::vector<abi::Cqe> cqes;
  for (size_t i = 0; i < 2; ++i) {
    if (int e = send_all(lb.client.get(), messages[i].data(), messages[i].size())) return fail(-e, "send failed");
    if (int e = collect(ring, cqes, i + 1); e < 0) return fail(-e, "the multishot recv did not deliver in time");
    const abi::Cqe& cqe = cqes.back();
    if (cqe.res < 0) return fail(-cqe.res, "the multishot recv failed");
    if (!(cqe.flags & abi::kCqeFMore)) return fail(0, "the recv ended after one message (no IORING_CQE_F_MORE)");
    if (!(cqe.flags & abi::kCqeFBuffer)) return fail(0, "the recv CQE names no buffer (no IORING_CQE_F_BUFFER)");
    auto bid = static_cast<uint16_t>(cqe.flags >> abi::kCqeBufferShift);
    if (static_cast<size_t>(cqe.res) != messages[i].size() ||
        std::memcmp(buffers.buffer(bid), messages[i].data(), messages[i].size()) != 0)
      return fail(0, "the received data does not match what was sent");
    buffers.recycle(bid);
    buffers.publish();
  }
  return pass("one SQE received 2 messages into ring-provided buffers and stayed armed");
}

FunctionalResult recv_bundle() {
  Loopback lb;
  if (int e = lb.pair()) return fail(-e, "could not make a loopback TCP pair");
  Ring ring;
  if (int e = ring.init(small())) return fail(-e, "io_uring_setup failed");
  constexpr unsigned kBufferSize = 64;
  BufferRing buffers;
  if (int e = buffers.init(ring, 1, 8, kBufferSize)) return fail(-e, "IORING_REGISTER_PBUF_RING failed");
  const std::string data = pattern(300);
  if (int e = send_all(lb.client.get(), data.data(), data.size())) return fail(-e, "send failed");
  if (int e = wait_queued(lb.server.get(), static_cast<int>(data.size()))) return fail(-e, "the data did not arrive");
  abi::Sqe* sqe = ring.get_sqe();
  prep::recv_provided(sqe, lb.server.get(), 1, false, true, 1);
  sqe->len = static_cast<uint32_t>(data.size());  // the bundle's byte budget: lets it map several buffers at once
  std::vector<abi::Cqe> cqes;
  if (int e = collect(ring, cqes, 1); e < 0) return fail(-e, "the bundle recv did not complete in time");
  const abi::Cqe& cqe = cqes[0];
  if (cqe.res < 0) return fail(-cqe.res, "the bundle recv failed");
  if (!(cqe.flags & abi::kCqeFBuffer)) return fail(0, "the recv CQE names no buffer (no IORING_CQE_F_BUFFER)");
  if (cqe.res <= static_cast<int>(kBufferSize)) return fail(0, "the bundle recv filled only one buffer");
  unsigned bid = cqe.flags >> abi::kCqeBufferShift;
  for (int off = 0; off < cqe.res; off += kBufferSize) {
    auto id = static_cast<uint16_t>((bid + off / kBufferSize) % buffers.count());
    size_t n = std::min<size_t>(kBufferSize, static_cast<size_t>(cqe.res - off));
    if (std::memcmp(buffers.buffer(id), data.data() + off, n) != 0)
      return fail(0, "the bundle's buffers do not hold the data in order");
  }
  unsigned used = (static_cast<unsigned>(cqe.res) + kBufferSize - 1) / kBufferSize;
  return pass("one recv filled " + std::to_string(used) + " ring-provided buffers (" + std::to_string(cqe.res) +
              " bytes) in one CQE");
}

FunctionalResult send_bundle() {
  Loopback lb;
  if (int e = lb.pair()) return fail(-e, "could not make a loopback TCP pair");
  Ring ring;
  if (int e = ring.init(small())) return fail(-e, "io_uring_setup failed");
  constexpr unsigned kBufferSize = 64, kCount = 4;
  BufferRing buffers;
  if (int e = buffers.init(ring, 2, kCount, kBufferSize)) return fail(-e, "IORING_REGISTER_PBUF_RING failed");
  const std::string data = pattern(kBufferSize * kCount);
  for (unsigned i = 0; i < kCount; ++i)
    std::memcpy(buffers.buffer(static_cast<uint16_t>(i)), data.data() + i * kBufferSize, kBufferSize);
  prep::send_provided(ring.get_sqe(), lb.client.get(), 2, true, 1);
  std::vector<abi::Cqe> cqes;
  if (int e = collect(ring, cqes, 1); e < 0) return fail(-e, "the bundle send did not complete in time");
  const abi::Cqe& cqe = cqes[0];
  if (cqe.res < 0) return fail(-cqe.res, "the bundle send failed");
  if (cqe.res <= static_cast<int>(kBufferSize)) return fail(0, "the bundle send took only one buffer");
  std::string received(static_cast<size_t>(cqe.res), '\0');
  if (int e = read_exactly(lb.server.get(), received.data(), received.size())) return fail(-e, "reading the data back failed");
  if (received != data.substr(0, received.size())) return fail(0, "the peer received the buffers out of order");
  return pass("one send took " + std::to_string(cqe.res / kBufferSize) + " ring-provided buffers (" +
              std::to_string(cqe.res) + " bytes)");
}

FunctionalResult send_zc() {
  Loopback lb;
  if (int e = lb.pair()) return fail(-e, "could not make a loopback TCP pair");
  Ring ring;
  if (int e = ring.init(small())) return fail(-e, "io_uring_setup failed");
  const std::string data = pattern(4096);
  prep::send_zc(ring.get_sqe(), lb.client.get(), data.data(), static_cast<uint32_t>(data.size()), MSG_NOSIGNAL, 1);
  std::vector<abi::Cqe> cqes;
  int e = collect(ring, cqes, 2);
  if (!cqes.empty() && cqes[0].res < 0) return fail(-cqes[0].res, "the zero-copy send failed");
  if (e < 0) return fail(-e, "the send and its notification did not both complete in time");
  bool sent = false, notified = false;
  for (const auto& cqe : cqes) {
    if (cqe.flags & abi::kCqeFNotif) notified = true;
    else if (cqe.res == static_cast<int>(data.size()) && (cqe.flags & abi::kCqeFMore)) sent = true;
  }
  if (!sent || !notified) return fail(0, "expected a result CQE with IORING_CQE_F_MORE and a IORING_CQE_F_NOTIF CQE");
  std::string received(data.size(), '\0');
  if (int r = read_exactly(lb.server.get(), received.data(), received.size())) return fail(-r, "reading the data back failed");
  if (received != data) return fail(0, "the peer received different data");
  return pass("4096 bytes sent with SEND_ZC: result CQE, then the buffer-release notification");
}

// Reaps the one NOP queued with `user_data`: `wait_failure` when it does not arrive, `passed` when it does.
FunctionalResult reap_nop(Ring& ring, uint64_t user_data, const char* wait_failure, const char* passed) {
  std::vector<abi::Cqe> cqes;
  if (int e = collect(ring, cqes, 1); e < 0) return fail(-e, wait_failure);
  if (cqes[0].res < 0 || cqes[0].user_data != user_data) return fail(cqes[0].res < 0 ? -cqes[0].res : 0, "the NOP failed");
  return pass(passed);
}

FunctionalResult sqpoll() {
  RingOptions options = small(catalog::setup::SQPOLL);
  options.sq_thread_idle = 50;
  Ring ring;
  if (int e = ring.init(options)) return fail(-e, "io_uring_setup with IORING_SETUP_SQPOLL failed");
  prep::nop(ring.get_sqe(), 7);
  if (int e = ring.submit(); e < 0) return fail(-e, "io_uring_enter failed");
  return reap_nop(ring, 7, "the kernel's SQ thread did not pick up the NOP in time",
                  "the kernel's submission thread picked up a NOP without a submitting io_uring_enter");
}

FunctionalResult defer_taskrun() {
  Loopback lb;
  if (int e = lb.pair()) return fail(-e, "could not make a loopback TCP pair");
  Ring ring;
  if (int e = ring.init(small(catalog::setup::SINGLE_ISSUER | catalog::setup::DEFER_TASKRUN)))
    return fail(-e, "io_uring_setup with SINGLE_ISSUER|DEFER_TASKRUN failed");
  char buf[64];
  prep::recv(ring.get_sqe(), lb.server.get(), buf, sizeof(buf), 1);
  if (int e = ring.submit(); e < 0) return fail(-e, "io_uring_enter failed");
  const std::string message = "deferred";
  if (int e = send_all(lb.client.get(), message.data(), message.size())) return fail(-e, "send failed");
  // Deferred task work: nothing may be posted until this task asks for completions.
  if (ring.cq_ready() != 0) return fail(0, "a completion was posted before the task entered the kernel");
  std::vector<abi::Cqe> cqes;
  if (int e = collect(ring, cqes, 1); e < 0) return fail(-e, "the recv did not complete in time");
  if (cqes[0].res < 0) return fail(-cqes[0].res, "the recv failed");
  if (static_cast<size_t>(cqes[0].res) != message.size() || std::memcmp(buf, message.data(), message.size()) != 0)
    return fail(0, "the received data does not match what was sent");
  return pass("a recv completed only when the task asked for completions (deferred task work)");
}

FunctionalResult registered_ring_fd() {
  Ring ring;
  if (int e = ring.init(small())) return fail(-e, "io_uring_setup failed");
  if (int e = ring.register_ring_fd()) return fail(-e, "IORING_REGISTER_RING_FDS failed");
  prep::nop(ring.get_sqe(), 9);
  return reap_nop(ring, 9, "io_uring_enter with the registered index failed",
                  "a NOP was submitted and reaped through the registered ring index (IORING_ENTER_REGISTERED_RING)");
}

FunctionalResult fixed_files() {
  Loopback lb;
  if (int e = lb.pair()) return fail(-e, "could not make a loopback TCP pair");
  Ring ring;
  if (int e = ring.init(small())) return fail(-e, "io_uring_setup failed");
  int table[2] = {lb.server.get(), lb.client.get()};
  if (int e = ring.register_op(catalog::reg::REGISTER_FILES, table, 2); e < 0)
    return fail(-e, "IORING_REGISTER_FILES failed");
  const std::string message = "via the fixed file table";
  abi::Sqe* sqe = ring.get_sqe();
  prep::send(sqe, 1, message.data(), static_cast<uint32_t>(message.size()), MSG_NOSIGNAL, 1);
  sqe->flags |= catalog::sqe_flag::FIXED_FILE;
  std::vector<abi::Cqe> cqes;
  if (int e = collect(ring, cqes, 1); e < 0) return fail(-e, "the send did not complete in time");
  if (cqes[0].res < 0) return fail(-cqes[0].res, "the send on a fixed file failed");
  std::string received(message.size(), '\0');
  if (int e = read_exactly(lb.server.get(), received.data(), received.size())) return fail(-e, "reading the data back failed");
  if (received != message) return fail(0, "the peer received different data");
  return pass("a send addressed its socket by index in the registered file table (IOSQE_FIXED_FILE)");
}

FunctionalResult linked_timeout() {
  Loopback lb;
  if (int e = lb.pair()) return fail(-e, "could not make a loopback TCP pair");
  Ring ring;
  if (int e = ring.init(small())) return fail(-e, "io_uring_setup failed");
  char buf[64];
  abi::Sqe* recv = ring.get_sqe();
  prep::recv(recv, lb.server.get(), buf, sizeof(buf), 1);
  recv->flags |= catalog::sqe_flag::IO_LINK;
  abi::KernelTimespec ts{0, 20 * 1000 * 1000};
  prep::link_timeout(ring.get_sqe(), &ts, 2);
  std::vector<abi::Cqe> cqes;
  if (int e = collect(ring, cqes, 2, false); e < 0) return fail(-e, "the recv and its timeout did not both complete in time");
  const abi::Cqe* r = find(cqes, 1);
  const abi::Cqe* t = find(cqes, 2);
  if (!r || !t) return fail(0, "missing a completion for the recv or its timeout");
  if (t->res == -EINVAL || r->res == -EINVAL) return fail(EINVAL, "the kernel rejected the linked timeout");
  if (r->res != -ECANCELED || t->res != -ETIME)
    return fail(0, "expected the recv to end -ECANCELED and the timeout -ETIME, got " + std::to_string(r->res) + " and " +
                       std::to_string(t->res));
  return pass("a recv with no data was cancelled by its linked 20 ms timeout (-ECANCELED, -ETIME)");
}

struct Test {
  const char* name;
  FunctionalResult (*run)();
};

constexpr Test kTests[] = {
    {"multishot-accept", multishot_accept},
    {"buffer-ring", buffer_ring},
    {"multishot-recv", multishot_recv},
    {"recv-bundle", recv_bundle},
    {"send-bundle", send_bundle},
    {"send-zc", send_zc},
    {"sqpoll", sqpoll},
    {"defer-taskrun", defer_taskrun},
    {"registered-ring-fd", registered_ring_fd},
    {"fixed-files", fixed_files},
    {"linked-timeout", linked_timeout},
};

}  // namespace

FunctionalResult run_functional(const std::string& name) {
  for (const Test& test : kTests) {
    if (name != test.name) continue;
    // Every wait is bounded with IORING_ENTER_EXT_ARG: without it (before 5.11) we do not run.
    Ring check;
    if (int e = check.init(small())) return fail(-e, "io_uring_setup failed");
    if (!(check.features() & catalog::feat::EXT_ARG))
      return fail(EOPNOTSUPP, "not run: bounded waits need IORING_FEAT_EXT_ARG (5.11)");
    check.close();
    return test.run();
  }
  return FunctionalResult{};
}

std::vector<std::string> functional_test_names() {
  std::vector<std::string> names;
  for (const Test& test : kTests) names.emplace_back(test.name);
  return names;
}

}  // namespace probe
