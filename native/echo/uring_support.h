// What the running kernel's io_uring offers the echo engine, found by asking it (setup flags accepted,
// IORING_REGISTER_PROBE, feature bits) and by trying each multishot/bundle request once on a loopback
// socket. Never from build headers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "echo/engine.h"

namespace echo {

struct UringSupport {
  int setup_errno = 0;       // io_uring_setup with no flags: 0 when io_uring is usable at all
  std::string missing_op;    // a required opcode the kernel lacks (accept, recv, send, ...)
  uint32_t ring_flags = 0;   // the best IORING_SETUP_* set the kernel accepted (without CQSIZE)
  uint32_t features = 0;     // IORING_FEAT_*
  int sqpoll_errno = 0;      // when --sqpoll was asked and refused
  bool sendmsg = false;
  bool registered_ring = false;
  bool buffer_ring = false;
  bool multishot_accept = false;
  bool multishot_recv = false;
  bool recv_limit = false;   // a multishot recv ends after a byte budget (sqe->optlen), found by trying it
  bool bundle = false;
  bool min_timeout = false;  // batched waits (IORING_FEAT_MIN_TIMEOUT)

  // Names of the techniques an engine built from this will use.
  std::vector<std::string> feature_names(const Config& config) const;
};

// Tries only what `wanted` allows; the result is what the engine threads will use.
UringSupport detect_uring_support(const UringTechniques& wanted);

// io_uring_setup with no flags: 0 or the errno (io_uring not usable at all).
int uring_setup_errno();

}  // namespace echo
