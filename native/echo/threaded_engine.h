// What both backends share: the listeners, one thread per listener (optionally pinned), a wake-up
// eventfd per thread, start-up that reports a thread's setup failure synchronously, and stop/join.
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "echo/engine.h"
#include "echo/listener.h"

namespace echo {

// Accept backoff after EMFILE/ENFILE (or any accept failure): doubles from first to max.
constexpr unsigned kAcceptBackoffFirstMs = 10;
constexpr unsigned kAcceptBackoffMaxMs = 1000;

class ThreadedEngine : public Engine {
 public:
  ~ThreadedEngine() override;
  bool start(const Config& config, StartError& error) override;
  Snapshot snapshot() const override;
  void stop(unsigned grace_ms) override;
  void end_grace() override;
  std::string bound_host() const override { return host_; }
  uint16_t bound_port() const override { return port_; }
  unsigned thread_count() const override { return static_cast<unsigned>(workers_.size()); }

  struct Worker {
    unsigned index = 0;
    int listen_fd = -1;
    int wake_fd = -1;  // eventfd: written by stop() and end_grace(); the thread reads it empty
    int cpu = -1;      // pinned CPU, or -1
    Counters counters;
    std::thread thread;
    bool readied = false;             // ready() was called (under ready_mutex_)
    std::atomic<bool> gave_up{false}; // the thread ended on an exception it could not handle
  };

  // For the engine's threads.
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  // The grace period a drain still gives pending echoes: 0 once end_grace() ended it.
  unsigned grace_ms() const { return grace_ended() ? 0 : grace_ms_.load(std::memory_order_acquire); }
  bool grace_ended() const { return grace_ended_.load(std::memory_order_acquire); }
  // A wake-up came (the thread's eventfd was readable): reads it empty, so a level-triggered watch
  // does not report it again.
  static void drain_wake(int wake_fd);
  // --max-conns across all threads: false means refuse this connection.
  bool admit_connection() {
    if (!config_.max_conns) return true;
    if (open_connections_.fetch_add(1, std::memory_order_relaxed) < config_.max_conns) return true;
    open_connections_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  void connection_closed() {
    if (config_.max_conns) open_connections_.fetch_sub(1, std::memory_order_relaxed);
  }

 protected:

  // Checks what the backend needs before any thread starts (e.g. which io_uring features exist).
  virtual bool prepare(const Config& config, StartError& error) { return true; }
  // The thread body. Calls ready(worker, 0) once set up (or ready(worker, -errno) and returns), then
  // serves until stopping() and everything is closed. Owns and closes worker.listen_fd.
  virtual void serve(Worker& worker) = 0;

  void ready(Worker& worker, int err, const char* stage = "");

  Config config_;

 private:
  void join_all();
  void wake_all();  // under wake_mutex_
  void run_worker(Worker& worker);

  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> stopping_{false};
  std::atomic<unsigned> grace_ms_{0};
  std::atomic<bool> grace_ended_{false};
  std::mutex wake_mutex_;  // end_grace() may write a wake_fd while join_all() closes it
  std::atomic<long long> open_connections_{0};
  std::string host_;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};

  std::mutex ready_mutex_;
  std::condition_variable ready_cv_;
  unsigned ready_count_ = 0;
  int ready_err_ = 0;
  std::string ready_stage_;
};

std::unique_ptr<Engine> make_uring_engine();
std::unique_ptr<Engine> make_epoll_engine();

}  // namespace echo
