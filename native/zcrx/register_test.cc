#include "register_test.h"

#include <sys/mman.h>
#include <cerrno>
#include <unistd.h>

#include "uring/catalog.h"
#include "uring/ring.h"

namespace zcrx {

RegisterTest register_test() {
  RegisterTest result;
  uring::Ring ring;
  uring::RingOptions options;
  options.entries = 4;
  // The flags zcrx registration insists on before it reads its argument.
  options.flags = uring::catalog::setup::DEFER_TASKRUN | uring::catalog::setup::SINGLE_ISSUER |
                  uring::catalog::setup::CQE32;
  result.setup_error = ring.init(options);
  if (result.setup_error < 0) return result;
  // A PROT_NONE page: copy_from_user on it fails with -EFAULT, so no interface queue is ever touched.
  long page = sysconf(_SC_PAGESIZE);
  void* unreadable = mmap(nullptr, static_cast<size_t>(page), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (unreadable == MAP_FAILED) {
    result.setup_error = -errno;
    return result;
  }
  result.register_error = ring.register_op(uring::catalog::reg::REGISTER_ZCRX_IFQ, unreadable, 1);
  munmap(unreadable, static_cast<size_t>(page));
  return result;
}

}  // namespace zcrx
