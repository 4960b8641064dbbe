// The epoll echo engine: the same behaviour as the io_uring one on readiness notifications. Per thread:
// one epoll fd, one SO_REUSEPORT listener, one receive buffer shared by the thread's connections; a
// received block is written straight back, and only what the socket would not take is kept.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <memory>
#include <new>

#include "echo/conn_slots.h"
#include "echo/heap_release.h"
#include "echo/pending_bytes.h"
#include "echo/threaded_engine.h"

namespace echo {

namespace {

constexpr uint64_t kListenerKey = ~0ull;
constexpr uint64_t kWakeKey = ~0ull - 1;
constexpr int kMaxEvents = 256;
constexpr int kAcceptsPerWakeup = 64;

uint64_t key(uint32_t index, uint32_t generation) { return index | (static_cast<uint64_t>(generation) << 32); }

int64_t now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

struct Conn {
  int fd = -1;
  uint32_t generation = 0;
  uint32_t interest = 0;  // events registered (level-triggered mode)
  bool peer_closed = false;
  bool paused = false;
  int64_t last_active_ms = 0;
  PendingBytes pending;  // received, not yet taken by the socket
};

class EpollEngine;

class EpollThread {
 public:
  EpollThread(EpollEngine& engine, ThreadedEngine::Worker& worker, const Config& config);
  ~EpollThread();
  int setup(const char*& stage);
  void run();

 private:
  void on_listener();
  void on_readable(uint32_t index, Conn& c, bool peer_shut = false);
  void on_writable(uint32_t index, Conn& c);
  bool write_pending(uint32_t index, Conn& c);
  void update_interest(uint32_t index, Conn& c);
  void close_conn(uint32_t index, Conn& c);
  void fail(uint32_t index, Conn& c, int err);
  void begin_drain();
  void on_timers();
  int wait_timeout() const;

  EpollEngine& engine_;
  ThreadedEngine::Worker& worker_;
  Counters& counters_;
  const Config& config_;
  const bool edge_ = false;
  int epfd_ = -1;
  int listen_fd_ = -1;
  bool listener_watched_ = false;
  std::unique_ptr<uint8_t[]> scratch_;
  std::deque<Conn> conns_;
  std::vector<uint32_t> free_slots_;
  unsigned open_conns_ = 0;
  bool draining_ = false;
  bool in_fd_limit_burst_ = false;
  unsigned backoff_ms_ = 0;
  int64_t accept_resume_ms_ = 0;  // 0: not backing off
  int64_t grace_end_ms_ = 0;
  int64_t next_idle_scan_ms_ = 0;
  unsigned idle_scan_ms_ = 0;
  int64_t now_ = 0;
};

class EpollEngine final : public ThreadedEngine {
 public:
  std::string backend_name() const override { return "epoll"; }
  std::vector<std::string> features() const override {
    return {config_.epoll_edge_triggered ? "edge-triggered" : "level-triggered", "so-reuseport"};
  }
  void serve(Worker& worker) override {
    EpollThread thread(*this, worker, config_);
    const char* stage = "epoll";
    int rc = thread.setup(stage);
    ready(worker, rc, stage);
    if (rc == 0) thread.run();
  }
};

EpollThread::EpollThread(EpollEngine& engine, ThreadedEngine::Worker& worker, const Config& config)
    : engine_(engine), worker_(worker), counters_(worker.counters), config_(config),
      edge_(config.epoll_edge_triggered) {
  listen_fd_ = worker.listen_fd;
  worker.listen_fd = -1;
}

EpollThread::~EpollThread() {
  for (auto& c : conns_)
    if (c.fd >= 0) close(c.fd);
  if (listen_fd_ >= 0) close(listen_fd_);
  if (epfd_ >= 0) close(epfd_);
}

int EpollThread::setup(const char*& stage) {
  stage = "epoll";
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) return -errno;
  scratch_.reset(new uint8_t[config_.buffer_size]);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeKey;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, worker_.wake_fd, &ev) < 0) return -errno;
  // The listener stays level-triggered: a burst larger than one wake-up's accepts is reported again.
  ev.data.u64 = kListenerKey;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, listen_fd_, &ev) < 0) return -errno;
  listener_watched_ = true;
  int flags = fcntl(listen_fd_, F_GETFL);
  fcntl(listen_fd_, F_SETFL, flags | O_NONBLOCK);
  if (config_.idle_timeout_ms) {
    idle_scan_ms_ = std::clamp(config_.idle_timeout_ms / 4, 10u, 1000u);
    next_idle_scan_ms_ = now_ms() + idle_scan_ms_;
  }
  return 0;
}

int EpollThread::wait_timeout() const {
  int64_t next = 0;
  for (int64_t deadline : {accept_resume_ms_, grace_end_ms_, idle_scan_ms_ ? next_idle_scan_ms_ : 0})
    if (deadline && (!next || deadline < next)) next = deadline;
  if (!next) return -1;
  return static_cast<int>(std::max<int64_t>(0, next - now_ms()) + 1);
}

