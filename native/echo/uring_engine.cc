// The io_uring echo engine. Per thread: one ring, one SO_REUSEPORT listener with a multishot accept,
// a multishot recv per connection drawing from one provided-buffer ring shared by the thread's
// connections (an idle connection holds no buffer), and a send of exactly what each completion carried.
// Every completion is decided in one place (UringThread::handle) from the operation in its user_data.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <deque>
#include <new>
#include <sched.h>

#include "echo/conn_slots.h"
#include "echo/heap_release.h"
#include "echo/pending_bytes.h"
#include "echo/threaded_engine.h"
#include "echo/uring_support.h"
#include "uring/prep.h"
#include "uring/ring.h"

namespace echo {

namespace {

using uring::abi::Cqe;
using uring::abi::Sqe;
namespace setup = uring::catalog::setup;

constexpr unsigned kSqEntries = 1024;
constexpr unsigned kCqEntries = 16384;
constexpr uint16_t kBufferGroup = 0;
// Ring buffers a connection may hold while its echo is queued; beyond that the bytes are copied out,
// so one busy connection cannot drain the buffer ring that all of the thread's connections share.
constexpr unsigned kMaxChunks = 16;
// A bundle receive takes at most this many buffers. The kernel maps the buffers a receive may fill
// before it knows how many bytes are waiting: uncapped, every small message paid for mapping up to its
// byte budget's worth (64 buffers at the default 1 MiB); four buffers keep what bundles win on bulk data.
constexpr unsigned kBundleBuffers = 4;
// Buffers handed to the kernel at start; more as traffic needs them (see introduce_buffers), so that a
// thread whose connections exchange little touches the memory of a few buffers, not of all of them.
constexpr unsigned kFirstBuffers = 64;
// A batched wait still returns after this long with nothing to do (the kernel needs a bound).
constexpr long long kBatchWaitBoundNs = 1'000'000'000LL;
// Consecutive failed io_uring_enter calls after which the thread gives up instead of spinning.
constexpr unsigned kMaxEnterFailures = 100;

// What a completion is about: the operation, and for connection operations the slot and its
// generation (a slot is reused only after its last completion arrived; the generation double-checks).
enum class Op : uint8_t { accept = 1, recv, send, wake, tick, accept_retry, grace, cancel };

constexpr uint64_t tag(Op op, uint32_t index = 0, uint32_t generation = 0) {
  return static_cast<uint64_t>(op) | (static_cast<uint64_t>(index) << 8) |
         (static_cast<uint64_t>(generation & 0xffffff) << 40);
}
constexpr Op tag_op(uint64_t t) { return static_cast<Op>(t & 0xff); }
constexpr uint32_t tag_index(uint64_t t) { return static_cast<uint32_t>((t >> 8) & 0xffffffffu); }
constexpr uint32_t tag_generation(uint64_t t) { return static_cast<uint32_t>(t >> 40); }

// Part of a provided buffer still to be echoed.
struct Chunk {
  uint16_t bid;
  uint32_t offset;
  uint32_t length;
};

// What only a connection with unsent bytes needs: allocated when a second echo has to wait behind the
// first (or the socket is full), given back as soon as everything is sent, so an idle connection is
// just its small Conn. Without a buffer ring it also holds the connection's own receive buffer.
struct Backlog {
  // Echo bytes in arrival order: ring buffers first, then bytes copied to the heap.
  Chunk chunks[kMaxChunks];
  uint8_t chunk_head = 0;
  uint8_t chunk_count = 0;
  uint32_t chunk_bytes = 0;
  PendingBytes pending;
  msghdr message{};
  iovec iov[kMaxChunks];
  // Without a buffer ring: this connection's own receive buffer and the echo bytes in it.
  uint8_t* own_buffer = nullptr;
  uint32_t own_length = 0;
  uint32_t own_offset = 0;
  Backlog* next_free = nullptr;

