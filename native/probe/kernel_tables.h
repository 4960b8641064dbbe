// What the kernel says it knows: request opcodes (IORING_REGISTER_PROBE), register opcodes (the
// restriction parser's range check) and IORING_REGISTER_QUERY (6.18+). The zcrx register test is
// shared with tcp-data-split: native/zcrx/register_test.h.
#pragma once
#include <cstdint>
#include <vector>

#include "uring/abi.h"

namespace probe {

struct OpcodeProbe {
  int err = 0;                  // errno of io_uring_setup or IORING_REGISTER_PROBE; 0 on success
  unsigned last_op = 0;         // the kernel's IORING_OP_LAST - 1
  std::vector<uint16_t> flags;  // per opcode 0..ops_len-1: IO_URING_OP_SUPPORTED or 0
};
OpcodeProbe probe_opcodes();

struct RegisterOpcodeProbe {
  int err = 0;                   // errno of the R_DISABLED ring setup (5.10+ needed); 0 on success
  std::vector<int> errors;       // per register opcode 0..limit-1: 0 when the kernel knows it, else errno
};
// The kernel's IORING_REGISTER_RESTRICTIONS parser rejects register opcodes >= IORING_REGISTER_LAST
// without side effects, which makes it a probe for "does this kernel know register opcode N".
RegisterOpcodeProbe probe_register_opcodes(unsigned limit);

struct QueryOutcome {
  int err = 0;     // errno of io_uring_register(-1, IORING_REGISTER_QUERY, ...)
  int result = 0;  // the query header's own result (0 or -errno)
  uring::abi::QueryOpcodes opcodes{};
};
QueryOutcome query_opcodes();

}  // namespace probe