void EpollThread::run() {
  epoll_event events[kMaxEvents];
  while (!(draining_ && listen_fd_ < 0 && open_conns_ == 0)) {
    int n = epoll_wait(epfd_, events, kMaxEvents, wait_timeout());
    if (n < 0 && errno != EINTR) {
      counters_.other_error(errno);
      break;
    }
    if (idle_scan_ms_ || accept_resume_ms_ || grace_end_ms_) now_ = now_ms();
    for (int i = 0; i < n; ++i) {
      const uint64_t k = events[i].data.u64;
      if (k == kWakeKey) {
        // Read empty: the watch is level-triggered, and an unread eventfd would wake every wait of
        // the grace period (a busy loop until it ended).
        ThreadedEngine::drain_wake(worker_.wake_fd);
        if (!draining_) begin_drain();
        else if (engine_.grace_ended()) grace_end_ms_ = now_ms();
        continue;
      }
      if (k == kListenerKey) {
        on_listener();
        continue;
      }
      const uint32_t index = static_cast<uint32_t>(k);
      if (index >= conns_.size()) continue;
      Conn& c = conns_[index];
      if (c.fd < 0 || c.generation != static_cast<uint32_t>(k >> 32)) continue;
      const uint32_t e = events[i].events;
      if (e & EPOLLERR) {
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        fail(index, c, err ? err : ECONNRESET);
        continue;
      }
      if (e & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) on_readable(index, c, e & (EPOLLRDHUP | EPOLLHUP));
      if (c.fd >= 0 && (e & EPOLLOUT)) on_writable(index, c);
      // Both directions shut by the peer: nothing more can be echoed.
      if (c.fd >= 0 && (e & EPOLLHUP) && c.pending.empty()) close_conn(index, c);
    }
    on_timers();
    heap_release::trim_if_due();
    if (!draining_ && engine_.stopping()) begin_drain();
  }
}

void EpollThread::on_listener() {
  for (int i = 0; i < kAcceptsPerWakeup && listen_fd_ >= 0; ++i) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      if (err == EAGAIN || err == EINTR) return;
      if (err == ECONNABORTED) {
        Counters::add(counters_.accept_errors);
        continue;
      }
      if (err == EMFILE || err == ENFILE) {
        Counters::add(counters_.accept_fd_limit);
        if (!in_fd_limit_burst_) {
          in_fd_limit_burst_ = true;
          Counters::add(counters_.accept_fd_limit_bursts);
        }
      } else {
        Counters::add(counters_.accept_errors);
        counters_.last_errno.store(err, std::memory_order_relaxed);
      }
      // Level-triggered and still pending: unwatch the listener until the backoff ends, never spin.
      epoll_ctl(epfd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
      listener_watched_ = false;
      backoff_ms_ = backoff_ms_ ? std::min(backoff_ms_ * 2, kAcceptBackoffMaxMs) : kAcceptBackoffFirstMs;
      accept_resume_ms_ = now_ms() + backoff_ms_;
      return;
    }
    in_fd_limit_burst_ = false;
    backoff_ms_ = 0;
    if (!engine_.admit_connection()) {
      close(fd);
      Counters::add(counters_.rejected);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    Counters::add(counters_.accepted);
    const uint32_t index = take_conn_slot_or_refuse(conns_, free_slots_, fd, engine_, counters_);
    if (index == kNoSlot) continue;
    Conn& c = conns_[index];
    c.fd = fd;
    c.last_active_ms = now_;
    epoll_event ev{};
    ev.events = edge_ ? (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET) : EPOLLIN;
    ev.data.u64 = key(index, c.generation);
    c.interest = ev.events;
    ++open_conns_;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) fail(index, c, errno);
  }
}

void EpollThread::on_readable(uint32_t index, Conn& c, bool peer_shut) {
  const unsigned size = config_.buffer_size;
  uint8_t* buffer = scratch_.get();
  while (!c.paused && !c.peer_closed && !draining_) {
    ssize_t n = recv(c.fd, buffer, size, 0);
    if (n > 0) {
      Counters::add(counters_.messages);
      Counters::add(counters_.bytes_in, static_cast<uint64_t>(n));
      c.last_active_ms = now_;
      size_t written = 0;
      if (c.pending.empty()) {
        ssize_t w = send(c.fd, buffer, static_cast<size_t>(n), MSG_NOSIGNAL);
        if (w < 0) {
          if (errno != EAGAIN) return fail(index, c, errno);
          w = 0;
        }
        written = static_cast<size_t>(w);
        Counters::add(counters_.bytes_out, written);
        if (written < static_cast<size_t>(n)) Counters::add(counters_.short_sends);
      }
      if (!c.pending.append(buffer + written, static_cast<size_t>(n) - written)) {
        // No memory for this connection's bytes: it alone is closed, and counted.
        Counters::add(counters_.alloc_failures);
        return close_conn(index, c);
      }
      if (c.pending.size() >= config_.max_pending) {
        c.paused = true;
        Counters::add(counters_.read_pauses);
      }
      // A short read emptied the receive queue; new data brings a new notification (in either mode).
      // A FIN that came with the data brings none: then read on to the EOF.
      if (static_cast<size_t>(n) < size && !peer_shut) break;
      continue;
    }
    if (n == 0) {
      c.peer_closed = true;
      break;
    }
    if (errno == EAGAIN || errno == EINTR) break;
    return fail(index, c, errno);
  }
  if (c.peer_closed && c.pending.empty()) return close_conn(index, c);
  update_interest(index, c);
}

