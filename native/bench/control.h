// What the coordinator and its workers share while a run is under way: the timeline, published once
// before the start gate opens, the stop request, and the counters the progress line reads.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>

namespace bench {

enum class Phase : int { connecting = 0, warmup, measuring, draining, done };

struct Timeline {
  int64_t start_ns = 0;         // load starts (warmup begins)
  int64_t window_start_ns = 0;  // measurement starts
  int64_t window_end_ns = std::numeric_limits<int64_t>::max();  // duration mode only
};

class RunControl {
 public:
  // Workers: report how many connections came up, then block until the coordinator opens the gate.
  // Returns false when the run is abandoned (no connection anywhere, or stop requested).
  bool connected_then_wait(unsigned established) {
    std::unique_lock lock(mutex_);
    established_ += established;
    ++connected_workers_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return gate_open_ || abandoned_; });
    return !abandoned_;
  }
  // Coordinator: wait for every worker's connect phase, or a stop (a worker that failed before it could
  // report asks for one: waiting for its report would wait forever); returns the total established.
  unsigned wait_connected(unsigned workers) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return connected_workers_ == workers || stop_.load(std::memory_order_relaxed); });
    return established_;
  }
  void open_gate(const Timeline& t) {
    std::lock_guard lock(mutex_);
    timeline_ = t;
    gate_open_ = true;
    changed_.notify_all();
  }
  void abandon() {
    std::lock_guard lock(mutex_);
    abandoned_ = true;
    changed_.notify_all();
  }
  const Timeline& timeline() const { return timeline_; }  // valid once the gate is open

  // Workers: their measured window is over (count reached, window ended, or all connections gone).
  void measured_done() {
    std::lock_guard lock(mutex_);
    ++measured_workers_;
    changed_.notify_all();
  }
  // Coordinator: sleep until `deadline_ns` (CLOCK_MONOTONIC), a stop request, or every worker done measuring.
  template <typename Clock>
  void wait_window(unsigned workers, int64_t deadline_ns, Clock now_ns) {
    std::unique_lock lock(mutex_);
    while (measured_workers_ < workers && !stop_.load(std::memory_order_relaxed)) {
      int64_t left = deadline_ns - now_ns();
      if (left <= 0) break;
      // Bounded slices: a stop request is a plain flag, so look at it at least every 50 ms.
      changed_.wait_for(lock, std::chrono::nanoseconds(std::min<int64_t>(left, 50000000)));
    }
  }

  void request_stop() {
    stop_.store(true, std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    changed_.notify_all();
  }
  bool stop_requested() const { return stop_.load(std::memory_order_relaxed); }

  std::atomic<int> phase{static_cast<int>(Phase::connecting)};

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  unsigned established_ = 0;
  unsigned connected_workers_ = 0;
  unsigned measured_workers_ = 0;
  bool gate_open_ = false;
  bool abandoned_ = false;
  Timeline timeline_;
  std::atomic<bool> stop_{false};
};

}  // namespace bench
