// What an engine thread counts. Each thread owns its counters (single writer: plain relaxed load+store,
// no locked instructions on the hot path); any thread may read them for a snapshot.
#pragma once
#include <atomic>
#include <cerrno>
#include <cstdint>

namespace echo {

// (field, name reported to JS). Errors are the kinds the summary lists under "errors".
#define ECHO_TRAFFIC_COUNTERS(X)        \
  X(accepted, "accepted")               \
  X(closed, "closed")                   \
  X(messages, "messages")               \
  X(bytes_in, "bytesIn")                \
  X(bytes_out, "bytesOut")

#define ECHO_ERROR_COUNTERS(X)                                                          \
  X(resets, "resets")                   /* ECONNRESET/EPIPE from a peer */             \
  X(rejected, "rejected")               /* closed at once: --max-conns reached */      \
  X(accept_fd_limit, "acceptFdLimit")   /* EMFILE/ENFILE on accept */                  \
  X(accept_fd_limit_bursts, "acceptFdLimitBursts") /* one per run of fd-limit errors */ \
  X(accept_errors, "acceptErrors")      /* any other accept failure */                 \
  X(no_buffers, "noBuffers")            /* ENOBUFS: the provided buffer ring ran dry */ \
  X(cq_overflow, "cqOverflow")          /* completion queue overflowed (kept by NODROP) */ \
  X(idle_timeouts, "idleTimeouts")      /* closed by --idle-timeout */                 \
  X(read_pauses, "readPauses")          /* reads paused: a client not reading its echo */ \
  X(short_sends, "shortSends")          /* send took less than asked; rest resent */   \
  X(aborted, "aborted")                 /* closed with data still pending (grace ran out) */ \
  X(alloc_failures, "allocFailures")    /* closed: no memory for its pending bytes or state */ \
  X(other_errors, "otherErrors")

struct alignas(64) Counters {
#define ECHO_DECLARE(field, name) std::atomic<uint64_t> field{0};
  ECHO_TRAFFIC_COUNTERS(ECHO_DECLARE)
  ECHO_ERROR_COUNTERS(ECHO_DECLARE)
#undef ECHO_DECLARE
  std::atomic<int> last_errno{0};  // of the latest "other" error, for the operator

  // Owner thread only.
  static void add(std::atomic<uint64_t>& c, uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  // Owner thread only: an error of no listed kind, kept with its errno for the operator.
  void other_error(int err) {
    add(other_errors);
    last_errno.store(err, std::memory_order_relaxed);
  }
  // Owner thread only: a connection's receive or send failed with `err`.
  void connection_error(int err) {
    if (is_peer_reset(err)) add(resets);
    else other_error(err);
  }
  static bool is_peer_reset(int err) {
    return err == ECONNRESET || err == EPIPE || err == ETIMEDOUT || err == EHOSTUNREACH || err == ENETUNREACH;
  }
};

// A plain copy, summed over threads.
struct Totals {
#define ECHO_DECLARE(field, name) uint64_t field = 0;
  ECHO_TRAFFIC_COUNTERS(ECHO_DECLARE)
  ECHO_ERROR_COUNTERS(ECHO_DECLARE)
#undef ECHO_DECLARE
  int last_errno = 0;

  void add(const Counters& c) {
#define ECHO_SUM(field, name) field += c.field.load(std::memory_order_relaxed);
    ECHO_TRAFFIC_COUNTERS(ECHO_SUM)
    ECHO_ERROR_COUNTERS(ECHO_SUM)
#undef ECHO_SUM
    if (int e = c.last_errno.load(std::memory_order_relaxed)) last_errno = e;
  }
  void add(const Totals& t) {
#define ECHO_SUM(field, name) field += t.field;
    ECHO_TRAFFIC_COUNTERS(ECHO_SUM)
    ECHO_ERROR_COUNTERS(ECHO_SUM)
#undef ECHO_SUM
    if (t.last_errno) last_errno = t.last_errno;
  }
};

}  // namespace echo
