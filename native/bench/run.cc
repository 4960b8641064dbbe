#include "run.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <new>
#include <system_error>

#include "clock.h"

namespace bench {

BenchRun::BenchRun(BenchConfig config) : config_(std::move(config)), pattern_(0x75726e67) {
  config_.threads = std::max(1u, std::min(config_.threads, config_.connections));
  const unsigned t = config_.threads;
  unsigned first = 0;
  for (unsigned i = 0; i < t; ++i) {
    unsigned count = config_.connections / t + (i < config_.connections % t ? 1 : 0);
    uint64_t quota = config_.messages / t + (i < config_.messages % t ? 1 : 0);
    workers_.push_back(std::make_unique<Worker>(config_, pattern_, control_, i, first, count, quota));
    first += count;
  }
  result_.backend = config_.backend;
  result_.established_per_destination.assign(config_.destinations.size(), 0);
}

BenchRun::~BenchRun() {
  control_.request_stop();
  if (coordinator_.joinable()) coordinator_.join();
}

// An exception's errno: a thread that could not be created (EAGAIN under RLIMIT_NPROC), memory, other.
static int errno_of(std::exception_ptr caught) {
  try {
    std::rethrow_exception(caught);
  } catch (const std::system_error& e) {
    return e.code().value() ? e.code().value() : EIO;
  } catch (const std::bad_alloc&) {
    return ENOMEM;
  } catch (...) {
    return EIO;
  }
}

void BenchRun::start(std::function<void()> on_done) {
  on_done_ = std::move(on_done);
  try {
    coordinator_ = std::thread([this] {
      try {
        coordinate();
      } catch (...) {
        // The run cannot go on: stop what runs, and still report once, with the reason.
        result_.thread_error = errno_of(std::current_exception());
        control_.request_stop();
        control_.abandon();
        for (auto& th : threads_)
          if (th.joinable()) th.join();
        control_.phase.store(static_cast<int>(Phase::done));
        on_done_();
      }
    });
  } catch (const std::system_error& e) {
    result_.thread_error = e.code().value() ? e.code().value() : EAGAIN;
    control_.phase.store(static_cast<int>(Phase::done));
    on_done_();
  }
}

RunProgress BenchRun::progress() const {
  RunProgress p{static_cast<Phase>(control_.phase.load(std::memory_order_relaxed)), 0, 0, 0, 0, 0};
  int64_t start = start_ns_.load(std::memory_order_relaxed);
  if (start) p.elapsed_s = static_cast<double>(now_ns() - start) / 1e9;
  for (const auto& w : workers_) {
    WorkerProgress& wp = w->progress();
    p.messages += wp.messages.load(std::memory_order_relaxed);
    p.bytes += wp.bytes.load(std::memory_order_relaxed);
    p.errors += wp.errors.load(std::memory_order_relaxed);
    p.connected += wp.connected.load(std::memory_order_relaxed);
  }
  return p;
}

void BenchRun::coordinate() {
  result_.before = snapshot(config_.server_pid);
  unsigned t = static_cast<unsigned>(workers_.size());
  // A worker that cannot be created ends the run before it starts: those already running are abandoned.
  for (auto& w : workers_) {
    try {
      threads_.emplace_back([this, worker = w.get()] {
        try {
          worker->run();
        } catch (...) {
          failed_errno_.store(errno_of(std::current_exception()));
          control_.request_stop();
        }
      });
    } catch (const std::system_error& e) {
      result_.thread_error = e.code().value() ? e.code().value() : EAGAIN;
      t = static_cast<unsigned>(threads_.size());
      break;
    }
  }
  result_.threads_started = t;
  unsigned established = control_.wait_connected(t);
  if (established == 0 || control_.stop_requested() || result_.thread_error) {
    control_.abandon();
    for (auto& th : threads_) th.join();
    result_.aborted_before_start = established == 0 && !result_.thread_error && !control_.stop_requested();
    if (!result_.thread_error) result_.thread_error = failed_errno_.load();
    merge(0);
    result_.stopped = control_.stop_requested();
    control_.phase.store(static_cast<int>(Phase::done));
    on_done_();
    return;
  }

  Timeline timeline;
  timeline.start_ns = now_ns();
  timeline.window_start_ns = timeline.start_ns + seconds_to_ns(config_.warmup_s);
  if (config_.duration_s > 0) timeline.window_end_ns = timeline.window_start_ns + seconds_to_ns(config_.duration_s);
  control_.phase.store(static_cast<int>(config_.warmup_s > 0 ? Phase::warmup : Phase::measuring));
  start_ns_.store(timeline.start_ns);
  control_.open_gate(timeline);

  control_.wait_window(t, timeline.window_start_ns, now_ns);
  double server_cpu_start = config_.server_pid > 0 ? process_cpu_seconds(config_.server_pid) : -1;
  control_.phase.store(static_cast<int>(Phase::measuring));
  control_.wait_window(t, timeline.window_end_ns, now_ns);
  double server_cpu_end = config_.server_pid > 0 ? process_cpu_seconds(config_.server_pid) : -1;
  result_.held = snapshot(config_.server_pid);
  control_.phase.store(static_cast<int>(Phase::draining));
  for (auto& th : threads_) th.join();

  merge(timeline.window_start_ns);
  result_.thread_error = failed_errno_.load();
  if (server_cpu_start >= 0 && server_cpu_end >= 0) result_.server_cpu_s = server_cpu_end - server_cpu_start;
  result_.stopped = control_.stop_requested();
  control_.phase.store(static_cast<int>(Phase::done));
  on_done_();
}

void BenchRun::merge(int64_t window_start_ns) {
  int64_t window_end = 0;
  for (auto& w : workers_) {
    const BenchResult& r = w->result();
    result_.messages += r.messages;
    result_.bytes += r.bytes;
    result_.verified_bytes += r.verified_bytes;
    result_.latency.merge(r.latency);
    result_.send_lag.merge(r.send_lag);
    result_.established += r.established;
    for (size_t i = 0; i < r.established_per_destination.size() && i < result_.established_per_destination.size(); ++i)
      result_.established_per_destination[i] += r.established_per_destination[i];
    result_.connect_s = std::max(result_.connect_s, r.connect_s);
    result_.alive_at_end += r.alive_at_end;
    result_.errors.add(r.errors);
    result_.client_cpu_s += r.client_cpu_s;
    result_.backlog_at_end += r.backlog_at_end;
    result_.buffer_stalls += r.buffer_stalls;
    result_.waits += r.waits;
    if (result_.first_error.empty()) result_.first_error = r.first_error;
    window_end = std::max(window_end, w->measure_end_ns());
  }
  if (window_start_ns && window_end > window_start_ns)
    result_.window_s = static_cast<double>(window_end - window_start_ns) / 1e9;
}

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

double process_rss_bytes(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) * 1024;  // "VmRSS:   1234 kB"
  }
  return -1;
}

HostSnapshot snapshot(int server_pid) {
  HostSnapshot s;
  if (server_pid > 0) s.server_rss_bytes = process_rss_bytes(server_pid);
  s.sockstat = read_text("/proc/net/sockstat");
  s.meminfo = read_text("/proc/meminfo");
  return s;
}

double process_cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return -1;
  // The command name (field 2) may hold spaces and parentheses: fields are counted from the last ')'.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace bench