  Chunk& chunk(unsigned i) { return chunks[(chunk_head + i) % kMaxChunks]; }
  size_t held() const { return chunk_bytes + pending.size() + (own_length - own_offset); }
  bool has_output() const { return chunk_count || !pending.empty() || own_length > own_offset; }
};

// One connection: 40 bytes while it has nothing waiting to be echoed.
struct Conn {
  int fd = -1;
  uint32_t generation = 0;
  uint32_t last_tick = 0;
  uint32_t send_length = 0;
  Chunk chunk{};  // the one received buffer whose echo is queued, while there is no backlog
  uint8_t inflight = 0;  // requests whose last completion has not arrived yet
  uint8_t send_chunk_count = 0;
  bool has_chunk : 1 = false;
  bool recv_armed : 1 = false;
  bool recv_cancelled : 1 = false;
  bool send_inflight : 1 = false;
  bool send_from_chunks : 1 = false;
  bool peer_closed : 1 = false;      // EOF: echo what is pending, then close
  bool paused : 1 = false;           // reads paused: the client is not reading its echo
  bool closing : 1 = false;          // aborted: requests cancelled, close at inflight == 0
  bool waiting_buffers : 1 = false;  // recv ended with ENOBUFS; re-armed once buffers come back
  bool bulk : 1 = false;             // a receive filled a whole buffer: worth receiving in bundles
  bool recv_bundled : 1 = false;     // the armed receive takes bundles
  Backlog* backlog = nullptr;

  size_t held() const { return (has_chunk ? chunk.length : 0) + (backlog ? backlog->held() : 0); }
  bool has_output() const { return has_chunk || (backlog && backlog->has_output()); }
  bool own_buffer_busy() const { return backlog && backlog->own_length > backlog->own_offset; }
};
static_assert(sizeof(Conn) <= 40, "an idle connection stays small");

// Backlogs kept for reuse per thread (about 600 bytes each); beyond that they go back to the heap.
constexpr unsigned kKeptBacklogs = 256;

class UringEngine;

class UringThread {
 public:
  UringThread(UringEngine& engine, ThreadedEngine::Worker& worker, const Config& config,
              const UringSupport& support);
  ~UringThread();
  int setup(const char*& stage);
  void run();

 private:
  Sqe* next_sqe();
  void handle(const Cqe& cqe);
  void on_accept(const Cqe& cqe);
  void on_recv(uint32_t index, const Cqe& cqe);
  void on_send(uint32_t index, const Cqe& cqe);
  void on_tick();
  void on_wake();
  void begin_drain();
  void on_grace();

  void arm_accept();
  void arm_wake();
  void arm_timer(Op op, uring::abi::KernelTimespec& ts, unsigned ms);
  bool arm_recv(uint32_t index, Conn& c);
  void cancel_recv(uint32_t index, Conn& c);
  void start_send(uint32_t index, Conn& c);
  void new_connection(int fd);
  void abort(uint32_t index, Conn& c);
  void settle(uint32_t index);
  void release(uint32_t index, Conn& c);
  void close_listener();
  void take_buffers(uint32_t index, Conn& c, uint16_t first_bid, uint32_t length);
  void chunks_to_pending(uint32_t index, Conn& c);
  Backlog* backlog_for(Conn& c);
  void drop_backlog(Conn& c);
  void out_of_memory(uint32_t index, Conn& c);
  void recycle(uint16_t bid);
  void hand_over(uint16_t bid);
  void introduce_buffers();
  void rearm_waiting();
  void give_up();

  UringEngine& engine_;
  ThreadedEngine::Worker& worker_;
  Counters& counters_;
  const Config& config_;
  const UringSupport& support_;
  uring::Ring ring_;
  uring::BufferRing buffers_;
  bool use_buffer_ring_ = false;
  unsigned batch_wait_us_ = 0;
  unsigned sends_queued_ = 0;

  // Which buffer id sits at each position of the buffer ring, so a bundle's buffers can be found.
  std::vector<uint16_t> bid_at_position_;
  std::vector<uint32_t> position_of_bid_;
  uint32_t next_position_ = 0;
  unsigned buffers_out_ = 0;  // taken by the kernel and not yet recycled
  unsigned introduced_ = 0;   // buffers 0..introduced_-1 have been handed to the kernel; the rest never yet

  std::deque<Conn> conns_;
  std::vector<uint32_t> free_slots_;
  unsigned open_conns_ = 0;
  std::vector<std::pair<uint32_t, uint32_t>> waiting_buffers_;  // (slot, generation)
  Backlog* free_backlogs_ = nullptr;
  unsigned free_backlog_count_ = 0;

  int listen_fd_ = -1;
  bool accept_armed_ = false;
  unsigned backoff_ms_ = 0;
  bool in_fd_limit_burst_ = false;
  bool draining_ = false;
  bool overflow_seen_ = false;
  uint32_t tick_ = 0;
  unsigned tick_ms_ = 0;
  uint32_t idle_ticks_ = 0;
  uring::abi::KernelTimespec tick_ts_{}, backoff_ts_{}, grace_ts_{};
};

class UringEngine final : public ThreadedEngine {
 public:
  std::string backend_name() const override { return "io_uring"; }
  std::vector<std::string> features() const override { return support_.feature_names(config_); }

