#include "worker.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "clock.h"
#include "errno_name.h"

namespace bench {

namespace {

uint64_t next_random(uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

template <typename... Args>
std::string format(const char* fmt, Args... args) {
  char buf[256];
  snprintf(buf, sizeof(buf), fmt, args...);
  return buf;
}

}  // namespace

Worker::Worker(const BenchConfig& config, const PayloadPattern& pattern, RunControl& control, unsigned index,
               unsigned first_id, unsigned count, uint64_t quota)
    : config_(config),
      pattern_(pattern),
      control_(control),
      index_(index),
      conns_(count),
      inflight_(static_cast<size_t>(count) * config.pipeline),
      timeout_ns_(seconds_to_ns(config.timeout_s)),
      quota_(quota) {
  for (unsigned i = 0; i < count; ++i) {
    Connection& c = conns_[i];
    c.id = first_id + i;
    c.local = i;
    c.pattern_start = PayloadPattern::start_for(c.id);
    c.rng = 0x2545f4914f6cdd1dULL ^ (static_cast<uint64_t>(c.id + 1) * 0x9e3779b97f4a7c15ULL);
  }
  dirty_.reserve(count);
  closing_.reserve(count);
  if (config.rate > 0) ns_per_message_ = 1e9 / config.rate;
  result_.backend = config.backend;
}

void Worker::run() {
  // Timer slack (50 us by default) would make every open-loop wake-up late by up to that much.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  pthread_setname_np(pthread_self(), "uringctl-bench");
  if (!config_.pin_cpus.empty()) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(config_.pin_cpus[index_ % config_.pin_cpus.size()], &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  }
  connect_all();
  if (!control_.connected_then_wait(alive_count())) {
    for (Connection& c : conns_)
      if (c.fd >= 0) ::close(c.fd);
    phase_ = Phase::done;
    return;
  }
  timeline_ = control_.timeline();
  phase_ = Phase::warmup;
  if (config_.backend == ClientBackend::io_uring)
    run_uring_engine(*this);
  else
    run_epoll_engine(*this);
  int64_t now = now_ns();
  if (!measure_ended_) end_measurement(now);
  result_.alive_at_end = alive_count();
  for (Connection& c : conns_) {
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
  }
  publish_progress();
}

// Opens this worker's connections: all at once, or with --connect-rate one every threads/rate seconds
// (this worker's share of the rate). Each connect is bounded by timeout_s from its own start.
void Worker::connect_all() {
  const int64_t start = now_ns();
  const double gap_ns = config_.connect_rate > 0 ? 1e9 * config_.threads / config_.connect_rate : 0;
  const size_t destinations = config_.destinations.size();
  result_.established_per_destination.assign(destinations, 0);
  std::vector<pollfd> pending;
  std::vector<Connection*> pending_conns;
  std::vector<int64_t> pending_deadline;
  auto destination = [&](const Connection& c) -> const Destination& { return config_.destinations[c.id % destinations]; };
  auto failed = [&](Connection& c, const std::string& message) {
    ++result_.errors.connect;
    if (result_.first_error.empty()) result_.first_error = message;
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
  };
  auto up = [&](Connection& c) {
    c.alive = true;
    ++result_.established_per_destination[c.id % destinations];
    progress_.connected.fetch_add(1, std::memory_order_relaxed);
  };
  auto open = [&](Connection& c, int64_t now) {
    const Destination& d = destination(c);
    c.fd = ::socket(d.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return failed(c, "socket() for " + d.target + ": " + errno_words(errno));
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&d.address), d.address_len) == 0) return up(c);
    if (errno != EINPROGRESS) return failed(c, "connect to " + d.target + ": " + errno_words(errno));
    pending.push_back({c.fd, POLLOUT, 0});
    pending_conns.push_back(&c);
    pending_deadline.push_back(now + timeout_ns_);
  };
  auto drop = [&](size_t i) {
    pending[i] = pending.back();
    pending.pop_back();
    pending_conns[i] = pending_conns.back();
    pending_conns.pop_back();
    pending_deadline[i] = pending_deadline.back();
    pending_deadline.pop_back();
  };
  auto due = [&](size_t k) { return start + static_cast<int64_t>(static_cast<double>(k) * gap_ns); };