// Sends what is pending; false when the connection was closed.
bool EpollThread::write_pending(uint32_t index, Conn& c) {
  while (!c.pending.empty()) {
    ssize_t w = send(c.fd, c.pending.front(), c.pending.front_size(), MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN) break;
      if (errno == EINTR) continue;
      fail(index, c, errno);
      return false;
    }
    Counters::add(counters_.bytes_out, static_cast<uint64_t>(w));
    c.last_active_ms = now_;
    if (static_cast<size_t>(w) < c.pending.front_size()) Counters::add(counters_.short_sends);
    c.pending.consume(static_cast<size_t>(w));
  }
  return true;
}

void EpollThread::on_writable(uint32_t index, Conn& c) {
  if (c.pending.empty()) return;
  if (!write_pending(index, c)) return;
  if (c.pending.empty() && (c.peer_closed || draining_)) return close_conn(index, c);
  if (c.paused && c.pending.size() <= config_.max_pending / 2) {
    c.paused = false;
    // Edge-triggered: data that waited meanwhile brings no new edge, so read it now.
    if (edge_) return on_readable(index, c);
  }
  update_interest(index, c);
}

void EpollThread::update_interest(uint32_t index, Conn& c) {
  if (edge_ || c.fd < 0) return;
  uint32_t want = 0;
  if (!c.paused && !c.peer_closed && !draining_) want |= EPOLLIN;
  if (!c.pending.empty()) want |= EPOLLOUT;
  if (want == c.interest) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.u64 = key(index, c.generation);
  c.interest = want;
  epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
}

void EpollThread::fail(uint32_t index, Conn& c, int err) {
  counters_.connection_error(err);
  close_conn(index, c);
}

void EpollThread::close_conn(uint32_t index, Conn& c) {
  close(c.fd);
  c.fd = -1;
  c.pending.release();
  c.peer_closed = c.paused = false;
  c.interest = 0;
  ++c.generation;
  try {
    free_slots_.push_back(index);
  } catch (const std::bad_alloc&) {
    // Not reused: one slot's worth of memory, rather than the thread.
  }
  --open_conns_;
  engine_.connection_closed();
  Counters::add(counters_.closed);
}

// Stop: no new connections, no more reads; what was received is still echoed until the grace ends.
void EpollThread::begin_drain() {
  if (draining_) return;
  draining_ = true;
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    listen_fd_ = -1;
  }
  accept_resume_ms_ = 0;
  for (uint32_t index = 0; index < conns_.size(); ++index) {
    Conn& c = conns_[index];
    if (c.fd < 0) continue;
    if (c.pending.empty()) close_conn(index, c);
    else update_interest(index, c);
  }
  now_ = now_ms();
  const unsigned grace = engine_.grace_ms();
  grace_end_ms_ = now_ + grace;
  if (!grace) on_timers();
}

void EpollThread::on_timers() {
  if (!(idle_scan_ms_ || accept_resume_ms_ || grace_end_ms_)) return;
  now_ = now_ms();
  if (accept_resume_ms_ && now_ >= accept_resume_ms_) {
    accept_resume_ms_ = 0;
    if (listen_fd_ >= 0 && !listener_watched_) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = kListenerKey;
      epoll_ctl(epfd_, EPOLL_CTL_ADD, listen_fd_, &ev);
      listener_watched_ = true;
    }
  }
  if (grace_end_ms_ && now_ >= grace_end_ms_) {
    for (uint32_t index = 0; index < conns_.size(); ++index) {
      Conn& c = conns_[index];
      if (c.fd < 0) continue;
      if (!c.pending.empty()) Counters::add(counters_.aborted);
      close_conn(index, c);
    }
  }
  if (idle_scan_ms_ && !draining_ && now_ >= next_idle_scan_ms_) {
    next_idle_scan_ms_ = now_ + idle_scan_ms_;
    for (uint32_t index = 0; index < conns_.size(); ++index) {
      Conn& c = conns_[index];
      if (c.fd >= 0 && now_ - c.last_active_ms >= config_.idle_timeout_ms) {
        Counters::add(counters_.idle_timeouts);
        close_conn(index, c);
      }
    }
  }
}

}  // namespace

std::unique_ptr<Engine> make_epoll_engine() { return std::make_unique<EpollEngine>(); }

}  // namespace echo
