#include "echo/threaded_engine.h"

#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <new>
#include <system_error>

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
  // Address problems first: they are the user's to fix whatever the backend.
  std::vector<int> listeners;
  if (!open_listeners(address, config_.threads, config_.backlog, config_.share_port, listeners, error)) return false;
  if (!prepare(config_, error)) {
    for (int fd : listeners) close(fd);
    return false;
  }
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
  // Thread creation fails with EAGAIN under RLIMIT_NPROC or the kernel's thread limits: the threads
  // already running are stopped, the listeners of the rest closed, and start() reports stage "thread".
  size_t started = 0;
  int thread_err = 0;
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    try {
      w->thread = std::thread([this, w] { run_worker(*w); });
      ++started;
    } catch (const std::system_error& e) {
      thread_err = e.code().value() ? e.code().value() : EAGAIN;
      break;
    }
  }
  for (size_t i = started; i < workers_.size(); ++i) {
    close(workers_[i]->listen_fd);
    workers_[i]->listen_fd = -1;
  }

  std::unique_lock<std::mutex> lock(ready_mutex_);
  ready_cv_.wait(lock, [this, started] { return ready_count_ == started; });
  if (thread_err && !ready_err_) {
    ready_err_ = thread_err;
    ready_stage_ = "thread";
  }
  if (ready_err_) {
    error = {ready_err_, ready_stage_, thread_err ? std::to_string(started) + " of " + std::to_string(workers_.size()) + " threads started" : ""};
    lock.unlock();
    stop(0);
    return false;
  }
  return true;
}

// The thread body around serve(): no exception may end an engine thread unseen. One that escapes
// serve() is counted (threads_failed, in the stats and the summary), and fails start() if it came first.
void ThreadedEngine::run_worker(Worker& w) {
  int err = 0;
  try {
    // Named for top -H / ps -L: "echo-io_uring-0", "echo-epoll-1" (the kernel keeps 15 characters).
    std::string name = "echo-" + backend_name() + "-" + std::to_string(w.index);
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    if (w.cpu >= 0) pin_current_thread(w.cpu);
    serve(w);
    return;
  } catch (const std::bad_alloc&) {
    err = ENOMEM;
  } catch (const std::system_error& e) {
    err = e.code().value() ? e.code().value() : EIO;
  } catch (...) {
    err = EIO;
  }
  w.counters.last_errno.store(err, std::memory_order_relaxed);
  w.gave_up.store(true, std::memory_order_release);
  bool readied;
  {
    std::lock_guard<std::mutex> lock(ready_mutex_);
    readied = w.readied;
  }
  if (!readied) ready(w, -err, "thread");
}

void ThreadedEngine::ready(Worker& worker, int err, const char* stage) {
  std::lock_guard<std::mutex> lock(ready_mutex_);
  worker.readied = true;
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
  s.per_thread.reserve(workers_.size());
  for (const auto& worker : workers_) {
    Snapshot::Thread thread;
    thread.counters.add(worker->counters);  // each counter read once, so the totals are the threads' sum
    thread.failed = worker->gave_up.load(std::memory_order_acquire);
    s.totals.add(thread.counters);
    if (thread.failed) ++s.threads_failed;
    s.per_thread.push_back(thread);
  }
  s.threads_running = stopped_.load() ? 0 : workers_.size() - s.threads_failed;
  return s;
}

void ThreadedEngine::stop(unsigned grace_ms) {
  if (stopped_.exchange(true)) return;
  grace_ms_.store(grace_ms, std::memory_order_release);
  stopping_.store(true, std::memory_order_release);
  {
    std::lock_guard lock(wake_mutex_);
    wake_all();
  }
  join_all();
}

void ThreadedEngine::end_grace() {
  std::lock_guard lock(wake_mutex_);
  if (grace_ended_.exchange(true)) return;
  // Before stop() has begun its wake-ups, the threads see the ended grace when they begin to drain.
  if (stopping()) wake_all();
}

void ThreadedEngine::wake_all() {
  for (auto& worker : workers_) {
    uint64_t one = 1;
    if (worker->wake_fd >= 0) (void)!write(worker->wake_fd, &one, sizeof(one));
  }
}

void ThreadedEngine::drain_wake(int wake_fd) {
  uint64_t count;
  while (read(wake_fd, &count, sizeof(count)) == static_cast<ssize_t>(sizeof(count))) {
  }
}

void ThreadedEngine::join_all() {
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
    std::lock_guard lock(wake_mutex_);
    if (worker->wake_fd >= 0) close(worker->wake_fd);
    worker->wake_fd = -1;
  }
}

}  // namespace echo
