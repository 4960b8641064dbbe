#include "ring.h"

#include <sys/mman.h>

#include <algorithm>
#include <unistd.h>

namespace uring {

namespace {
void* map_ring(int fd, size_t len, uint64_t offset) {
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, static_cast<off_t>(offset));
  return p == MAP_FAILED ? nullptr : p;
}
template <typename T>
T* at(void* base, uint32_t offset) {
  return reinterpret_cast<T*>(static_cast<uint8_t*>(base) + offset);
}
}  // namespace

int Ring::init(const RingOptions& options) {
  close();
  abi::Params p{};
  p.flags = options.flags;
  p.sq_thread_cpu = options.sq_thread_cpu;
  p.sq_thread_idle = options.sq_thread_idle;
  if (options.cq_entries) {
    p.flags |= catalog::setup::CQSIZE;
    p.cq_entries = options.cq_entries;
  }
  if (options.wq_fd >= 0) {
    p.flags |= catalog::setup::ATTACH_WQ;
    p.wq_fd = static_cast<uint32_t>(options.wq_fd);
  }
  int fd = sys::setup(options.entries, &p);
  if (fd < 0) return fd;
  fd_ = fd;
  enter_fd_ = fd;
  params_ = p;

  const bool sqe128 = p.flags & catalog::setup::SQE128;
  cqe_shift_ = (p.flags & catalog::setup::CQE32) ? 1 : 0;
  sq_map_len_ = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
  if (p.flags & catalog::setup::NO_SQARRAY) sq_map_len_ = p.sq_off.ring_entries + 64;
  cq_map_len_ = p.cq_off.cqes + (static_cast<size_t>(p.cq_entries) << cqe_shift_) * sizeof(abi::Cqe);
  const bool single_mmap = p.features & catalog::feat::SINGLE_MMAP;
  if (single_mmap) sq_map_len_ = cq_map_len_ = std::max(sq_map_len_, cq_map_len_);

  sq_map_ = map_ring(fd, sq_map_len_, abi::kOffSqRing);
  if (!sq_map_) { int e = -errno; close(); return e; }
  cq_map_ = single_mmap ? sq_map_ : map_ring(fd, cq_map_len_, abi::kOffCqRing);
  if (!cq_map_) { int e = -errno; close(); return e; }
  sqes_len_ = static_cast<size_t>(p.sq_entries) * sizeof(abi::Sqe) * (sqe128 ? 2 : 1);
  sqes_ = static_cast<abi::Sqe*>(map_ring(fd, sqes_len_, abi::kOffSqes));
  if (!sqes_) { int e = -errno; close(); return e; }

  sq_khead_ = at<unsigned>(sq_map_, p.sq_off.head);
  sq_ktail_ = at<unsigned>(sq_map_, p.sq_off.tail);
  sq_kflags_ = at<unsigned>(sq_map_, p.sq_off.flags);
  sq_mask_ = *at<unsigned>(sq_map_, p.sq_off.ring_mask);
  sq_entries_ = *at<unsigned>(sq_map_, p.sq_off.ring_entries);
  sq_tail_ = *sq_ktail_;
  if (!(p.flags & catalog::setup::NO_SQARRAY)) {
    // The SQ index array maps ring slots 1:1 to SQEs, set once: submission order is slot order.
    unsigned* array = at<unsigned>(sq_map_, p.sq_off.array);
    for (unsigned i = 0; i < sq_entries_; ++i) array[i] = i;
  }
  cq_khead_ = at<unsigned>(cq_map_, p.cq_off.head);
  cq_ktail_ = at<unsigned>(cq_map_, p.cq_off.tail);
  cq_koverflow_ = at<unsigned>(cq_map_, p.cq_off.overflow);
  cq_mask_ = *at<unsigned>(cq_map_, p.cq_off.ring_mask);
  cq_entries_ = *at<unsigned>(cq_map_, p.cq_off.ring_entries);
  cqes_ = at<abi::Cqe>(cq_map_, p.cq_off.cqes);
  return 0;
}

void Ring::close() {
  // A registered ring fd holds its own reference to the ring: drop it, or the ring outlives close().
  if (fd_ >= 0 && (enter_flags_ & catalog::enter::REGISTERED_RING)) {
    abi::RsrcUpdate up{};
    up.offset = static_cast<uint32_t>(enter_fd_);
    sys::register_op(fd_, catalog::reg::UNREGISTER_RING_FDS, &up, 1);
  }
  if (sqes_) munmap(sqes_, sqes_len_);
  if (cq_map_ && cq_map_ != sq_map_) munmap(cq_map_, cq_map_len_);
  if (sq_map_) munmap(sq_map_, sq_map_len_);
  if (fd_ >= 0) ::close(fd_);
  sqes_ = nullptr;
  sq_map_ = cq_map_ = nullptr;
  fd_ = enter_fd_ = -1;
  enter_flags_ = 0;
  params_ = abi::Params{};
}

unsigned Ring::flush_sq() {
  unsigned published = *sq_ktail_;
  if (sq_tail_ != published) store_release(sq_ktail_, sq_tail_);
  return sq_tail_ - published;
}