  size_t next = 0;
  while ((next < conns_.size() || !pending.empty()) && !control_.stop_requested()) {
    int64_t now = now_ns();
    while (next < conns_.size() && due(next) <= now) open(conns_[next++], now);
    int64_t wake = now + 100000000;  // look at the stop flag at least every 100 ms
    if (next < conns_.size()) wake = std::min(wake, due(next));
    int timeout_ms = static_cast<int>(std::max<int64_t>(0, (wake - now + 999999) / 1000000));
    int n = ::poll(pending.data(), pending.size(), timeout_ms);
    if (n < 0 && errno != EINTR) break;
    now = now_ns();
    for (size_t i = 0; i < pending.size();) {
      Connection& c = *pending_conns[i];
      if (pending[i].revents) {
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == 0) up(c);
        else failed(c, "connect to " + destination(c).target + ": " + errno_words(err));
      } else if (now >= pending_deadline[i]) {
        failed(c, format("connect to %s: no answer within %.1f s", destination(c).target.c_str(), config_.timeout_s));
      } else {
        ++i;
        continue;
      }
      drop(i);
    }
  }
  // Stopped while connecting: what never came up is not an error.
  for (Connection* c : pending_conns) {
    ::close(c->fd);
    c->fd = -1;
  }
  result_.connect_s = static_cast<double>(now_ns() - start) / 1e9;
  alive_ = alive_count();
  result_.established = alive_;
}

unsigned Worker::alive_count() const {
  unsigned n = 0;
  for (const Connection& c : conns_) n += c.alive;
  return n;
}

void Worker::begin(int64_t now) {
  tick(now);
  if (config_.rate > 0 || config_.idle) return;
  for (Connection& c : conns_) refill(c, now);
}

bool Worker::may_issue(int64_t now) const {
  if (phase_ != Phase::warmup && phase_ != Phase::measuring) return false;
  if (now >= timeline_.window_end_ns) return false;
  if (quota_mode() && now >= timeline_.window_start_ns && quota_issued_ >= quota_) return false;
  return !control_.stop_requested();
}

void Worker::issue(Connection& c, int64_t intended, int64_t now) {
  uint32_t size = config_.size_min;
  if (config_.size_max > config_.size_min) size += next_random(c.rng) % (config_.size_max - config_.size_min + 1);
  bool counted = quota_mode() && now >= timeline_.window_start_ns;
  if (counted) ++quota_issued_;
  slot(c, c.count) = InFlight{c.issued + size, intended, now, size, counted};
  c.issued += size;
  ++c.count;
  ++inflight_total_;
  if (!c.dirty) {
    c.dirty = true;
    dirty_.push_back(&c);
  }
}

void Worker::refill(Connection& c, int64_t now) {
  if (!c.alive) return;
  if (config_.rate <= 0) {
    while (c.count < config_.pipeline && may_issue(now)) issue(c, now, now);
    return;
  }
  while (c.owed && c.count < config_.pipeline && may_issue(now)) {
    issue(c, intended_time(c, c.next_k), now);
    ++c.next_k;
    --c.owed;
  }
}

int64_t Worker::intended_time(const Connection& c, uint64_t k) const {
  double j = static_cast<double>(k) * config_.connections + c.id;
  return timeline_.start_ns + static_cast<int64_t>(j * ns_per_message_);
}

