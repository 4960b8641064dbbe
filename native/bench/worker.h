// One load-generator thread's connections and the logic both I/O engines share: which message is due,
// what each echoed byte must be, when a message is complete, and what counts as an error. The engines
// (epoll_engine.cc, uring_engine.cc) only move bytes and report what the kernel said.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "config.h"
#include "control.h"
#include "histogram.h"
#include "payload.h"

namespace bench {

struct InFlight {
  uint64_t end;         // stream offset just past the message's last byte
  int64_t intended_ns;  // when it was due: latency is measured from here (no coordinated omission)
  int64_t issued_ns;    // when it was handed to the socket: the echo timeout runs from here
  uint32_t size;
  bool counted;         // --messages mode: part of the measured count
};

struct Connection {
  int fd = -1;
  uint32_t id = 0;             // across the whole run
  uint32_t local = 0;          // index in its worker
  uint32_t pattern_start = 0;
  bool alive = false;
  bool dirty = false;          // queued for the engine to send
  bool send_in_flight = false; // io_uring: one send at a time keeps the byte stream in order
  bool want_write = false;     // epoll: EPOLLOUT armed
  uint32_t send_len = 0;       // io_uring: length of the send in flight
  uint64_t issued = 0;         // stream bytes assigned to messages
  uint64_t submitted = 0;      // stream bytes handed to the kernel
  uint64_t received = 0;       // stream bytes echoed back and verified
  uint32_t head = 0, count = 0;  // in-flight messages: a ring of `pipeline` slots in the worker
  uint64_t next_k = 0;         // open loop: number of this connection's next message
  uint64_t owed = 0;           // open loop: messages due but not yet issued (window full)
  uint64_t rng = 0;            // message sizes
};

// Counters the coordinator reads for the progress line while the run goes on.
struct WorkerProgress {
  std::atomic<uint64_t> messages{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> connected{0};
};

class Worker {
 public:
  // Open loop: the schedule's wake-up granularity; sends made late by it count in their latency.
  static constexpr int64_t kOpenLoopTickNs = 50000;
  // Open loop: due messages credited per tick beyond one per connection (see tick()).
  static constexpr size_t kMaxCreditsPerTick = 4096;

  Worker(const BenchConfig& config, const PayloadPattern& pattern, RunControl& control, unsigned index,
         unsigned first_id, unsigned count, uint64_t quota);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The thread body: pin, connect, wait for the gate, run the engine, close everything.
  void run();

  // --- for the engines ---
  std::vector<Connection>& connections() { return conns_; }
  const PayloadPattern& pattern() const { return pattern_; }
  const BenchConfig& config() const { return config_; }
  // Called once when load starts: closed loop fills every connection's pipeline.
  void begin(int64_t now);
  // Phase changes, open-loop schedule, echo timeouts; returns when the engine must look again.
  int64_t tick(int64_t now);
  bool finished() const { return phase_ == Phase::done; }
  void on_data(Connection& c, const uint8_t* data, size_t n, int64_t now);
  void on_eof(Connection& c);
  void on_socket_error(Connection& c, int err, const char* during);
  // Connections with bytes to send, and connections the engine must close (already marked dead).
  std::vector<Connection*>& dirty() { return dirty_; }
  std::vector<Connection*>& closing() { return closing_; }
  void count_buffer_stall() { ++result_.buffer_stalls; }
  void count_wait() { result_.waits += measuring_ && !measure_ended_; }
  // A fatal engine failure (ring setup): every connection fails with this message.
  void fail_all(const std::string& message);

  BenchResult& result() { return result_; }
  WorkerProgress& progress() { return progress_; }
  int64_t measure_end_ns() const { return measure_end_ns_; }

 private:
  void connect_all();
  void issue(Connection& c, int64_t intended, int64_t now);
  void refill(Connection& c, int64_t now);
  bool may_issue(int64_t now) const;
  void complete(Connection& c, const InFlight& m, int64_t now);
  void fail(Connection& c, uint64_t ErrorCounts::*kind, const std::string& message);
  void enter_draining(int64_t now);
  uint64_t uncredited_due(int64_t now) const;
  void end_measurement(int64_t now);
  void check_timeouts(int64_t now);
  int64_t intended_time(const Connection& c, uint64_t k) const;
  void publish_progress();
  unsigned alive_count() const;
  bool quota_mode() const { return config_.messages > 0; }
  InFlight& slot(Connection& c, uint32_t i) { return inflight_[c.local * config_.pipeline + (c.head + i) % config_.pipeline]; }

  const BenchConfig& config_;
  const PayloadPattern& pattern_;
  RunControl& control_;
  unsigned index_;
  std::vector<Connection> conns_;
  std::vector<InFlight> inflight_;
  std::vector<Connection*> dirty_;
  std::vector<Connection*> closing_;
  BenchResult result_;
  WorkerProgress progress_;
  uint64_t completed_total_ = 0, completed_bytes_total_ = 0;
  unsigned alive_ = 0;
  uint64_t inflight_total_ = 0;  // messages in flight over all live connections

  Timeline timeline_;
  Phase phase_ = Phase::connecting;
  bool measuring_ = false;       // inside the measured window
  bool measure_ended_ = false;
  int64_t cpu_start_ns_ = 0;
  int64_t measure_end_ns_ = 0;
  int64_t drain_deadline_ns_ = 0;
  int64_t next_timeout_check_ns_ = 0;
  int64_t timeout_ns_;
  uint64_t quota_;               // --messages mode: measured messages this worker issues (0: duration mode)
  uint64_t quota_issued_ = 0;
  uint64_t quota_completed_ = 0;
  // Open loop: message j of the run is due at start + j / rate; connection id gets j = k * connections + id.
  double ns_per_message_ = 0;
  uint64_t schedule_k_ = 0;      // next due message not yet credited: round k, this worker's connection at schedule_i_
  uint32_t schedule_i_ = 0;
};

// The engines: each runs the worker's connections until the worker is finished, then closes them.
void run_epoll_engine(Worker& worker);
void run_uring_engine(Worker& worker);
// Whether this kernel has what the io_uring client needs (multishot recv with a provided buffer ring);
// empty when it does, else the reason in words.
std::string uring_client_unsupported_reason();

}  // namespace bench