  bool prepare(const Config& config, StartError& error) override {
    support_ = detect_uring_support(config.uring);
    if (support_.setup_errno) {
      error = {support_.setup_errno, "ring", "io_uring_setup"};
      return false;
    }
    if (config.uring.sqpoll && support_.sqpoll_errno) {
      error = {support_.sqpoll_errno, "ring", "IORING_SETUP_SQPOLL"};
      return false;
    }
    if (!support_.missing_op.empty()) {
      error = {EOPNOTSUPP, "ring", support_.missing_op};
      return false;
    }
    return true;
  }

  void serve(Worker& worker) override {
    UringThread thread(*this, worker, config_, support_);
    const char* stage = "ring";
    int rc = thread.setup(stage);
    ready(worker, rc, stage);
    if (rc == 0) thread.run();
  }


 private:
  UringSupport support_;
};

UringThread::UringThread(UringEngine& engine, ThreadedEngine::Worker& worker, const Config& config,
                         const UringSupport& support)
    : engine_(engine), worker_(worker), counters_(worker.counters), config_(config), support_(support) {
  listen_fd_ = worker.listen_fd;
  worker.listen_fd = -1;
}

UringThread::~UringThread() {
  for (auto& c : conns_)
    if (c.fd >= 0) close(c.fd);
  if (listen_fd_ >= 0) close(listen_fd_);
  // In-flight requests may point into the buffers: close the ring before they are freed.
  ring_.close();
  buffers_.release();
  for (auto& c : conns_)
    if (c.backlog) drop_backlog(c);
  while (Backlog* b = free_backlogs_) {
    free_backlogs_ = b->next_free;
    b->~Backlog();
    std::free(b);
  }
}

int UringThread::setup(const char*& stage) {
  uring::RingOptions options;
  options.entries = kSqEntries;
  options.cq_entries = kCqEntries;
  options.flags = support_.ring_flags;
  options.sq_thread_idle = 1000;
  stage = "ring";
  if (int rc = ring_.init(options); rc < 0) return rc;
  if (support_.registered_ring) ring_.register_ring_fd();
  if (support_.buffer_ring) {
    stage = "buffers";
    // None handed over yet: run() hands over the first kFirstBuffers before its first wait.
    if (int rc = buffers_.init(ring_, kBufferGroup, config_.buffer_count, config_.buffer_size, 0); rc < 0) return rc;
    use_buffer_ring_ = true;
    bid_at_position_.resize(config_.buffer_count);
    position_of_bid_.resize(config_.buffer_count);
  }
  if (support_.min_timeout) batch_wait_us_ = config_.batch_wait_us;
  if (config_.idle_timeout_ms) {
    tick_ms_ = std::clamp(config_.idle_timeout_ms / 4, 10u, 1000u);
    idle_ticks_ = (config_.idle_timeout_ms + tick_ms_ - 1) / tick_ms_;
    arm_timer(Op::tick, tick_ts_, tick_ms_);
  }
  arm_wake();
  arm_accept();
  return 0;
}

Sqe* UringThread::next_sqe() {
  Sqe* sqe = ring_.get_sqe();
  while (!sqe) {
    // SQ full: hand it to the kernel (an SQPOLL thread may need a moment to take it).
    ring_.submit();
    sqe = ring_.get_sqe();
    if (!sqe) sched_yield();
  }
  return sqe;
}

void UringThread::run() {
  unsigned failures = 0;
  while (!(draining_ && listen_fd_ < 0 && open_conns_ == 0)) {
    if (use_buffer_ring_) {
      introduce_buffers();
      buffers_.publish();
      rearm_waiting();
    }
    int rc;
    if (batch_wait_us_) {
      // Completions of this round's sends arrive at once; wait for a batch beyond them.
      const unsigned batch = std::clamp(open_conns_ / 4, 1u, 64u);
      rc = ring_.submit_and_wait_min_timeout(sends_queued_ + batch, batch_wait_us_, kBatchWaitBoundNs);
    } else {
      rc = ring_.submit_and_wait(1);
    }
    sends_queued_ = 0;
    if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY && rc != -ETIME) {
      counters_.other_error(-rc);
      if (++failures >= kMaxEnterFailures) return give_up();
    } else {
      failures = 0;
    }
    // With IORING_FEAT_NODROP the kernel keeps overflowed completions and flushes them on the next
    // enter; count each overflow episode (a bigger CQ or fewer connections per thread avoids them).
    bool overflow = ring_.cq_overflow_flagged();
    if (overflow && !overflow_seen_) Counters::add(counters_.cq_overflow);
    overflow_seen_ = overflow;
    ring_.for_each_cqe([this](const Cqe& cqe) { handle(cqe); });
    heap_release::trim_if_due();
    if (!draining_ && engine_.stopping()) begin_drain();
  }
}

void UringThread::handle(const Cqe& cqe) {
  const uint32_t index = tag_index(cqe.user_data);
  switch (tag_op(cqe.user_data)) {
    case Op::accept: return on_accept(cqe);
    case Op::recv:
      if (index < conns_.size() && conns_[index].generation == tag_generation(cqe.user_data))
        on_recv(index, cqe);
      return;
    case Op::send:
      if (index < conns_.size() && conns_[index].generation == tag_generation(cqe.user_data))
        on_send(index, cqe);
      return;
    case Op::wake: return on_wake();
    case Op::tick: return on_tick();
    case Op::accept_retry:
      if (!draining_ && listen_fd_ >= 0 && !accept_armed_) arm_accept();
      return;
    case Op::grace: return on_grace();
    case Op::cancel: return;  // the cancelled request reports on its own
  }
}

void UringThread::arm_accept() {
  Sqe* sqe = next_sqe();
  uring::prep::accept(sqe, listen_fd_, support_.multishot_accept, tag(Op::accept));
  // Blocking sockets: io_uring waits by polling; MSG_DONTWAIT on a send then means "do not wait".
  sqe->op_flags = SOCK_CLOEXEC;
  accept_armed_ = true;
}

// stop() or end_grace() wrote the eventfd: read it empty and watch it again (a second wake-up during
// the grace period ends the grace).
void UringThread::on_wake() {
  ThreadedEngine::drain_wake(worker_.wake_fd);
  if (!draining_) begin_drain();
  else if (engine_.grace_ended()) on_grace();
  arm_wake();
}

void UringThread::arm_wake() {
  uring::prep::poll_add(next_sqe(), worker_.wake_fd, POLLIN, false, tag(Op::wake));
}

void UringThread::arm_timer(Op op, uring::abi::KernelTimespec& ts, unsigned ms) {
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = static_cast<long long>(ms % 1000) * 1000000;
  uring::prep::timeout(next_sqe(), &ts, 0, 0, tag(op));
}

void UringThread::on_accept(const Cqe& cqe) {
  if (!(cqe.flags & uring::abi::kCqeFMore)) accept_armed_ = false;
  const int res = cqe.res;
  bool retry_now = true;
  if (res >= 0) {
    in_fd_limit_burst_ = false;
    backoff_ms_ = 0;
    if (draining_) {
      close(res);
    } else if (!engine_.admit_connection()) {
      close(res);
      Counters::add(counters_.rejected);
    } else {
      new_connection(res);
    }
  } else if (res == -EMFILE || res == -ENFILE) {
    Counters::add(counters_.accept_fd_limit);
    if (!in_fd_limit_burst_) {
      in_fd_limit_burst_ = true;
      Counters::add(counters_.accept_fd_limit_bursts);
    }
    retry_now = false;
  } else if (res != -ECANCELED) {
    Counters::add(counters_.accept_errors);
    counters_.last_errno.store(-res, std::memory_order_relaxed);
    // A connection reset before we took it is routine; anything else waits, so we never spin.
    retry_now = res == -ECONNABORTED || res == -EINTR || res == -EAGAIN;
  }
  if (accept_armed_ || listen_fd_ < 0) return;
  if (draining_) return close_listener();
  if (retry_now) return arm_accept();
  backoff_ms_ = backoff_ms_ ? std::min(backoff_ms_ * 2, kAcceptBackoffMaxMs) : kAcceptBackoffFirstMs;
  arm_timer(Op::accept_retry, backoff_ts_, backoff_ms_);
}

void UringThread::new_connection(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  Counters::add(counters_.accepted);
  const uint32_t index = take_conn_slot_or_refuse(conns_, free_slots_, fd, engine_, counters_);
  if (index == kNoSlot) return;
  Conn& c = conns_[index];
  c.fd = fd;
  c.last_tick = tick_;
  ++open_conns_;
  settle(index);
}

// Every receive has a byte budget: what the connection may still take before it holds --max-pending.
// A multishot recv ends by itself once it has taken that much (the kernel's total limit), so one
// completion, or a burst of them before this thread reacts, can never carry more. Kernels without the
// limit (6.1) get no bundles, so each completion carries one buffer and reads pause (the recv is
// cancelled) at the first completion past the limit: up to one burst of completions beyond it.
bool UringThread::arm_recv(uint32_t index, Conn& c) {
  const size_t held = c.held();
  const uint32_t budget = held < config_.max_pending ? static_cast<uint32_t>(config_.max_pending - held) : 1;
  if (!use_buffer_ring_) {
    Backlog* b = backlog_for(c);
    if (b && !b->own_buffer) {
      b->own_buffer = static_cast<uint8_t*>(std::malloc(config_.buffer_size));
      if (b->own_buffer) heap_release::allocated(config_.buffer_size);
    }
    if (!b || !b->own_buffer) {
      out_of_memory(index, c);
      return false;
    }
  }
  Sqe* sqe = next_sqe();
  const uint64_t user_data = tag(Op::recv, index, c.generation);
  if (use_buffer_ring_) {
    // Bundles only for a connection that has shown bulk data: for small messages they cost (the kernel
    // maps several buffers for each receive) and gain nothing.
    const bool bundle = support_.bundle && c.bulk;
    uring::prep::recv_provided(sqe, c.fd, kBufferGroup, support_.multishot_recv, bundle, user_data);
    if (support_.recv_limit) sqe->file_index = budget;  // sqe->optlen: the multishot's total
    if (bundle) sqe->len = std::min<uint32_t>(budget, kBundleBuffers * buffers_.size());  // per receive
    c.recv_bundled = bundle;
  } else {
    uring::prep::recv(sqe, c.fd, c.backlog->own_buffer, config_.buffer_size, user_data);
  }
  c.recv_armed = true;
  c.recv_cancelled = false;
  ++c.inflight;
  return true;
}

void UringThread::cancel_recv(uint32_t index, Conn& c) {
  uring::prep::cancel_user_data(next_sqe(), tag(Op::recv, index, c.generation), tag(Op::cancel));
  c.recv_cancelled = true;
}

void UringThread::on_recv(uint32_t index, const Cqe& cqe) {
  Conn& c = conns_[index];
  if (!(cqe.flags & uring::abi::kCqeFMore)) {
    c.recv_armed = false;
    c.recv_cancelled = false;
    --c.inflight;
  }
  const int res = cqe.res;
  if (res > 0) {
    c.last_tick = tick_;
    Counters::add(counters_.messages);
    Counters::add(counters_.bytes_in, static_cast<uint64_t>(res));
    if (use_buffer_ring_) {
      if (cqe.flags & uring::abi::kCqeFBuffer)
        take_buffers(index, c, static_cast<uint16_t>(cqe.flags >> uring::abi::kCqeBufferShift),
                     static_cast<uint32_t>(res));
      // A whole buffer filled by one receive: bulk data, received in bundles from the next arm on.
      if (support_.bundle && !c.bulk && static_cast<uint32_t>(res) >= buffers_.size()) c.bulk = true;
    } else {
      c.backlog->own_offset = 0;
      c.backlog->own_length = static_cast<uint32_t>(res);
    }
    if (!c.paused && c.held() >= config_.max_pending) {
      c.paused = true;
      Counters::add(counters_.read_pauses);
    }
  } else if (res == 0) {
    c.peer_closed = true;
  } else if (res == -ENOBUFS) {
    // Counted only when every buffer was out: before that, more are handed over on the next round.
    if (introduced_ == buffers_.count()) Counters::add(counters_.no_buffers);
    try {
      waiting_buffers_.emplace_back(index, c.generation);
      c.waiting_buffers = true;
    } catch (const std::bad_alloc&) {
      out_of_memory(index, c);
    }
  } else if (res != -ECANCELED && !c.closing) {
    counters_.connection_error(-res);
    abort(index, c);
  }
  settle(index);
}

// A completion's data may span several buffers (a bundle): they sit at consecutive ring positions.
void UringThread::take_buffers(uint32_t index, Conn& c, uint16_t first_bid, uint32_t length) {
  const unsigned size = buffers_.size();
  const unsigned mask = buffers_.count() - 1;
  uint32_t position = position_of_bid_[first_bid];
  while (length) {
    const uint16_t bid = bid_at_position_[position++ & mask];
    const uint32_t n = std::min(length, size);
    length -= n;
    ++buffers_out_;
    if (c.closing) {
      recycle(bid);
      continue;
    }
    if (!c.backlog && !c.has_chunk) {
      // The common case: one buffer echoed straight back, no backlog.
      c.chunk = Chunk{bid, 0, n};
      c.has_chunk = true;
      continue;
    }
    Backlog* b = backlog_for(c);
    if (!b) {
      recycle(bid);
      out_of_memory(index, c);
    } else if (b->pending.empty() && b->chunk_count < kMaxChunks) {
      b->chunk(b->chunk_count++) = Chunk{bid, 0, n};
      b->chunk_bytes += n;
    } else {
      // Held blocks never move, so a send in flight from `pending` stays valid while it grows.
      const bool ok = b->pending.append(buffers_.buffer(bid), n);
      recycle(bid);
      if (!ok) out_of_memory(index, c);
    }
  }
}

Backlog* UringThread::backlog_for(Conn& c) {
  if (c.backlog) return c.backlog;
  Backlog* b = free_backlogs_;
  if (b) {
    free_backlogs_ = b->next_free;
    --free_backlog_count_;
    b->next_free = nullptr;
  } else {
    void* memory = std::malloc(sizeof(Backlog));
    if (!memory) return nullptr;
    b = new (memory) Backlog();
  }
  if (c.has_chunk) {
    b->chunks[0] = c.chunk;
    b->chunk_head = 0;
    b->chunk_count = 1;
    b->chunk_bytes = c.chunk.length;
    c.has_chunk = false;
  }
  c.backlog = b;
  return b;
}

// Only with nothing in flight from it (a sendmsg points at its iovecs) and its chunks recycled.
void UringThread::drop_backlog(Conn& c) {
  Backlog* b = c.backlog;
  c.backlog = nullptr;
  b->pending.release();
  if (b->own_buffer) {
    std::free(b->own_buffer);
    heap_release::freed(config_.buffer_size);
    b->own_buffer = nullptr;
  }
  b->own_length = b->own_offset = 0;
  b->chunk_head = b->chunk_count = 0;
  b->chunk_bytes = 0;
  if (free_backlog_count_ < kKeptBacklogs) {
    b->next_free = free_backlogs_;
    free_backlogs_ = b;
    ++free_backlog_count_;
  } else {
    b->~Backlog();
    std::free(b);
  }
}

// Memory for this connection's bytes could not be allocated: it alone is closed, and counted.
void UringThread::out_of_memory(uint32_t index, Conn& c) {
  if (c.closing) return;
  Counters::add(counters_.alloc_failures);
  abort(index, c);
}

void UringThread::recycle(uint16_t bid) {
  --buffers_out_;
  hand_over(bid);
}

// Queues a buffer for the kernel, noting the ring position it takes (a bundle's buffers are found by
// position).
void UringThread::hand_over(uint16_t bid) {
  bid_at_position_[next_position_ & (buffers_.count() - 1)] = bid;
  position_of_bid_[bid] = next_position_;
  ++next_position_;
  buffers_.recycle(bid);
}

// The kernel's share of the buffers runs low (less than half of those handed over are left), or a
// receive found none: hand over as many more as are out already (at least kFirstBuffers), up to all.
void UringThread::introduce_buffers() {
  const unsigned count = buffers_.count();
  if (introduced_ == count) return;
  if (introduced_ && introduced_ - buffers_out_ >= introduced_ / 2 && waiting_buffers_.empty()) return;
  const unsigned more = std::min(count - introduced_, std::max(introduced_, kFirstBuffers));
  for (unsigned i = 0; i < more; ++i) hand_over(static_cast<uint16_t>(introduced_++));
}

void UringThread::rearm_waiting() {
  if (waiting_buffers_.empty()) return;
  unsigned free_buffers = introduced_ - buffers_out_;
  if (!free_buffers) return;
  // Compacted in place: no allocation on this path.
  size_t kept = 0;
  for (size_t i = 0; i < waiting_buffers_.size(); ++i) {
    const auto [index, generation] = waiting_buffers_[i];
    Conn& c = conns_[index];
    if (c.generation != generation || c.fd < 0 || !c.waiting_buffers) continue;
    if (!free_buffers) {
      waiting_buffers_[kept++] = waiting_buffers_[i];
      continue;
    }
    --free_buffers;
    c.waiting_buffers = false;
    settle(index);
  }
  waiting_buffers_.resize(kept);
}

void UringThread::start_send(uint32_t index, Conn& c) {
  Sqe* sqe = next_sqe();
  const uint64_t user_data = tag(Op::send, index, c.generation);
  Backlog* b = c.backlog;
  // Ring buffers are sent without waiting: if the socket is full they are copied out instead, so a
  // slow reader never keeps a shared buffer.
  const int chunk_flags = MSG_NOSIGNAL | MSG_DONTWAIT;
  if (c.own_buffer_busy()) {
    c.send_length = b->own_length - b->own_offset;
    uring::prep::send(sqe, c.fd, b->own_buffer + b->own_offset, c.send_length, MSG_NOSIGNAL, user_data);
    c.send_from_chunks = false;
  } else if (c.has_chunk) {
    c.send_length = c.chunk.length;
    c.send_chunk_count = 1;
    uring::prep::send(sqe, c.fd, buffers_.buffer(c.chunk.bid) + c.chunk.offset, c.chunk.length, chunk_flags, user_data);
    c.send_from_chunks = true;
  } else if (b->chunk_count) {
    if (b->chunk_count == 1 || !support_.sendmsg || !config_.uring.sendmsg_batch) {
      const Chunk& k = b->chunk(0);
      c.send_length = k.length;
      c.send_chunk_count = 1;
      uring::prep::send(sqe, c.fd, buffers_.buffer(k.bid) + k.offset, k.length, chunk_flags, user_data);
    } else {
      c.send_length = 0;
      for (unsigned i = 0; i < b->chunk_count; ++i) {
        const Chunk& k = b->chunk(i);
        b->iov[i] = {buffers_.buffer(k.bid) + k.offset, k.length};
        c.send_length += k.length;
      }
      c.send_chunk_count = b->chunk_count;
      b->message = msghdr{};
      b->message.msg_iov = b->iov;
      b->message.msg_iovlen = b->chunk_count;
      uring::prep::sendmsg(sqe, c.fd, &b->message, chunk_flags, user_data);
    }
    c.send_from_chunks = true;
  } else {
    c.send_length = static_cast<uint32_t>(b->pending.front_size());
    uring::prep::send(sqe, c.fd, b->pending.front(), c.send_length, MSG_NOSIGNAL, user_data);
    c.send_from_chunks = false;
  }
  c.send_inflight = true;
  ++c.inflight;
  ++sends_queued_;
}

void UringThread::on_send(uint32_t index, const Cqe& cqe) {
  Conn& c = conns_[index];
  c.send_inflight = false;
  --c.inflight;
  int res = cqe.res;
  if (c.closing) return settle(index);
  if (res == -EAGAIN && c.send_from_chunks) res = 0;  // MSG_DONTWAIT on a full socket
  if (res < 0) {
    counters_.connection_error(-res);
    abort(index, c);
    return settle(index);
  }
  const uint32_t sent = static_cast<uint32_t>(res);
  c.last_tick = tick_;
  Counters::add(counters_.bytes_out, sent);
  if (sent < c.send_length) Counters::add(counters_.short_sends);
  Backlog* b = c.backlog;
  if (c.own_buffer_busy()) {
    b->own_offset += sent;
    if (b->own_offset >= b->own_length) b->own_offset = b->own_length = 0;
  } else if (c.send_from_chunks) {
    // The chunks sent are the first of the queue: the inline one, or (moved there meanwhile) the backlog's.
    uint32_t left = sent;
    for (unsigned i = 0; i < c.send_chunk_count && left; ++i) {
      Chunk& k = c.has_chunk ? c.chunk : b->chunk(0);
      const uint32_t n = std::min(left, k.length);
      left -= n;
      if (!c.has_chunk) b->chunk_bytes -= n;
      if (n < k.length) {
        k.offset += n;
        k.length -= n;
      } else {
        recycle(k.bid);
        if (c.has_chunk) {
          c.has_chunk = false;
        } else {
          b->chunk_head = static_cast<uint8_t>((b->chunk_head + 1) % kMaxChunks);
          --b->chunk_count;
        }
      }
    }
    // The socket is full: keep the rest on the heap and give the shared buffers back.
    if (sent < c.send_length && c.has_output()) chunks_to_pending(index, c);
  } else {
    b->pending.consume(sent);
  }
  if (c.paused && c.held() <= config_.max_pending / 2) c.paused = false;
  // Everything sent: the backlog goes back (with a buffer ring; without one it holds the receive buffer).
  if (c.backlog && use_buffer_ring_ && !c.backlog->has_output()) drop_backlog(c);
  settle(index);
}

void UringThread::chunks_to_pending(uint32_t index, Conn& c) {
  Backlog* b = backlog_for(c);
  if (!b) return out_of_memory(index, c);
  for (unsigned i = b->chunk_count; i-- > 0;) {
    const Chunk& k = b->chunk(i);
    if (!b->pending.prepend(buffers_.buffer(k.bid) + k.offset, k.length)) {
      // Chunks 0..i stay queued (recycled when the connection is released).
      b->chunk_count = static_cast<uint8_t>(i + 1);
      return out_of_memory(index, c);
    }
    b->chunk_bytes -= k.length;
    recycle(k.bid);
  }
  b->chunk_count = 0;
  b->chunk_head = 0;
  b->chunk_bytes = 0;
}

// The connection state machine: after any completion, decide what the connection needs next.
void UringThread::settle(uint32_t index) {
  Conn& c = conns_[index];
  if (c.fd < 0) return;
  if (c.closing) {
    if (!c.inflight) release(index, c);
    return;
  }
  if (!c.send_inflight && c.has_output()) start_send(index, c);
  const bool own_buffer_busy = !use_buffer_ring_ && c.own_buffer_busy();
  const bool want_recv = !c.peer_closed && !c.paused && !c.waiting_buffers && !draining_ && !own_buffer_busy;
  if (want_recv && !c.recv_armed) {
    if (!arm_recv(index, c)) return settle(index);
  } else if (!want_recv && c.recv_armed && !c.recv_cancelled && (c.paused || draining_)) {
    cancel_recv(index, c);
  } else if (want_recv && c.bulk && !c.recv_bundled && c.recv_armed && !c.recv_cancelled) {
    cancel_recv(index, c);  // once per connection: re-armed (when its last completion is in) with bundles
  }
  if ((c.peer_closed || draining_) && !c.send_inflight && !c.has_output() && !c.recv_armed && !c.inflight)
    release(index, c);
}

// Shutting the socket down ends its pending recv (EOF) and send (EPIPE) on every kernel, unlike a
// cancel by fd (5.19+); the connection is then released when their completions are in.
void UringThread::abort(uint32_t index, Conn& c) {
  if (c.closing) return;
  c.closing = true;
  shutdown(c.fd, SHUT_RDWR);
}

void UringThread::release(uint32_t index, Conn& c) {
  close(c.fd);
  c.fd = -1;
  if (c.has_chunk) recycle(c.chunk.bid);
  if (Backlog* b = c.backlog) {
    for (unsigned i = 0; i < b->chunk_count; ++i) recycle(b->chunk(i).bid);
    drop_backlog(c);
  }
  c.has_chunk = false;
  c.recv_armed = c.recv_cancelled = c.send_inflight = c.send_from_chunks = false;
  c.peer_closed = c.paused = c.closing = c.waiting_buffers = c.bulk = c.recv_bundled = false;
  c.inflight = 0;
  c.generation = (c.generation + 1) & 0xffffff;
  try {
    free_slots_.push_back(index);
  } catch (const std::bad_alloc&) {
    // Not reused: one slot's worth of memory, rather than the thread.
  }
  --open_conns_;
  engine_.connection_closed();
  Counters::add(counters_.closed);
}

void UringThread::on_tick() {
  ++tick_;
  if (draining_) return;
  for (uint32_t index = 0; index < conns_.size(); ++index) {
    Conn& c = conns_[index];
    if (c.fd >= 0 && !c.closing && tick_ - c.last_tick >= idle_ticks_) {
      Counters::add(counters_.idle_timeouts);
      abort(index, c);
      settle(index);
    }
  }
  arm_timer(Op::tick, tick_ts_, tick_ms_);
}

void UringThread::close_listener() {
  close(listen_fd_);
  listen_fd_ = -1;
}

// Stop: no new connections, no more reads; what was received is still echoed until the grace ends.
void UringThread::begin_drain() {
  if (draining_) return;
  draining_ = true;
  if (accept_armed_) uring::prep::cancel_user_data(next_sqe(), tag(Op::accept), tag(Op::cancel));
  else if (listen_fd_ >= 0) close_listener();
  for (uint32_t index = 0; index < conns_.size(); ++index) settle(index);
  const unsigned grace = engine_.grace_ms();
  if (grace) arm_timer(Op::grace, grace_ts_, grace);
  else on_grace();
}

void UringThread::on_grace() {
  for (uint32_t index = 0; index < conns_.size(); ++index) {
    Conn& c = conns_[index];
    if (c.fd < 0 || c.closing) continue;
    if (c.has_output()) Counters::add(counters_.aborted);
    abort(index, c);
    settle(index);
  }
}

// io_uring_enter keeps failing: close everything directly rather than spin.
void UringThread::give_up() {
  for (uint32_t index = 0; index < conns_.size(); ++index) {
    Conn& c = conns_[index];
    if (c.fd < 0) continue;
    close(c.fd);
    c.fd = -1;
    engine_.connection_closed();
    Counters::add(counters_.closed);
  }
  if (listen_fd_ >= 0) close_listener();
  open_conns_ = 0;
  // In-flight requests may still point into buffers: close the ring before they are freed.
  ring_.close();
  buffers_.release();
}

}  // namespace

std::unique_ptr<Engine> make_uring_engine() { return std::make_unique<UringEngine>(); }

}  // namespace echo