void Worker::complete(Connection& c, const InFlight& m, int64_t now) {
  ++completed_total_;
  completed_bytes_total_ += m.size;
  --inflight_total_;
  bool measured = quota_mode() ? m.counted
                               : !measure_ended_ && now >= timeline_.window_start_ns && now < timeline_.window_end_ns;
  if (m.counted) ++quota_completed_;
  if (!measured) return;
  result_.latency.record(now - m.intended_ns);
  if (config_.rate > 0) result_.send_lag.record(m.issued_ns - m.intended_ns);
  ++result_.messages;
  result_.bytes += m.size;
}

void Worker::on_data(Connection& c, const uint8_t* data, size_t n, int64_t now) {
  if (!c.alive) return;
  if (c.received + n > c.submitted) {
    fail(c, &ErrorCounts::mismatch,
         format("connection %u: the server echoed %llu more bytes than were sent", c.id,
                static_cast<unsigned long long>(c.received + n - c.submitted)));
    return;
  }
  const uint8_t* expected = pattern_.at(c.pattern_start, c.received);
  if (std::memcmp(data, expected, n) != 0) {
    size_t i = 0;
    while (data[i] == expected[i]) ++i;
    fail(c, &ErrorCounts::mismatch,
         format("connection %u: echoed byte %llu is 0x%02x but 0x%02x was sent", c.id,
                static_cast<unsigned long long>(c.received + i), data[i], expected[i]));
    return;
  }
  c.received += n;
  result_.verified_bytes += n;
  while (c.count && slot(c, 0).end <= c.received) {
    InFlight m = slot(c, 0);
    c.head = (c.head + 1) % config_.pipeline;
    --c.count;
    complete(c, m, now);
  }
  refill(c, now);
}

void Worker::on_eof(Connection& c) {
  if (!c.alive) return;
  if (c.issued > c.received) {
    fail(c, &ErrorCounts::short_echo,
         format("connection %u: the server closed it with %llu bytes not echoed", c.id,
                static_cast<unsigned long long>(c.issued - c.received)));
  } else {
    fail(c, &ErrorCounts::closed_early, format("connection %u: the server closed it before the run ended", c.id));
  }
}

void Worker::on_socket_error(Connection& c, int err, const char* during) {
  fail(c, &ErrorCounts::reset, format("connection %u: %s during %s", c.id, errno_words(err).c_str(), during));
}

void Worker::fail(Connection& c, uint64_t ErrorCounts::*kind, const std::string& message) {
  if (!c.alive) return;
  ++(result_.errors.*kind);
  if (result_.first_error.empty()) result_.first_error = message;
  c.alive = false;
  --alive_;
  inflight_total_ -= c.count;
  c.count = 0;
  closing_.push_back(&c);
  progress_.errors.fetch_add(1, std::memory_order_relaxed);
}

void Worker::fail_all(const std::string& message) {
  for (Connection& c : conns_) fail(c, &ErrorCounts::reset, message);
  phase_ = Phase::done;
}

// Open loop: messages due by `now` that the bounded crediting never reached (alive connections only).
uint64_t Worker::uncredited_due(int64_t now) const {
  if (config_.rate <= 0 || now < timeline_.start_ns) return 0;
  const double last = std::floor(static_cast<double>(now - timeline_.start_ns) / ns_per_message_);
  const double n = static_cast<double>(config_.connections);
  uint64_t total = 0;
  for (const Connection& c : conns_) {
    if (!c.alive || last < c.id) continue;
    double due = std::floor((last - c.id) / n) + 1;
    double credited = static_cast<double>(schedule_k_ + (c.local < schedule_i_ ? 1 : 0));
    if (due > credited) total += static_cast<uint64_t>(due - credited);
  }
  return total;
}

void Worker::enter_draining(int64_t now) {
  phase_ = Phase::draining;
  drain_deadline_ns_ = now + timeout_ns_;
  result_.backlog_at_end += uncredited_due(std::min(now, timeline_.window_end_ns));
  for (Connection& c : conns_) {
    if (c.alive) result_.backlog_at_end += c.owed;
    c.owed = 0;
  }
  if (!quota_mode()) end_measurement(now);
}