int Ring::enter(unsigned to_submit, unsigned min_complete, unsigned flags, const void* arg, size_t argsz) {
  return sys::enter(enter_fd_, to_submit, min_complete, flags | enter_flags_, arg, argsz);
}

int Ring::submit_and_wait(unsigned wait_nr) {
  unsigned submitted = flush_sq();
  unsigned flags = 0;
  const bool sqpoll = params_.flags & catalog::setup::SQPOLL;
  if (sqpoll) {
    // The kernel thread consumes the SQ; enter only to wake it or to wait.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (load_acquire(sq_kflags_) & abi::kSqNeedWakeup) flags |= catalog::enter::SQ_WAKEUP;
    if (!wait_nr && !flags) return static_cast<int>(submitted);
  }
  // Completions may be waiting in the kernel's task-work or overflow list even when nothing is queued.
  if (wait_nr || (load_acquire(sq_kflags_) & (abi::kSqCqOverflow | abi::kSqTaskrun)))
    flags |= catalog::enter::GETEVENTS;
  if (!submitted && !flags) return 0;
  return enter(sqpoll ? 0 : submitted, wait_nr, flags, nullptr, 0);
}

int Ring::submit_and_wait_timeout(unsigned wait_nr, long long timeout_ns) {
  unsigned submitted = flush_sq();
  abi::KernelTimespec ts{timeout_ns / 1000000000LL, timeout_ns % 1000000000LL};
  abi::GeteventsArg arg{};
  arg.ts = reinterpret_cast<uint64_t>(&ts);
  unsigned flags = catalog::enter::GETEVENTS | catalog::enter::EXT_ARG;
  if (params_.flags & catalog::setup::SQPOLL) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (load_acquire(sq_kflags_) & abi::kSqNeedWakeup) flags |= catalog::enter::SQ_WAKEUP;
    submitted = 0;
  }
  return enter(submitted, wait_nr, flags, &arg, sizeof(arg));
}

int Ring::submit_and_wait_min_timeout(unsigned wait_nr, unsigned min_wait_usec, long long timeout_ns) {
  unsigned submitted = flush_sq();
  abi::KernelTimespec ts{timeout_ns / 1000000000LL, timeout_ns % 1000000000LL};
  abi::GeteventsArg arg{};
  arg.ts = reinterpret_cast<uint64_t>(&ts);
  arg.min_wait_usec = min_wait_usec;
  unsigned flags = catalog::enter::GETEVENTS | catalog::enter::EXT_ARG;
  if (params_.flags & catalog::setup::SQPOLL) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (load_acquire(sq_kflags_) & abi::kSqNeedWakeup) flags |= catalog::enter::SQ_WAKEUP;
    submitted = 0;
  }
  return enter(submitted, wait_nr, flags, &arg, sizeof(arg));
}

int Ring::register_ring_fd() {
  abi::RsrcUpdate up{};
  up.offset = ~0u;  // any free slot
  up.data = static_cast<uint64_t>(fd_);
  int r = sys::register_op(fd_, catalog::reg::REGISTER_RING_FDS, &up, 1);
  if (r < 0) return r;
  if (r != 1) return -EINVAL;
  enter_fd_ = static_cast<int>(up.offset);
  enter_flags_ |= catalog::enter::REGISTERED_RING;
  return 0;
}

BufferRing::~BufferRing() { release(); }

int BufferRing::init(Ring& ring, uint16_t group_id, unsigned count, unsigned size, unsigned initial) {
  release();
  if (!count || (count & (count - 1)) || count > 32768) return -EINVAL;
  ring_len_ = static_cast<size_t>(count) * sizeof(abi::Buf);
  void* r = mmap(nullptr, ring_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (r == MAP_FAILED) return -errno;
  bufs_ = static_cast<abi::Buf*>(r);
  data_len_ = static_cast<size_t>(count) * size;
  void* d = mmap(nullptr, data_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (d == MAP_FAILED) { int e = -errno; release(); return e; }
  data_ = static_cast<uint8_t*>(d);

  abi::BufReg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(bufs_);
  reg.ring_entries = count;
  reg.bgid = group_id;
  int rc = ring.register_op(catalog::reg::REGISTER_PBUF_RING, &reg, 1);
  if (rc < 0) { release(); return rc; }
  ring_ = &ring;
  count_ = count;
  size_ = size;
  mask_ = count - 1;
  group_id_ = group_id;
  tail_ = 0;
  pending_ = 0;
  for (unsigned i = 0; i < std::min(initial, count); ++i) recycle(static_cast<uint16_t>(i));
  publish();
  return 0;
}

void BufferRing::release() {
  if (ring_ && ring_->open()) {
    abi::BufReg reg{};
    reg.bgid = group_id_;
    ring_->register_op(catalog::reg::UNREGISTER_PBUF_RING, &reg, 1);
  }
  ring_ = nullptr;
  if (data_) munmap(data_, data_len_);
  if (bufs_) munmap(bufs_, ring_len_);
  data_ = nullptr;
  bufs_ = nullptr;
}

}  // namespace uring
