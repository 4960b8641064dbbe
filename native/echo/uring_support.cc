#include "echo/uring_support.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

#include "uring/prep.h"
#include "uring/ring.h"

namespace echo {

namespace setup = uring::catalog::setup;
namespace op = uring::catalog::op;

namespace {

constexpr uint64_t kTried = 1;
constexpr uint64_t kMarker = 2;

// Opcodes the engine cannot run without, with the names `uringctl probe` gives them.
struct RequiredOp {
  uint8_t opcode;
  const char* name;
};
constexpr RequiredOp kRequiredOps[] = {
    {op::ACCEPT, "IORING_OP_ACCEPT"}, {op::RECV, "IORING_OP_RECV"},
    {op::SEND, "IORING_OP_SEND"},     {op::ASYNC_CANCEL, "IORING_OP_ASYNC_CANCEL"},
    {op::TIMEOUT, "IORING_OP_TIMEOUT"}, {op::READ, "IORING_OP_READ"},
};

struct ScopedFd {
  int fd = -1;
  ~ScopedFd() { if (fd >= 0) close(fd); }
};

// Submits the SQE `prepare` fills, followed by a NOP marker, and reports whether the kernel refused it
// with EINVAL (an unknown flag). A request the kernel accepts just stays armed until the ring closes.
template <typename Prepare>
bool kernel_accepts(uring::Ring& ring, Prepare&& prepare) {
  uring::abi::Sqe* tried = ring.get_sqe();
  prepare(tried);
  tried->user_data = kTried;
  uring::prep::nop(ring.get_sqe(), kMarker);
  int rc = (ring.features() & uring::catalog::feat::EXT_ARG) ? ring.submit_and_wait_timeout(1, 200'000'000)
                                                              : ring.submit_and_wait(1);
  if (rc < 0 && rc != -ETIME) return false;
  bool refused = false;
  ring.for_each_cqe([&](const uring::abi::Cqe& cqe) {
    if (cqe.user_data == kTried && cqe.res == -EINVAL) refused = true;
  });
  return !refused;
}

// Whether a multishot recv honours a total byte limit (sqe->optlen): given 1 byte, it must end after its
// first completion. Older kernels refuse the field (EINVAL) or would ignore it.
bool multishot_recv_limit_works(uring::Ring& ring) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return false;
  ScopedFd reader{fds[0]}, writer{fds[1]};
  if (write(writer.fd, "ab", 2) != 2) return false;
  uring::abi::Sqe* s = ring.get_sqe();
  uring::prep::recv_provided(s, reader.fd, 0, true, false, kTried);
  s->file_index = 1;
  int rc = (ring.features() & uring::catalog::feat::EXT_ARG) ? ring.submit_and_wait_timeout(1, 200'000'000)
                                                              : ring.submit_and_wait(1);
  if (rc < 0 && rc != -ETIME) return false;
  bool ended = false;
  ring.for_each_cqe([&](const uring::abi::Cqe& cqe) {
    if (cqe.user_data == kTried && cqe.res > 0 && !(cqe.flags & uring::abi::kCqeFMore)) ended = true;
  });
  return ended;
}

bool has_required_ops(uring::Ring& ring, UringSupport& support) {
  constexpr unsigned kOps = 256;
  auto storage = std::make_unique<uint8_t[]>(sizeof(uring::abi::Probe) + kOps * sizeof(uring::abi::ProbeOp));
  auto* probe = reinterpret_cast<uring::abi::Probe*>(storage.get());
  if (ring.register_op(uring::catalog::reg::REGISTER_PROBE, probe, kOps) < 0) {
    support.missing_op = "IORING_REGISTER_PROBE";
    return false;
  }
  auto supported = [&](uint8_t opcode) {
    return opcode <= probe->last_op && opcode < probe->ops_len &&
           (probe->ops[opcode].flags & uring::abi::kProbeOpSupported);
  };
  for (const auto& required : kRequiredOps) {
    if (!supported(required.opcode)) {
      support.missing_op = required.name;
      return false;
    }
  }
  support.sendmsg = supported(op::SENDMSG);
  return true;
}

}  // namespace

int uring_setup_errno() {
  uring::Ring ring;
  uring::RingOptions options;
  options.entries = 4;
  int rc = ring.init(options);
  return rc < 0 ? -rc : 0;
}

