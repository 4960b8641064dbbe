// Compile-time agreement between our ABI (abi.h, catalog.h) and the build machine's <linux/io_uring.h>,
// wherever that header has the item. The header may be older than the running kernel; we never use it.
#include "abi.h"

#if __has_include(<linux/io_uring.h>)
#include <linux/io_uring.h>

namespace a = uring::abi;
namespace c = uring::catalog;

static_assert(sizeof(io_uring_sqe) == sizeof(a::Sqe));
static_assert(offsetof(io_uring_sqe, opcode) == offsetof(a::Sqe, opcode));
static_assert(offsetof(io_uring_sqe, flags) == offsetof(a::Sqe, flags));
static_assert(offsetof(io_uring_sqe, ioprio) == offsetof(a::Sqe, ioprio));
static_assert(offsetof(io_uring_sqe, fd) == offsetof(a::Sqe, fd));
static_assert(offsetof(io_uring_sqe, off) == offsetof(a::Sqe, off));
static_assert(offsetof(io_uring_sqe, addr) == offsetof(a::Sqe, addr));
static_assert(offsetof(io_uring_sqe, len) == offsetof(a::Sqe, len));
static_assert(offsetof(io_uring_sqe, rw_flags) == offsetof(a::Sqe, op_flags));
static_assert(offsetof(io_uring_sqe, user_data) == offsetof(a::Sqe, user_data));
static_assert(offsetof(io_uring_sqe, buf_index) == offsetof(a::Sqe, buf_index));
static_assert(offsetof(io_uring_sqe, personality) == offsetof(a::Sqe, personality));
static_assert(offsetof(io_uring_sqe, file_index) == offsetof(a::Sqe, file_index));
static_assert(offsetof(io_uring_sqe, addr3) == offsetof(a::Sqe, addr3));
static_assert(sizeof(io_uring_cqe) == sizeof(a::Cqe));
static_assert(offsetof(io_uring_cqe, res) == offsetof(a::Cqe, res));
static_assert(offsetof(io_uring_cqe, flags) == offsetof(a::Cqe, flags));
static_assert(sizeof(io_uring_params) == sizeof(a::Params));
static_assert(offsetof(io_uring_params, features) == offsetof(a::Params, features));
static_assert(offsetof(io_uring_params, sq_off) == offsetof(a::Params, sq_off));
static_assert(offsetof(io_uring_params, cq_off) == offsetof(a::Params, cq_off));
static_assert(offsetof(io_sqring_offsets, array) == offsetof(a::SqRingOffsets, array));
static_assert(offsetof(io_cqring_offsets, cqes) == offsetof(a::CqRingOffsets, cqes));
static_assert(offsetof(io_cqring_offsets, flags) == offsetof(a::CqRingOffsets, flags));
static_assert(sizeof(io_uring_probe_op) == sizeof(a::ProbeOp));
static_assert(sizeof(io_uring_probe) == sizeof(a::Probe));
static_assert(sizeof(io_uring_rsrc_update) == sizeof(a::RsrcUpdate));
static_assert(IO_URING_OP_SUPPORTED == a::kProbeOpSupported);
static_assert(IORING_OFF_SQ_RING == a::kOffSqRing);
static_assert(IORING_OFF_CQ_RING == a::kOffCqRing);
static_assert(IORING_OFF_SQES == a::kOffSqes);
static_assert(IORING_SQ_NEED_WAKEUP == a::kSqNeedWakeup);
static_assert(IORING_SQ_CQ_OVERFLOW == a::kSqCqOverflow);
static_assert(IORING_CQE_F_BUFFER == a::kCqeFBuffer);
static_assert(IORING_CQE_F_MORE == a::kCqeFMore);
static_assert(IORING_CQE_BUFFER_SHIFT == a::kCqeBufferShift);
static_assert(IORING_TIMEOUT_ABS == a::kTimeoutAbs);
static_assert(IORING_ASYNC_CANCEL_ALL == a::kAsyncCancelAll);
static_assert(IORING_ASYNC_CANCEL_FD == a::kAsyncCancelFd);
static_assert(IORING_ASYNC_CANCEL_ANY == a::kAsyncCancelAny);
static_assert(IORING_POLL_ADD_MULTI == a::kPollAddMulti);
static_assert(IOSQE_FIXED_FILE == c::sqe_flag::FIXED_FILE);
static_assert(IOSQE_IO_LINK == c::sqe_flag::IO_LINK);
static_assert(IOSQE_BUFFER_SELECT == c::sqe_flag::BUFFER_SELECT);
static_assert(IORING_SETUP_IOPOLL == c::setup::IOPOLL);
static_assert(IORING_SETUP_SQPOLL == c::setup::SQPOLL);
static_assert(IORING_SETUP_CQSIZE == c::setup::CQSIZE);
static_assert(IORING_SETUP_CLAMP == c::setup::CLAMP);
static_assert(IORING_SETUP_R_DISABLED == c::setup::R_DISABLED);
static_assert(IORING_FEAT_SINGLE_MMAP == c::feat::SINGLE_MMAP);
static_assert(IORING_FEAT_NODROP == c::feat::NODROP);
static_assert(IORING_FEAT_FAST_POLL == c::feat::FAST_POLL);
static_assert(IORING_ENTER_GETEVENTS == c::enter::GETEVENTS);
static_assert(IORING_ENTER_SQ_WAKEUP == c::enter::SQ_WAKEUP);
static_assert(IORING_OP_NOP == c::op::NOP);
static_assert(IORING_OP_READV == c::op::READV);
static_assert(IORING_OP_POLL_ADD == c::op::POLL_ADD);
static_assert(IORING_OP_SENDMSG == c::op::SENDMSG);
static_assert(IORING_OP_TIMEOUT == c::op::TIMEOUT);
static_assert(IORING_OP_ACCEPT == c::op::ACCEPT);
static_assert(IORING_OP_ASYNC_CANCEL == c::op::ASYNC_CANCEL);
static_assert(IORING_OP_LINK_TIMEOUT == c::op::LINK_TIMEOUT);
static_assert(IORING_OP_CONNECT == c::op::CONNECT);
static_assert(IORING_OP_CLOSE == c::op::CLOSE);
static_assert(IORING_OP_READ == c::op::READ);
static_assert(IORING_OP_WRITE == c::op::WRITE);
static_assert(IORING_OP_SEND == c::op::SEND);
static_assert(IORING_OP_RECV == c::op::RECV);
static_assert(IORING_OP_PROVIDE_BUFFERS == c::op::PROVIDE_BUFFERS);
static_assert(IORING_OP_SHUTDOWN == c::op::SHUTDOWN);
static_assert(IORING_REGISTER_BUFFERS == c::reg::REGISTER_BUFFERS);
static_assert(IORING_REGISTER_FILES == c::reg::REGISTER_FILES);
static_assert(IORING_REGISTER_PROBE == c::reg::REGISTER_PROBE);
static_assert(IORING_REGISTER_RESTRICTIONS == c::reg::REGISTER_RESTRICTIONS);
static_assert(sizeof(io_uring_restriction) == sizeof(a::Restriction));
static_assert(offsetof(io_uring_restriction, register_op) == offsetof(a::Restriction, op));
static_assert(IORING_RESTRICTION_REGISTER_OP == a::kRestrictionRegisterOp);
static_assert(IORING_RESTRICTION_SQE_OP == a::kRestrictionSqeOp);

