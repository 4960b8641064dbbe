// One load run: splits the connections over worker threads, opens the start gate once every worker
// has connected, marks the measured window (reading the server's CPU time at its edges), and merges
// what the workers found into one result.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "config.h"
#include "control.h"
#include "payload.h"
#include "worker.h"

namespace bench {

struct RunProgress {
  Phase phase;
  double elapsed_s;  // since load started (0 while connecting)
  uint64_t messages; // echoed and verified so far, warmup included
  uint64_t bytes;
  uint64_t errors;
  uint64_t connected; // connections up so far
};

class BenchRun {
 public:
  explicit BenchRun(BenchConfig config);
  ~BenchRun();
  BenchRun(const BenchRun&) = delete;
  BenchRun& operator=(const BenchRun&) = delete;

  // Starts the run on its own threads; `on_done` is called once, from the coordinator thread, at the end.
  void start(std::function<void()> on_done);
  void request_stop() { control_.request_stop(); }
  RunProgress progress() const;
  // Valid once on_done has been called.
  const BenchResult& result() const { return result_; }

 private:
  void coordinate();
  void merge(int64_t window_start_ns);

  BenchConfig config_;
  PayloadPattern pattern_;
  RunControl control_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::thread coordinator_;
  std::atomic<int64_t> start_ns_{0};
  std::atomic<int> failed_errno_{0};  // a worker thread gave up on an exception
  BenchResult result_;
  std::function<void()> on_done_;
};

// utime + stime of a whole process (all its threads) from /proc/PID/stat, in seconds; -1 if unreadable.
double process_cpu_seconds(int pid);
// VmRSS of a process from /proc/PID/status, in bytes; -1 if unreadable.
double process_rss_bytes(int pid);
// The server's RSS and the kernel's socket and memory figures now.
HostSnapshot snapshot(int server_pid);

}  // namespace bench