UringSupport detect_uring_support(const UringTechniques& wanted) {
  UringSupport support;
  support.setup_errno = uring_setup_errno();
  if (support.setup_errno) return support;

  // Best first; each later set drops what an older kernel refuses.
  std::vector<uint32_t> candidates;
  if (wanted.sqpoll) {
    candidates = {setup::SQPOLL | setup::SINGLE_ISSUER | setup::SUBMIT_ALL, setup::SQPOLL};
  } else {
    if (wanted.defer_taskrun)
      candidates.push_back(setup::SINGLE_ISSUER | setup::DEFER_TASKRUN | setup::SUBMIT_ALL);
    if (wanted.coop_taskrun) {
      candidates.push_back(setup::SINGLE_ISSUER | setup::COOP_TASKRUN | setup::TASKRUN_FLAG | setup::SUBMIT_ALL);
      candidates.push_back(setup::COOP_TASKRUN | setup::TASKRUN_FLAG | setup::SUBMIT_ALL);
    }
    candidates.push_back(setup::SUBMIT_ALL);
    candidates.push_back(0);
  }
  int first_errno = 0;
  bool chosen = false;
  for (uint32_t flags : candidates) {
    uring::Ring ring;
    uring::RingOptions options;
    options.entries = 8;
    options.flags = flags;
    options.sq_thread_idle = 100;
    int rc = ring.init(options);
    if (rc == 0) {
      support.ring_flags = flags;
      support.features = ring.features();
      chosen = true;
      break;
    }
    if (!first_errno) first_errno = -rc;
  }
  if (!chosen) {
    if (wanted.sqpoll) support.sqpoll_errno = first_errno;
    else support.setup_errno = first_errno;
    return support;
  }
  // 6.6: submission entries are taken in ring order, without the index array in between.
  {
    uring::Ring ring;
    uring::RingOptions options;
    options.entries = 8;
    options.flags = support.ring_flags | setup::NO_SQARRAY;
    options.sq_thread_idle = 100;
    if (ring.init(options) == 0) support.ring_flags = options.flags;
  }

  // Functional checks on a plain ring: a refused flag shows up as an EINVAL completion at submit time.
  uring::Ring ring;
  uring::RingOptions options;
  options.entries = 16;
  if (ring.init(options) < 0 || !has_required_ops(ring, support)) return support;
  support.registered_ring = wanted.registered_ring && ring.register_ring_fd() == 0;

  uring::BufferRing buffers;
  support.buffer_ring = wanted.buffer_ring && buffers.init(ring, 0, 8, 64) == 0;

  if (wanted.multishot_accept) {
    ScopedFd listener{socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    sockaddr autobind{AF_UNIX, {}};
    if (listener.fd >= 0 && bind(listener.fd, &autobind, sizeof(sa_family_t)) == 0 && listen(listener.fd, 1) == 0)
      support.multishot_accept = kernel_accepts(ring, [&](uring::abi::Sqe* s) {
        uring::prep::accept(s, listener.fd, true, 0);
      });
  }
  ScopedFd pair[2];
  int fds[2];
  if (support.buffer_ring && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0) {
    pair[0].fd = fds[0];
    pair[1].fd = fds[1];
    if (wanted.multishot_recv)
      support.multishot_recv = kernel_accepts(ring, [&](uring::abi::Sqe* s) {
        uring::prep::recv_provided(s, pair[0].fd, 0, true, false, 0);
      });
    support.recv_limit = support.multishot_recv && multishot_recv_limit_works(ring);
    // Bundles only inside a multishot recv with a byte limit: otherwise one completion may carry up to
    // 256 buffers (4 MiB by default) whatever --max-pending says.
    if (wanted.bundle && support.recv_limit && (support.features & uring::catalog::feat::RECVSEND_BUNDLE))
      support.bundle = kernel_accepts(ring, [&](uring::abi::Sqe* s) {
        uring::prep::recv_provided(s, pair[1].fd, 0, true, true, 0);
      });
  }
  buffers.release();
  support.min_timeout = support.features & uring::catalog::feat::MIN_TIMEOUT;
  return support;
}

std::vector<std::string> UringSupport::feature_names(const Config& config) const {
  const UringTechniques& wanted = config.uring;
  std::vector<std::string> names;
  if (ring_flags & setup::SQPOLL) names.push_back("sqpoll");
  if (ring_flags & setup::SINGLE_ISSUER) names.push_back("single-issuer");
  if (ring_flags & setup::DEFER_TASKRUN) names.push_back("defer-taskrun");
  if (ring_flags & setup::COOP_TASKRUN) names.push_back("coop-taskrun");
  if (ring_flags & setup::NO_SQARRAY) names.push_back("no-sqarray");
  if (registered_ring) names.push_back("registered-ring-fd");
  names.push_back(multishot_accept ? "multishot-accept" : "accept");
  if (buffer_ring) names.push_back("buffer-ring");
  names.push_back(multishot_recv ? "multishot-recv" : "recv");
  if (recv_limit) names.push_back("recv-limit");
  if (bundle) names.push_back("recv-bundle");
  if (sendmsg && wanted.sendmsg_batch) names.push_back("sendmsg-batch");
  names.push_back("batched-submit");
  if (min_timeout && config.batch_wait_us) names.push_back("batched-wait");
  names.push_back("so-reuseport");
  return names;
}

}  // namespace echo
