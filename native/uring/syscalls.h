// Raw io_uring system calls. Return -errno on failure, never touch errno's meaning for callers.
#pragma once
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "abi.h"

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register 427
#endif

namespace uring::sys {

inline int setup(unsigned entries, abi::Params* params) {
  long r = syscall(__NR_io_uring_setup, entries, params);
  return r < 0 ? -errno : static_cast<int>(r);
}

inline int enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags, const void* arg,
                 size_t argsz) {
  long r = syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, arg, argsz);
  return r < 0 ? -errno : static_cast<int>(r);
}

inline int register_op(int fd, unsigned opcode, const void* arg, unsigned nr_args) {
  long r = syscall(__NR_io_uring_register, fd, opcode, arg, nr_args);
  return r < 0 ? -errno : static_cast<int>(r);
}

}  // namespace uring::sys
