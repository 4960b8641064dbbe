// Does this kernel's io_uring accept IORING_REGISTER_ZCRX_IFQ? A read-only test: the registration is
// given an unreadable argument, so a kernel that knows the opcode stops at copying it (-EFAULT), or at
// the capability check before that (-EPERM); one built without zcrx says -EOPNOTSUPP, and one that
// predates the opcode says -EINVAL. Nothing is registered either way.
#pragma once

namespace zcrx {

struct RegisterTest {
  int setup_error = 0;     // 0, or -errno from io_uring_setup (DEFER_TASKRUN|SINGLE_ISSUER|CQE32)
  int register_error = 0;  // -errno from IORING_REGISTER_ZCRX_IFQ (never 0: the argument is unreadable)
};

RegisterTest register_test();

}  // namespace zcrx
