// Trial io_uring_setup calls, one flag word at a time, with whatever memory, fds or CPU the flags
// need, so "the kernel rejected the flag" is told apart from "the test could not get its resources".
#pragma once
#include <cstdint>
#include <string>

namespace probe {

struct SetupTrial {
  int err = 0;               // errno from io_uring_setup; 0 when the kernel accepted the flags
  uint32_t features = 0;     // io_uring_params.features, when accepted
  unsigned sq_entries = 0;
  unsigned cq_entries = 0;
  std::string resource;      // what the test could not get before calling the kernel ("" if nothing)
  int resource_err = 0;
};

// Creates and immediately destroys a ring with exactly `flags` (IORING_SETUP_*). Prerequisite
// flags are the caller's business; resources (user memory, a ring to attach to, a CPU) are ours.
SetupTrial try_setup(uint32_t flags);

}  // namespace probe
