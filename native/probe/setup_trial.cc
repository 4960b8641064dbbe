#include "probe/setup_trial.h"

#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "uring/syscalls.h"

namespace probe {

namespace setup = uring::catalog::setup;
namespace abi = uring::abi;

namespace {

int first_allowed_cpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return -errno;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) return cpu;
  return -ESRCH;
}

// A REGISTERED_FD_ONLY ring has no fd, only a slot in this thread's registered-ring table: free it.
void unregister_ring_index(int index) {
  abi::RsrcUpdate up{};
  up.offset = static_cast<uint32_t>(index);
  uring::sys::register_op(index, uring::catalog::reg::UNREGISTER_RING_FDS | uring::catalog::reg_flag::USE_REGISTERED_RING,
                          &up, 1);
}

}  // namespace

SetupTrial try_setup(uint32_t flags) {
  SetupTrial trial;
  abi::Params p{};
  p.flags = flags;
  const unsigned entries = 4;  // small: with NO_MMAP each region then fits in one page (6.5 needs that)
  if (flags & setup::CQSIZE) p.cq_entries = 16;
  if (flags & setup::SQPOLL) p.sq_thread_idle = 10;
  if (flags & setup::SQ_AFF) {
    int cpu = first_allowed_cpu();
    if (cpu < 0) {
      trial.resource = "a CPU this process may run on (sched_getaffinity)";
      trial.resource_err = -cpu;
      return trial;
    }
    p.sq_thread_cpu = static_cast<uint32_t>(cpu);
  }
  int attach_to = -1;
  if (flags & setup::ATTACH_WQ) {
    abi::Params plain{};
    attach_to = uring::sys::setup(1, &plain);
    if (attach_to < 0) {
      trial.resource = "a first ring whose worker pool to attach to";
      trial.resource_err = -attach_to;
      return trial;
    }
    p.wq_fd = static_cast<uint32_t>(attach_to);
  }
  void* user_memory = nullptr;
  size_t user_memory_len = 0;
  if (flags & setup::NO_MMAP) {
    // NO_MMAP: we supply the rings (cq_off.user_addr) and the SQE array (sq_off.user_addr), page aligned.
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    user_memory_len = 2 * page;
    user_memory = mmap(nullptr, user_memory_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (user_memory == MAP_FAILED) {
      trial.resource = "two pages of user memory for the rings";
      trial.resource_err = errno;
      if (attach_to >= 0) close(attach_to);
      return trial;
    }
    p.cq_off.user_addr = reinterpret_cast<uint64_t>(user_memory);
    p.sq_off.user_addr = reinterpret_cast<uint64_t>(static_cast<uint8_t*>(user_memory) + page);
  }

  int fd = uring::sys::setup(entries, &p);
  if (fd < 0) {
    trial.err = -fd;
  } else {
    trial.features = p.features;
    trial.sq_entries = p.sq_entries;
    trial.cq_entries = p.cq_entries;
    if (flags & setup::REGISTERED_FD_ONLY)
      unregister_ring_index(fd);
    else
      close(fd);
  }
  if (attach_to >= 0) close(attach_to);
  // The kernel pinned the pages it uses; our mapping can go.
  if (user_memory) munmap(user_memory, user_memory_len);
  return trial;
}

}  // namespace probe
