// What one load run is asked to do and what it found: plain structs shared by the coordinator, the
// workers and the N-API surface.
#pragma once
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "histogram.h"

namespace bench {

enum class ClientBackend { io_uring, epoll };

// One address connections go to; connection i goes to destinations[i % size].
struct Destination {
  sockaddr_storage address{};
  socklen_t address_len = 0;
  std::string target;            // "host:port" for messages
};

struct BenchConfig {
  std::vector<Destination> destinations;
  unsigned connections = 50;
  double connect_rate = 0;       // new connections per second over all threads (0: all at once)
  unsigned size_min = 128;       // message bytes; a random size in [min, max] per message
  unsigned size_max = 128;
  unsigned pipeline = 1;         // messages in flight per connection
  double duration_s = 10;        // measured window; <= 0 with messages > 0: until the count is done
  uint64_t messages = 0;         // measured messages to complete (0: run for duration_s)
  double warmup_s = 1;
  unsigned threads = 1;
  double rate = 0;               // open loop: messages/s over all connections (0: closed loop)
  bool idle = false;             // hold the connections open and send nothing (--message-rate 0)
  std::vector<int> pin_cpus;     // worker i runs on pin_cpus[i % size]; empty: not pinned
  double timeout_s = 5;          // connect, per-echo and final drain bound
  ClientBackend backend = ClientBackend::io_uring;
  int server_pid = 0;            // > 0: read its CPU time at the window's edges
};

// Why connections ended badly; each kind has its own exit code on the JS side.
struct ErrorCounts {
  uint64_t connect = 0;      // could not connect (refused, unreachable, timed out)
  uint64_t mismatch = 0;     // echoed bytes differed from the bytes sent (or more came back than sent)
  uint64_t short_echo = 0;   // server closed with echoes outstanding
  uint64_t closed_early = 0; // server closed an idle connection before the run ended
  uint64_t reset = 0;        // ECONNRESET, EPIPE or another socket error mid-run
  uint64_t timeout = 0;      // an echo did not arrive within timeout_s

  void add(const ErrorCounts& o) {
    connect += o.connect; mismatch += o.mismatch; short_echo += o.short_echo;
    closed_early += o.closed_early; reset += o.reset; timeout += o.timeout;
  }
  uint64_t total() const { return connect + mismatch + short_echo + closed_early + reset + timeout; }
};

// What the kernel and the server held at one moment: the raw /proc texts are parsed on the JS side.
struct HostSnapshot {
  double server_rss_bytes = -1;  // VmRSS of server_pid (-1: not measured)
  std::string sockstat;          // /proc/net/sockstat
  std::string meminfo;           // /proc/meminfo
};

struct BenchResult {
  bool aborted_before_start = false;  // no connection could be established
  bool stopped = false;               // stopped early on request
  double window_s = 0;                // measured window actually run
  uint64_t messages = 0;              // measured messages echoed and verified
  uint64_t bytes = 0;
  uint64_t verified_bytes = 0;        // every byte verified over the whole run (warmup and drain too)
  LatencyHistogram latency;           // from intended send time to last byte of the echo
  LatencyHistogram send_lag;          // open loop: how late the client handed each message to the socket
  unsigned established = 0;
  unsigned alive_at_end = 0;
  std::vector<unsigned> established_per_destination;
  double connect_s = 0;               // from the first connect() to the last connection up (or failed)
  HostSnapshot before;                // before the first connect()
  HostSnapshot held;                  // at the end of the measured window, every connection still open
  ErrorCounts errors;
  std::string first_error;            // the first problem seen, in words, for the one-line message
  double client_cpu_s = 0;            // worker threads' CPU time inside the window
  double server_cpu_s = -1;           // server process CPU time inside the window (-1: not measured)
  uint64_t backlog_at_end = 0;        // open loop: messages due but never sent (client or server fell behind)
  uint64_t buffer_stalls = 0;         // io_uring client: receives that ran out of provided buffers
  uint64_t waits = 0;                 // times the client waited in the kernel for events (system calls)
  ClientBackend backend = ClientBackend::io_uring;
  int thread_error = 0;               // errno: a thread could not be created, or one gave up on an exception
  unsigned threads_started = 0;       // load generator threads that ran
};

}  // namespace bench
