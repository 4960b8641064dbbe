// The echo server's engine interface: start(config) on native threads, a stats snapshot at any time,
// stop(grace) that wakes, drains, joins and releases everything. One implementation per backend.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "echo/counters.h"

namespace echo {

enum class Backend { io_uring, epoll };

// io_uring techniques that can be switched off (for measuring what each one buys, and for testing the
// fallbacks on a kernel that has them all). The engine still decides from the kernel what it can use.
struct UringTechniques {
  bool defer_taskrun = true;     // SINGLE_ISSUER|DEFER_TASKRUN (else COOP_TASKRUN)
  bool coop_taskrun = true;      // COOP_TASKRUN|TASKRUN_FLAG when DEFER_TASKRUN is off or missing
  bool registered_ring = true;   // IORING_REGISTER_RING_FDS
  bool multishot_accept = true;
  bool multishot_recv = true;
  bool buffer_ring = true;       // provided buffer ring; off means a private buffer per connection
  bool bundle = true;            // recv bundles: one CQE for several buffers
  bool sendmsg_batch = true;     // several queued buffers leave in one sendmsg
  bool sqpoll = false;           // only when asked
};

struct Config {
  Backend backend = Backend::io_uring;
  std::string host = "0.0.0.0";  // numeric IPv4 or IPv6 (optionally %scope)
  uint16_t port = 8080;
  unsigned threads = 1;
  bool pin = false;
  unsigned max_conns = 0;         // 0: unlimited (the fd limit decides)
  unsigned idle_timeout_ms = 0;   // 0: never
  unsigned buffer_size = 16384;   // bytes per receive buffer
  unsigned buffer_count = 1024;   // provided buffers per thread (power of two)
  unsigned max_pending = 1 << 20; // bytes held per connection before reads pause
  unsigned backlog = 4096;
  // Share the port with other processes' SO_REUSEPORT listeners (--reuse-port) instead of refusing a held port.
  bool share_port = false;
  // io_uring: once a wait has begun, how long it may wait for a batch of completions before handling
  // fewer (IORING_FEAT_MIN_TIMEOUT). 0: handle every completion as soon as it arrives.
  unsigned batch_wait_us = 0;
  bool epoll_edge_triggered = false;
  UringTechniques uring;
};

// Why start() failed: the errno and the step that produced it, so the CLI can name the fix.
struct StartError {
  int err = 0;
  std::string stage;  // "address", "socket", "bind", "listen", "ring", "buffers", "thread"
  std::string detail;
};

struct Snapshot {
  Totals totals;
  struct Thread {
    Totals counters;
    bool failed = false;  // gave up on an exception
  };
  std::vector<Thread> per_thread;  // by thread index; the counters sum to totals
  uint64_t threads_running = 0;
  uint64_t threads_failed = 0;  // engine threads that gave up on an exception (their clients are gone)
};

class Engine {
 public:
  virtual ~Engine() = default;
  // Binds the listeners and starts the threads. Returns false with `error` filled on failure, with
  // everything already released.
  virtual bool start(const Config& config, StartError& error) = 0;
  // Summed over threads (and per thread); safe to call from any thread while running and after stop.
  virtual Snapshot snapshot() const = 0;
  // Stops accepting, lets pending echoes finish for up to grace_ms, closes everything, joins.
  virtual void stop(unsigned grace_ms) = 0;
  // While stop() waits out its grace period (from any thread): end it now, closing what is still
  // pending (counted as aborted).
  virtual void end_grace() = 0;

  virtual std::string backend_name() const = 0;
  // Techniques in use, decided at start from what the kernel reports.
  virtual std::vector<std::string> features() const = 0;
  virtual std::string bound_host() const = 0;
  virtual uint16_t bound_port() const = 0;
  virtual unsigned thread_count() const = 0;
};

std::unique_ptr<Engine> make_engine(Backend backend);

}  // namespace echo
