#include "echo/threaded_engine.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

namespace echo {

std::unique_ptr<Engine> make_engine(Backend backend) {
  return backend == Backend::epoll ? make_epoll_engine() : make_uring_engine();
}

ThreadedEngine::~ThreadedEngine() { stop(0); }

bool ThreadedEngine::start(const Config& config, StartError& error) {
  config_ = config;
  if (config_.threads == 0) config_.threads = 1;
  Address address;
  if (!parse_address(config.host, config.port, address)) {
    error = {EINVAL, "address", config.host};
    return false;
  }
  if (!prepare(config_, error)) return false;

  std::vector<int> listeners;
  if (!open_listeners(address, config_.threads, config_.backlog, listeners, error)) return false;
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(listeners[0], reinterpret_cast<sockaddr*>(&bound), &length);
  host_ = format_host(bound);
  port_ = port_of(bound);

  std::vector<int> cpus = config_.pin ? allowed_cpus() : std::vector<int>{};
  for (unsigned i = 0; i < config_.threads; ++i) {
    auto worker = std::make_unique<Worker>();
    worker->index = i;
    worker->listen_fd = listeners[i];
    worker->cpu = cpus.empty() ? -1 : cpus[i % cpus.size()];
    worker->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (worker->wake_fd < 0) {
      error = {errno, "eventfd", ""};
      for (unsigned j = i; j < listeners.size(); ++j) close(listeners[j]);
      stop(0);
      return false;
    }
    workers_.push_back(std::move(worker));
  }
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    w->thread = std::thread([this, w] {
      if (w->cpu >= 0) pin_current_thread(w->cpu);
      serve(*w);
    });
  }

  std::unique_lock<std::mutex> lock(ready_mutex_);
  ready_cv_.wait(lock, [this] { return ready_count_ == workers_.size(); });
  if (ready_err_) {
    error = {ready_err_, ready_stage_, ""};
    lock.unlock();
    stop(0);
    return false;
  }
  return true;
}

void ThreadedEngine::ready(Worker& worker, int err, const char* stage) {
  std::lock_guard<std::mutex> lock(ready_mutex_);
  if (err && !ready_err_) {
    ready_err_ = -err;
    ready_stage_ = stage;
    // A sibling failed to set up: the rest must not wait for a stop() that start() will make anyway.
  }
  ++ready_count_;
  ready_cv_.notify_all();
}

Snapshot ThreadedEngine::snapshot() const {
  Snapshot s;
  for (const auto& worker : workers_) s.totals.add(worker->counters);
  s.threads_running = stopped_.load() ? 0 : workers_.size();
  return s;
}

void ThreadedEngine::stop(unsigned grace_ms) {
  if (stopped_.exchange(true)) return;
  grace_ms_.store(grace_ms, std::memory_order_release);
  stopping_.store(true, std::memory_order_release);
  for (auto& worker : workers_) {
    uint64_t one = 1;
    if (worker->wake_fd >= 0) (void)!write(worker->wake_fd, &one, sizeof(one));
  }
  join_all();
}

void ThreadedEngine::join_all() {
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
    if (worker->wake_fd >= 0) close(worker->wake_fd);
    worker->wake_fd = -1;
  }
}

}  // namespace echo
