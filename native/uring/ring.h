// One io_uring instance: setup, mmap of SQ/CQ/SQE arrays, SQE acquisition, submission and completion
// reaping with the memory ordering the kernel expects (acquire on kernel-written indexes, release on ours).
#pragma once
#include <atomic>
#include <climits>
#include <cstdint>
#include <cstring>

#include "abi.h"
#include "syscalls.h"

namespace uring {

struct RingOptions {
  unsigned entries = 256;
  unsigned cq_entries = 0;      // 0: kernel default (2x entries)
  uint32_t flags = 0;           // IORING_SETUP_* (catalog::setup)
  uint32_t sq_thread_cpu = 0;
  uint32_t sq_thread_idle = 0;  // ms, SQPOLL only
  int wq_fd = -1;               // ATTACH_WQ
};

class Ring {
 public:
  Ring() = default;
  ~Ring() { close(); }
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // Returns 0 or -errno (from io_uring_setup or mmap). On failure the ring stays closed.
  int init(const RingOptions& options);
  void close();

  bool open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  uint32_t features() const { return params_.features; }
  uint32_t setup_flags() const { return params_.flags; }
  const abi::Params& params() const { return params_; }
  unsigned sq_entries() const { return sq_entries_; }
  unsigned cq_entries() const { return cq_entries_; }

  // Next free SQE, zeroed, or nullptr when the SQ is full (submit, then retry).
  abi::Sqe* get_sqe() {
    unsigned head = load_acquire(sq_khead_);
    if (sq_tail_ - head >= sq_entries_) return nullptr;
    abi::Sqe* sqe = &sqes_[sq_tail_ & sq_mask_];
    ++sq_tail_;
    std::memset(sqe, 0, sizeof(*sqe));
    return sqe;
  }
  unsigned sq_pending() const { return sq_tail_ - *sq_ktail_; }
  unsigned sq_space_left() const { return sq_entries_ - (sq_tail_ - load_acquire(sq_khead_)); }

  // Publish queued SQEs and enter the kernel; waits for wait_nr completions (0: no wait).
  // Returns the number submitted or -errno. -EINTR is returned to the caller to decide.
  int submit_and_wait(unsigned wait_nr);
  int submit() { return submit_and_wait(0); }
  // Like submit_and_wait, bounded by a relative timeout (needs FEAT_EXT_ARG); -ETIME on timeout.
  int submit_and_wait_timeout(unsigned wait_nr, long long timeout_ns);

  // Batched wait (IORING_FEAT_MIN_TIMEOUT, 6.12): returns once wait_nr completions are in, or once
  // min_wait_usec has passed since the wait began and at least one is in; timeout_ns (> min wait)
  // bounds the whole wait (without it the kernel would return at min_wait_usec even with none).
  int submit_and_wait_min_timeout(unsigned wait_nr, unsigned min_wait_usec, long long timeout_ns);

  // Completion access: peek at the CQ between head and tail, then advance once for the batch.
  unsigned cq_ready() const { return load_acquire(cq_ktail_) - *cq_khead_; }
  template <typename Fn>
  unsigned for_each_cqe(Fn&& fn) {
    unsigned head = *cq_khead_;
    unsigned tail = load_acquire(cq_ktail_);
    unsigned n = 0;
    for (; head != tail; ++head, ++n) fn(cqes_[(head & cq_mask_) << cqe_shift_]);
    if (n) store_release(cq_khead_, head);
    return n;
  }
  uint32_t cq_overflow() const { return load_acquire(cq_koverflow_); }
  bool cq_overflow_flagged() const { return load_acquire(sq_kflags_) & abi::kSqCqOverflow; }

  // IORING_REGISTER_RING_FDS: later enters pass the registered index. Returns 0 or -errno.
  int register_ring_fd();
  bool ring_fd_registered() const { return enter_flags_ & catalog::enter::REGISTERED_RING; }
  int register_op(unsigned opcode, const void* arg, unsigned nr) {
    return sys::register_op(fd_, opcode, arg, nr);
  }

  template <typename T>
  static T load_acquire(const T* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
  template <typename T>
  static void store_release(T* p, T v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

 private:
  int enter(unsigned to_submit, unsigned min_complete, unsigned flags, const void* arg, size_t argsz);
  unsigned flush_sq();

  int fd_ = -1;
  int enter_fd_ = -1;  // ring fd, or its registered index
  unsigned enter_flags_ = 0;
  abi::Params params_{};
  void* sq_map_ = nullptr;
  size_t sq_map_len_ = 0;
  void* cq_map_ = nullptr;
  size_t cq_map_len_ = 0;
  abi::Sqe* sqes_ = nullptr;
  size_t sqes_len_ = 0;

  unsigned* sq_khead_ = nullptr;
  unsigned* sq_ktail_ = nullptr;
  unsigned* sq_kflags_ = nullptr;
  unsigned sq_mask_ = 0;
  unsigned sq_entries_ = 0;
  unsigned sq_tail_ = 0;  // our local tail; published in flush_sq

  unsigned* cq_khead_ = nullptr;
  unsigned* cq_ktail_ = nullptr;
  unsigned* cq_koverflow_ = nullptr;
  abi::Cqe* cqes_ = nullptr;
  unsigned cq_mask_ = 0;
  unsigned cq_entries_ = 0;
  unsigned cqe_shift_ = 0;  // 1 with CQE32
};

// A provided-buffer ring (IORING_REGISTER_PBUF_RING, 5.19+): `count` buffers of `size` bytes in one
// allocation, handed to the kernel by buffer id; recycled by id after the data has been consumed.
class BufferRing {
 public:
  BufferRing() = default;
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  // count must be a power of two. The first `initial` buffers (all unless said) are handed to the kernel
  // now; the caller hands over the others with recycle() when it wants them. Returns 0 or -errno.
  int init(Ring& ring, uint16_t group_id, unsigned count, unsigned size, unsigned initial = UINT_MAX);
  void release();

  uint8_t* buffer(uint16_t bid) const { return data_ + static_cast<size_t>(bid) * size_; }
  unsigned size() const { return size_; }
  unsigned count() const { return count_; }
  uint16_t group_id() const { return group_id_; }

  // Queue a buffer for the kernel; becomes visible at publish().
  void recycle(uint16_t bid) {
    abi::Buf& b = bufs_[(tail_ + pending_) & mask_];
    b.addr = reinterpret_cast<uint64_t>(buffer(bid));
    b.len = size_;
    b.bid = bid;
    ++pending_;
  }
  void publish() {
    if (!pending_) return;
    tail_ = static_cast<uint16_t>(tail_ + pending_);
    pending_ = 0;
    Ring::store_release(tail_ptr(), tail_);
  }

 private:
  uint16_t* tail_ptr() const {
    return reinterpret_cast<uint16_t*>(reinterpret_cast<uint8_t*>(bufs_) + abi::kBufRingTailOffset);
  }
  Ring* ring_ = nullptr;
  abi::Buf* bufs_ = nullptr;
  size_t ring_len_ = 0;
  uint8_t* data_ = nullptr;
  size_t data_len_ = 0;
  unsigned count_ = 0;
  unsigned size_ = 0;
  unsigned mask_ = 0;
  uint16_t tail_ = 0;
  uint16_t pending_ = 0;
  uint16_t group_id_ = 0;
};

}  // namespace uring
