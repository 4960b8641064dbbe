#include "probe/kernel_tables.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "uring/syscalls.h"

namespace probe {

namespace abi = uring::abi;
namespace catalog = uring::catalog;

namespace {
// Owns one ring fd for the length of a probe.
struct RingFd {
  int fd;
  explicit RingFd(int f) : fd(f) {}
  ~RingFd() { if (fd >= 0) close(fd); }
};
}  // namespace

OpcodeProbe probe_opcodes() {
  OpcodeProbe out;
  abi::Params p{};
  RingFd ring(uring::sys::setup(1, &p));
  if (ring.fd < 0) {
    out.err = -ring.fd;
    return out;
  }
  constexpr unsigned kSlots = 256;  // every opcode an 8-bit field can name
  const size_t len = sizeof(abi::Probe) + kSlots * sizeof(abi::ProbeOp);
  // The kernel rejects a probe buffer that is not all zero.
  auto* buffer = static_cast<abi::Probe*>(calloc(1, len));
  if (!buffer) {
    out.err = ENOMEM;
    return out;
  }
  int r = uring::sys::register_op(ring.fd, catalog::reg::REGISTER_PROBE, buffer, kSlots);
  if (r < 0) {
    out.err = -r;
  } else {
    out.last_op = buffer->last_op;
    for (unsigned i = 0; i < buffer->ops_len && i < kSlots; ++i) out.flags.push_back(buffer->ops[i].flags);
  }
  free(buffer);
  return out;
}

RegisterOpcodeProbe probe_register_opcodes(unsigned limit) {
  RegisterOpcodeProbe out;
  for (unsigned op = 0; op < limit && op < 256; ++op) {
    abi::Params p{};
    p.flags = catalog::setup::R_DISABLED;  // restrictions may only be registered on a disabled ring
    RingFd ring(uring::sys::setup(1, &p));
    if (ring.fd < 0) {
      out.err = -ring.fd;
      out.errors.clear();
      return out;
    }
    abi::Restriction restriction{};
    restriction.opcode = abi::kRestrictionRegisterOp;
    restriction.op = static_cast<uint8_t>(op);
    int r = uring::sys::register_op(ring.fd, catalog::reg::REGISTER_RESTRICTIONS, &restriction, 1);
    out.errors.push_back(r < 0 ? -r : 0);
  }
  return out;
}

QueryOutcome query_opcodes() {
  QueryOutcome out;
  abi::QueryHdr hdr{};
  hdr.query_data = reinterpret_cast<uint64_t>(&out.opcodes);
  hdr.query_op = abi::kQueryOpcodes;
  hdr.size = sizeof(out.opcodes);
  // fd -1: the query needs no ring (and so works where io_uring_setup is refused).
  int r = uring::sys::register_op(-1, catalog::reg::REGISTER_QUERY, &hdr, 0);
  out.err = r < 0 ? -r : 0;
  out.result = hdr.result;
  return out;
}

}  // namespace probe