void Worker::end_measurement(int64_t now) {
  if (measure_ended_) return;
  measure_ended_ = true;
  if (measuring_) {
    measure_end_ns_ = std::min(now, timeline_.window_end_ns);
    result_.client_cpu_s = static_cast<double>(thread_cpu_ns() - cpu_start_ns_) / 1e9;
  } else {
    measure_end_ns_ = 0;  // never reached the window
  }
  control_.measured_done();
}

void Worker::check_timeouts(int64_t now) {
  for (Connection& c : conns_) {
    if (!c.alive || !c.count) continue;
    const InFlight& oldest = slot(c, 0);
    if (now - oldest.issued_ns <= timeout_ns_) continue;
    fail(c, &ErrorCounts::timeout,
         format("connection %u: no echo for %.1f s (%llu bytes sent, %llu echoed)", c.id, config_.timeout_s,
                static_cast<unsigned long long>(c.submitted), static_cast<unsigned long long>(c.received)));
  }
}

int64_t Worker::tick(int64_t now) {
  if (phase_ == Phase::done) return now;
  const bool loading = phase_ == Phase::warmup || phase_ == Phase::measuring;
  if (loading && !measuring_ && now >= timeline_.window_start_ns) {
    measuring_ = true;
    phase_ = Phase::measuring;
    cpu_start_ns_ = thread_cpu_ns();
  }
  if (phase_ == Phase::warmup || phase_ == Phase::measuring) {
    if (control_.stop_requested() || now >= timeline_.window_end_ns ||
        (quota_mode() && measuring_ && quota_issued_ >= quota_))
      enter_draining(now);
  }
  if (config_.rate > 0 && (phase_ == Phase::warmup || phase_ == Phase::measuring)) {
    // Credit every message that has come due to its connection, in schedule order; at most a bounded
    // number per tick, so that a rate far beyond what the client can send cannot hold the loop (and a
    // stop request) forever: what is left is credited on later ticks or counted as backlog at the end.
    const size_t most = conns_.size() + kMaxCreditsPerTick;
    for (size_t credited = 0; credited < most; ++credited) {
      Connection& c = conns_[schedule_i_];
      if (intended_time(c, schedule_k_) > now) break;
      if (c.alive) {
        ++c.owed;
        refill(c, now);
      }
      if (++schedule_i_ == conns_.size()) {
        schedule_i_ = 0;
        ++schedule_k_;
      }
    }
  }
  if (now >= next_timeout_check_ns_) {
    check_timeouts(now);
    next_timeout_check_ns_ = now + std::min<int64_t>(timeout_ns_ / 4, 100000000);
  }
  if (phase_ == Phase::draining && (inflight_total_ == 0 || now >= drain_deadline_ns_)) {
    if (inflight_total_) check_timeouts(INT64_MAX / 2);
    phase_ = Phase::done;
  }
  if (alive_ == 0) phase_ = Phase::done;
  if (phase_ == Phase::done) end_measurement(now);
  publish_progress();

  int64_t next = next_timeout_check_ns_;
  if (phase_ == Phase::warmup) next = std::min(next, timeline_.window_start_ns);
  if (phase_ == Phase::warmup || phase_ == Phase::measuring) {
    next = std::min(next, timeline_.window_end_ns);
    // Wake for the schedule at most every kOpenLoopTickNs: a timer per message costs more than the message.
    if (config_.rate > 0) next = std::min(next, std::max(intended_time(conns_[schedule_i_], schedule_k_), now + kOpenLoopTickNs));
  }
  if (phase_ == Phase::draining) next = std::min(next, drain_deadline_ns_);
  return next;
}

void Worker::publish_progress() {
  progress_.messages.store(completed_total_, std::memory_order_relaxed);
  progress_.bytes.store(completed_bytes_total_, std::memory_order_relaxed);
}

}  // namespace bench