#ifdef IORING_SETUP_COOP_TASKRUN  // 5.19 header
static_assert(IORING_SETUP_COOP_TASKRUN == c::setup::COOP_TASKRUN);
static_assert(IORING_SETUP_TASKRUN_FLAG == c::setup::TASKRUN_FLAG);
static_assert(IORING_SETUP_SQE128 == c::setup::SQE128);
static_assert(IORING_SETUP_CQE32 == c::setup::CQE32);
static_assert(IORING_SQ_TASKRUN == a::kSqTaskrun);
static_assert(IORING_OP_MSG_RING == c::op::MSG_RING);
static_assert(IORING_OP_FSETXATTR == c::op::FSETXATTR);
static_assert(IORING_OP_SOCKET == c::op::SOCKET);
static_assert(IORING_REGISTER_RING_FDS == c::reg::REGISTER_RING_FDS);
static_assert(IORING_REGISTER_PBUF_RING == c::reg::REGISTER_PBUF_RING);
static_assert(IORING_ENTER_REGISTERED_RING == c::enter::REGISTERED_RING);
static_assert(IORING_FEAT_LINKED_FILE == c::feat::LINKED_FILE);
static_assert(IORING_ACCEPT_MULTISHOT == a::kAcceptMultishot);
static_assert(sizeof(io_uring_buf) == sizeof(a::Buf));
static_assert(sizeof(io_uring_buf_reg) == sizeof(a::BufReg));
static_assert(offsetof(io_uring_buf_ring, tail) == a::kBufRingTailOffset);
#endif
#ifdef IORING_SETUP_SINGLE_ISSUER  // 6.0 header
static_assert(IORING_SETUP_SINGLE_ISSUER == c::setup::SINGLE_ISSUER);
static_assert(IORING_RECV_MULTISHOT == a::kRecvMultishot);
static_assert(IORING_RECVSEND_POLL_FIRST == a::kRecvsendPollFirst);
static_assert(IORING_CQE_F_NOTIF == a::kCqeFNotif);
static_assert(IORING_CQE_F_SOCK_NONEMPTY == a::kCqeFSockNonempty);
static_assert(IORING_OP_SEND_ZC == c::op::SEND_ZC);
static_assert(IORING_REGISTER_SYNC_CANCEL == c::reg::REGISTER_SYNC_CANCEL);
static_assert(IORING_REGISTER_FILE_ALLOC_RANGE == c::reg::REGISTER_FILE_ALLOC_RANGE);
static_assert(IORING_FILE_INDEX_ALLOC == a::kFileIndexAlloc);
#endif
#ifdef IORING_SETUP_DEFER_TASKRUN  // 6.1 header
static_assert(IORING_SETUP_DEFER_TASKRUN == c::setup::DEFER_TASKRUN);
static_assert(IORING_OP_SENDMSG_ZC == c::op::SENDMSG_ZC);
static_assert(IORING_RECVSEND_FIXED_BUF == a::kRecvsendFixedBuf);
#endif
#ifdef IORING_SETUP_NO_MMAP  // 6.5 header
static_assert(IORING_SETUP_NO_MMAP == c::setup::NO_MMAP);
static_assert(IORING_SETUP_REGISTERED_FD_ONLY == c::setup::REGISTERED_FD_ONLY);
static_assert(IORING_FEAT_REG_REG_RING == c::feat::REG_REG_RING);
#endif
#ifdef IORING_SETUP_NO_SQARRAY  // 6.6 header
static_assert(IORING_SETUP_NO_SQARRAY == c::setup::NO_SQARRAY);
#endif
#ifdef IORING_RECVSEND_BUNDLE  // 6.10 header
static_assert(IORING_RECVSEND_BUNDLE == a::kRecvsendBundle);
static_assert(IORING_FEAT_RECVSEND_BUNDLE == c::feat::RECVSEND_BUNDLE);
#endif
#ifdef IORING_CQE_F_BUF_MORE  // 6.12 header
static_assert(IORING_CQE_F_BUF_MORE == a::kCqeFBufMore);
static_assert(IOU_PBUF_RING_INC == a::kPbufRingInc);
#endif
#if __has_include(<linux/io_uring/query.h>)  // 6.18 headers
#include <linux/io_uring/query.h>
static_assert(sizeof(io_uring_query_hdr) == sizeof(a::QueryHdr));
static_assert(offsetof(io_uring_query_hdr, result) == offsetof(a::QueryHdr, result));
static_assert(sizeof(io_uring_query_opcode) == sizeof(a::QueryOpcodes));
static_assert(offsetof(io_uring_query_opcode, nr_query_opcodes) == offsetof(a::QueryOpcodes, nr_query_opcodes));
static_assert(IO_URING_QUERY_OPCODES == a::kQueryOpcodes);
#endif
#endif  // __has_include(<linux/io_uring.h>)
