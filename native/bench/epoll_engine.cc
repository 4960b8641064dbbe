// The epoll engine: level-triggered EPOLLIN on every connection, EPOLLOUT only while a send is blocked;
// one 64 KiB receive buffer per thread is enough because echoes are verified in place.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "clock.h"
#include "worker.h"

namespace bench {

namespace {

constexpr size_t kReceiveBuffer = 64 * 1024;
constexpr size_t kMaxSend = 64 * 1024;
constexpr int kMaxEvents = 256;

// Same number on every architecture (the 5.11 unified syscall table); glibc's wrapper needs glibc 2.35.
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

class EpollEngine {
 public:
  explicit EpollEngine(Worker& worker) : w_(worker), buffer_(kReceiveBuffer) {}

  void run() {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) {
      w_.fail_all(std::string("epoll_create1: ") + strerror(errno));
      return;
    }
    for (Connection& c : w_.connections()) {
      if (!c.alive) continue;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = c.local;
      epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
    }
    epoll_event events[kMaxEvents];
    w_.begin(now_ns());
    for (;;) {
      int64_t now = now_ns();
      int64_t deadline = w_.tick(now);
      flush_dirty();
      close_failed();
      if (w_.finished()) break;
      w_.count_wait();
      int n = wait(events, deadline - now);
      if (n < 0) {
        if (errno == EINTR) continue;
        w_.fail_all(std::string("epoll_wait: ") + strerror(errno));
        break;
      }
      now = now_ns();
      for (int i = 0; i < n; ++i) {
        Connection& c = w_.connections()[events[i].data.u32];
        if (!c.alive) continue;
        if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) receive(c, now);
        if (c.alive && (events[i].events & EPOLLOUT)) send_pending(c);
      }
    }
    close_failed();
    ::close(ep_);
  }

 private:
  // epoll_pwait2 (5.11) takes nanoseconds; older kernels get epoll_wait's milliseconds, rounded up.
  // Called through syscall() so the binary loads on glibc older than 2.35.
  int wait(epoll_event* events, int64_t timeout_ns) {
    if (timeout_ns < 0) timeout_ns = 0;
    if (have_pwait2_) {
      timespec ts{static_cast<time_t>(timeout_ns / 1000000000), static_cast<long>(timeout_ns % 1000000000)};
      int n = static_cast<int>(syscall(SYS_epoll_pwait2, ep_, events, kMaxEvents, &ts, nullptr, 0));
      if (n >= 0 || errno != ENOSYS) return n;
      have_pwait2_ = false;
    }
    return epoll_wait(ep_, events, kMaxEvents, static_cast<int>((timeout_ns + 999999) / 1000000));
  }

  void receive(Connection& c, int64_t now) {
    for (;;) {
      ssize_t n = ::recv(c.fd, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
      if (n > 0) {
        w_.on_data(c, buffer_.data(), static_cast<size_t>(n), now);
        if (!c.alive || static_cast<size_t>(n) < buffer_.size()) return;
        continue;
      }
      if (n == 0) { w_.on_eof(c); return; }
      if (errno == EAGAIN || errno == EINTR) return;
      w_.on_socket_error(c, errno, "recv");
      return;
    }
  }

  void flush_dirty() {
    for (Connection* c : w_.dirty()) {
      c->dirty = false;
      if (c->alive && !c->want_write) send_pending(*c);
    }
    w_.dirty().clear();
  }

  void send_pending(Connection& c) {
    while (c.submitted < c.issued) {
      size_t len = std::min<uint64_t>(c.issued - c.submitted, kMaxSend);
      ssize_t n = ::send(c.fd, w_.pattern().at(c.pattern_start, c.submitted), len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        c.submitted += static_cast<uint64_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        set_want_write(c, true);
        return;
      }
      w_.on_socket_error(c, n < 0 ? errno : EPIPE, "send");
      return;
    }
    set_want_write(c, false);
  }

  void set_want_write(Connection& c, bool want) {
    if (c.want_write == want) return;
    c.want_write = want;
    epoll_event ev{};
    ev.events = want ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
    ev.data.u32 = c.local;
    epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void close_failed() {
    for (Connection* c : w_.closing()) {
      if (c->fd >= 0) ::close(c->fd);  // also leaves the epoll set
      c->fd = -1;
    }
    w_.closing().clear();
  }

  Worker& w_;
  std::vector<uint8_t> buffer_;
  int ep_ = -1;
  bool have_pwait2_ = true;
};

}  // namespace

void run_epoll_engine(Worker& worker) { EpollEngine(worker).run(); }

}  // namespace bench
