// Our own definitions of the io_uring kernel ABI: struct layouts and the flag values that are not in the
// catalog (data/io_uring_catalog.tsv -> catalog.h). Independent of the build machine's <linux/io_uring.h>;
// abi_check.cc compares the two where the system header has the item.
#pragma once
#include <cstddef>
#include <cstdint>

#include "catalog.h"

namespace uring::abi {

struct Sqe {
  uint8_t opcode;
  uint8_t flags;
  uint16_t ioprio;       // also accept flags and recv/send flags
  int32_t fd;
  uint64_t off;          // also addr2, cmd_op
  uint64_t addr;         // also splice_off_in, level/optname
  uint32_t len;
  uint32_t op_flags;     // rw_flags, msg_flags, timeout_flags, accept_flags, poll32_events, ...
  uint64_t user_data;
  uint16_t buf_index;    // also buf_group
  uint16_t personality;
  uint32_t file_index;   // also splice_fd_in, addr_len, optlen, zcrx_ifq_idx
  uint64_t addr3;
  uint64_t pad2;
};
static_assert(sizeof(Sqe) == 64, "io_uring_sqe is 64 bytes");

struct Cqe {
  uint64_t user_data;
  int32_t res;
  uint32_t flags;
};
static_assert(sizeof(Cqe) == 16, "io_uring_cqe is 16 bytes");

struct SqRingOffsets {
  uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1;
  uint64_t user_addr;
};
struct CqRingOffsets {
  uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1;
  uint64_t user_addr;
};
struct Params {
  uint32_t sq_entries;
  uint32_t cq_entries;
  uint32_t flags;
  uint32_t sq_thread_cpu;
  uint32_t sq_thread_idle;
  uint32_t features;
  uint32_t wq_fd;
  uint32_t resv[3];
  SqRingOffsets sq_off;
  CqRingOffsets cq_off;
};
static_assert(sizeof(Params) == 120, "io_uring_params is 120 bytes");

struct ProbeOp {
  uint8_t op;
  uint8_t resv;
  uint16_t flags;  // kProbeOpSupported
  uint32_t resv2;
};
struct Probe {
  uint8_t last_op;
  uint8_t ops_len;
  uint16_t resv;
  uint32_t resv2[3];
  ProbeOp ops[];
};
constexpr uint16_t kProbeOpSupported = 1u << 0;

struct RsrcUpdate {
  uint32_t offset;
  uint32_t resv;
  uint64_t data;
};

struct Buf {
  uint64_t addr;
  uint32_t len;
  uint16_t bid;
  uint16_t resv;  // in bufs[0], this is the ring tail
};
static_assert(sizeof(Buf) == 16, "io_uring_buf is 16 bytes");
constexpr size_t kBufRingTailOffset = 14;

struct BufReg {
  uint64_t ring_addr;
  uint32_t ring_entries;
  uint16_t bgid;
  uint16_t flags;
  uint64_t resv[3];
};
constexpr uint16_t kPbufRingMmap = 1u << 0;  // 6.4
constexpr uint16_t kPbufRingInc = 1u << 1;   // 6.12

struct KernelTimespec {
  int64_t tv_sec;
  long long tv_nsec;
};

struct GeteventsArg {
  uint64_t sigmask;
  uint32_t sigmask_sz;
  uint32_t min_wait_usec;  // 6.12; was padding
  uint64_t ts;
};

// 6.18 IORING_REGISTER_QUERY: a chain of headers, each naming a query op and its result buffer.
struct QueryHdr {
  uint64_t next_entry;
  uint64_t query_data;
  uint32_t query_op;
  uint32_t size;
  int32_t result;
  uint32_t resv[3];
};
constexpr uint32_t kQueryOpcodes = 0;
struct QueryOpcodes {
  uint32_t nr_request_opcodes;
  uint32_t nr_register_opcodes;
  uint64_t feature_flags;
  uint64_t ring_setup_flags;
  uint64_t enter_flags;
  uint64_t sqe_flags;
  uint32_t nr_query_opcodes;
  uint32_t pad;
};
static_assert(sizeof(QueryHdr) == 40, "io_uring_query_hdr is 40 bytes");
static_assert(sizeof(QueryOpcodes) == 48, "io_uring_query_opcode is 48 bytes");

// IORING_REGISTER_RESTRICTIONS entry (5.10); `op` is register_op, sqe_op or sqe_flags by `opcode`.
struct Restriction {
  uint16_t opcode;
  uint8_t op;
  uint8_t resv;
  uint32_t resv2[3];
};
static_assert(sizeof(Restriction) == 16, "io_uring_restriction is 16 bytes");
constexpr uint16_t kRestrictionRegisterOp = 0;
constexpr uint16_t kRestrictionSqeOp = 1;

// mmap offsets for io_uring_setup's fd
constexpr uint64_t kOffSqRing = 0;
constexpr uint64_t kOffCqRing = 0x8000000ULL;
constexpr uint64_t kOffSqes = 0x10000000ULL;
constexpr uint64_t kOffPbufRing = 0x80000000ULL;
constexpr unsigned kOffPbufShift = 16;

// sq ring flags (kernel-written)
constexpr uint32_t kSqNeedWakeup = 1u << 0;
constexpr uint32_t kSqCqOverflow = 1u << 1;
constexpr uint32_t kSqTaskrun = 1u << 2;

// cqe->flags
constexpr uint32_t kCqeFBuffer = 1u << 0;
constexpr uint32_t kCqeFMore = 1u << 1;
constexpr uint32_t kCqeFSockNonempty = 1u << 2;
constexpr uint32_t kCqeFNotif = 1u << 3;
constexpr uint32_t kCqeFBufMore = 1u << 4;
constexpr unsigned kCqeBufferShift = 16;

// sqe->ioprio for send/recv
constexpr uint16_t kRecvsendPollFirst = 1u << 0;
constexpr uint16_t kRecvMultishot = 1u << 1;
constexpr uint16_t kRecvsendFixedBuf = 1u << 2;
constexpr uint16_t kSendZcReportUsage = 1u << 3;
constexpr uint16_t kRecvsendBundle = 1u << 4;

// sqe->ioprio for accept
constexpr uint16_t kAcceptMultishot = 1u << 0;
constexpr uint16_t kAcceptDontwait = 1u << 1;
constexpr uint16_t kAcceptPollFirst = 1u << 2;

// sqe->len for poll add
constexpr uint32_t kPollAddMulti = 1u << 0;

// sqe->op_flags for timeouts
constexpr uint32_t kTimeoutAbs = 1u << 0;
constexpr uint32_t kTimeoutMultishot = 1u << 6;

// sqe->op_flags for async cancel
constexpr uint32_t kAsyncCancelAll = 1u << 0;
constexpr uint32_t kAsyncCancelFd = 1u << 1;
constexpr uint32_t kAsyncCancelAny = 1u << 2;
constexpr uint32_t kAsyncCancelFdFixed = 1u << 3;

// sqe->addr for IORING_OP_MSG_RING
constexpr uint64_t kMsgData = 0;

constexpr uint32_t kFileIndexAlloc = ~0u;

}  // namespace uring::abi
