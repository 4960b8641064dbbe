// Generated from data/io_uring_catalog.tsv by scripts/gen-uring-catalog.js. Do not edit by hand.
#pragma once
#include <cstdint>

namespace uring::catalog {
namespace op {
constexpr uint8_t NOP = 0;  // 5.1
constexpr uint8_t READV = 1;  // 5.1
constexpr uint8_t WRITEV = 2;  // 5.1
constexpr uint8_t FSYNC = 3;  // 5.1
constexpr uint8_t READ_FIXED = 4;  // 5.1
constexpr uint8_t WRITE_FIXED = 5;  // 5.1
constexpr uint8_t POLL_ADD = 6;  // 5.1
constexpr uint8_t POLL_REMOVE = 7;  // 5.1
constexpr uint8_t SYNC_FILE_RANGE = 8;  // 5.2
constexpr uint8_t SENDMSG = 9;  // 5.3
constexpr uint8_t RECVMSG = 10;  // 5.3
constexpr uint8_t TIMEOUT = 11;  // 5.4
constexpr uint8_t TIMEOUT_REMOVE = 12;  // 5.5
constexpr uint8_t ACCEPT = 13;  // 5.5
constexpr uint8_t ASYNC_CANCEL = 14;  // 5.5
constexpr uint8_t LINK_TIMEOUT = 15;  // 5.5
constexpr uint8_t CONNECT = 16;  // 5.5
constexpr uint8_t FALLOCATE = 17;  // 5.6
constexpr uint8_t OPENAT = 18;  // 5.6
constexpr uint8_t CLOSE = 19;  // 5.6
constexpr uint8_t FILES_UPDATE = 20;  // 5.6
constexpr uint8_t STATX = 21;  // 5.6
constexpr uint8_t READ = 22;  // 5.6
constexpr uint8_t WRITE = 23;  // 5.6
constexpr uint8_t FADVISE = 24;  // 5.6
constexpr uint8_t MADVISE = 25;  // 5.6
constexpr uint8_t SEND = 26;  // 5.6
constexpr uint8_t RECV = 27;  // 5.6
constexpr uint8_t OPENAT2 = 28;  // 5.6
constexpr uint8_t EPOLL_CTL = 29;  // 5.6
constexpr uint8_t SPLICE = 30;  // 5.7
constexpr uint8_t PROVIDE_BUFFERS = 31;  // 5.7
constexpr uint8_t REMOVE_BUFFERS = 32;  // 5.7
constexpr uint8_t TEE = 33;  // 5.8
constexpr uint8_t SHUTDOWN = 34;  // 5.11
constexpr uint8_t RENAMEAT = 35;  // 5.11
constexpr uint8_t UNLINKAT = 36;  // 5.11
constexpr uint8_t MKDIRAT = 37;  // 5.15
constexpr uint8_t SYMLINKAT = 38;  // 5.15
constexpr uint8_t LINKAT = 39;  // 5.15
constexpr uint8_t MSG_RING = 40;  // 5.18
constexpr uint8_t FSETXATTR = 41;  // 5.19
constexpr uint8_t SETXATTR = 42;  // 5.19
constexpr uint8_t FGETXATTR = 43;  // 5.19
constexpr uint8_t GETXATTR = 44;  // 5.19
constexpr uint8_t SOCKET = 45;  // 5.19
constexpr uint8_t URING_CMD = 46;  // 5.19
constexpr uint8_t SEND_ZC = 47;  // 6.0
constexpr uint8_t SENDMSG_ZC = 48;  // 6.1
constexpr uint8_t READ_MULTISHOT = 49;  // 6.7
constexpr uint8_t WAITID = 50;  // 6.7
constexpr uint8_t FUTEX_WAIT = 51;  // 6.7
constexpr uint8_t FUTEX_WAKE = 52;  // 6.7
constexpr uint8_t FUTEX_WAITV = 53;  // 6.7
constexpr uint8_t FIXED_FD_INSTALL = 54;  // 6.8
constexpr uint8_t FTRUNCATE = 55;  // 6.9
constexpr uint8_t BIND = 56;  // 6.11
constexpr uint8_t LISTEN = 57;  // 6.11
constexpr uint8_t RECV_ZC = 58;  // 6.15
constexpr uint8_t EPOLL_WAIT = 59;  // 6.15
constexpr uint8_t READV_FIXED = 60;  // 6.15
constexpr uint8_t WRITEV_FIXED = 61;  // 6.15
constexpr uint8_t PIPE = 62;  // 6.16
constexpr uint8_t NOP128 = 63;  // 6.19
constexpr uint8_t URING_CMD128 = 64;  // 6.19
}  // namespace op
namespace setup {
constexpr uint32_t IOPOLL = 0x1;  // 5.1
constexpr uint32_t SQPOLL = 0x2;  // 5.1
constexpr uint32_t SQ_AFF = 0x4;  // 5.1
constexpr uint32_t CQSIZE = 0x8;  // 5.5
constexpr uint32_t CLAMP = 0x10;  // 5.6
constexpr uint32_t ATTACH_WQ = 0x20;  // 5.6
constexpr uint32_t R_DISABLED = 0x40;  // 5.10
constexpr uint32_t SUBMIT_ALL = 0x80;  // 5.18
constexpr uint32_t COOP_TASKRUN = 0x100;  // 5.19
constexpr uint32_t TASKRUN_FLAG = 0x200;  // 5.19
constexpr uint32_t SQE128 = 0x400;  // 5.19
constexpr uint32_t CQE32 = 0x800;  // 5.19
constexpr uint32_t SINGLE_ISSUER = 0x1000;  // 6.0
constexpr uint32_t DEFER_TASKRUN = 0x2000;  // 6.1
constexpr uint32_t NO_MMAP = 0x4000;  // 6.5
constexpr uint32_t REGISTERED_FD_ONLY = 0x8000;  // 6.5
constexpr uint32_t NO_SQARRAY = 0x10000;  // 6.6
constexpr uint32_t HYBRID_IOPOLL = 0x20000;  // 6.13
constexpr uint32_t CQE_MIXED = 0x40000;  // 6.18
constexpr uint32_t SQE_MIXED = 0x80000;  // 6.19
constexpr uint32_t SQ_REWIND = 0x100000;  // 7.0
}  // namespace setup
namespace feat {
constexpr uint32_t SINGLE_MMAP = 0x1;  // 5.4
constexpr uint32_t NODROP = 0x2;  // 5.5
constexpr uint32_t SUBMIT_STABLE = 0x4;  // 5.5
constexpr uint32_t RW_CUR_POS = 0x8;  // 5.6
constexpr uint32_t CUR_PERSONALITY = 0x10;  // 5.6
constexpr uint32_t FAST_POLL = 0x20;  // 5.7
constexpr uint32_t POLL_32BITS = 0x40;  // 5.9
constexpr uint32_t SQPOLL_NONFIXED = 0x80;  // 5.11
constexpr uint32_t EXT_ARG = 0x100;  // 5.11
constexpr uint32_t NATIVE_WORKERS = 0x200;  // 5.12
constexpr uint32_t RSRC_TAGS = 0x400;  // 5.13
constexpr uint32_t CQE_SKIP = 0x800;  // 5.17
constexpr uint32_t LINKED_FILE = 0x1000;  // 5.18
constexpr uint32_t REG_REG_RING = 0x2000;  // 6.3
constexpr uint32_t RECVSEND_BUNDLE = 0x4000;  // 6.10
constexpr uint32_t MIN_TIMEOUT = 0x8000;  // 6.12
constexpr uint32_t RW_ATTR = 0x10000;  // 6.14
constexpr uint32_t NO_IOWAIT = 0x20000;  // 6.15
}  // namespace feat
namespace enter {
constexpr uint32_t GETEVENTS = 0x1;  // 5.1
constexpr uint32_t SQ_WAKEUP = 0x2;  // 5.1
constexpr uint32_t SQ_WAIT = 0x4;  // 5.10
constexpr uint32_t EXT_ARG = 0x8;  // 5.11
constexpr uint32_t REGISTERED_RING = 0x10;  // 5.18
constexpr uint32_t ABS_TIMER = 0x20;  // 6.12
constexpr uint32_t EXT_ARG_REG = 0x40;  // 6.13
constexpr uint32_t NO_IOWAIT = 0x80;  // 6.15
}  // namespace enter
namespace sqe_flag {
constexpr uint8_t FIXED_FILE = 0x1;  // 5.1
constexpr uint8_t IO_DRAIN = 0x2;  // 5.2
constexpr uint8_t IO_LINK = 0x4;  // 5.3
constexpr uint8_t IO_HARDLINK = 0x8;  // 5.5
constexpr uint8_t ASYNC = 0x10;  // 5.6
constexpr uint8_t BUFFER_SELECT = 0x20;  // 5.7
constexpr uint8_t CQE_SKIP_SUCCESS = 0x40;  // 5.17
}  // namespace sqe_flag
namespace reg {
constexpr uint32_t REGISTER_BUFFERS = 0;  // 5.1
constexpr uint32_t UNREGISTER_BUFFERS = 1;  // 5.1
constexpr uint32_t REGISTER_FILES = 2;  // 5.1
constexpr uint32_t UNREGISTER_FILES = 3;  // 5.1
constexpr uint32_t REGISTER_EVENTFD = 4;  // 5.2
constexpr uint32_t UNREGISTER_EVENTFD = 5;  // 5.2
constexpr uint32_t REGISTER_FILES_UPDATE = 6;  // 5.5
constexpr uint32_t REGISTER_EVENTFD_ASYNC = 7;  // 5.6
constexpr uint32_t REGISTER_PROBE = 8;  // 5.6
constexpr uint32_t REGISTER_PERSONALITY = 9;  // 5.6
constexpr uint32_t UNREGISTER_PERSONALITY = 10;  // 5.6
constexpr uint32_t REGISTER_RESTRICTIONS = 11;  // 5.10
constexpr uint32_t REGISTER_ENABLE_RINGS = 12;  // 5.10
constexpr uint32_t REGISTER_FILES2 = 13;  // 5.13
constexpr uint32_t REGISTER_FILES_UPDATE2 = 14;  // 5.13
constexpr uint32_t REGISTER_BUFFERS2 = 15;  // 5.13
constexpr uint32_t REGISTER_BUFFERS_UPDATE = 16;  // 5.13
constexpr uint32_t REGISTER_IOWQ_AFF = 17;  // 5.14
constexpr uint32_t UNREGISTER_IOWQ_AFF = 18;  // 5.14
constexpr uint32_t REGISTER_IOWQ_MAX_WORKERS = 19;  // 5.15
constexpr uint32_t REGISTER_RING_FDS = 20;  // 5.18
constexpr uint32_t UNREGISTER_RING_FDS = 21;  // 5.18
constexpr uint32_t REGISTER_PBUF_RING = 22;  // 5.19
constexpr uint32_t UNREGISTER_PBUF_RING = 23;  // 5.19
constexpr uint32_t REGISTER_SYNC_CANCEL = 24;  // 6.0
constexpr uint32_t REGISTER_FILE_ALLOC_RANGE = 25;  // 6.0
constexpr uint32_t REGISTER_PBUF_STATUS = 26;  // 6.8
constexpr uint32_t REGISTER_NAPI = 27;  // 6.9
constexpr uint32_t UNREGISTER_NAPI = 28;  // 6.9
constexpr uint32_t REGISTER_CLOCK = 29;  // 6.12
constexpr uint32_t REGISTER_CLONE_BUFFERS = 30;  // 6.12
constexpr uint32_t REGISTER_SEND_MSG_RING = 31;  // 6.13
constexpr uint32_t REGISTER_ZCRX_IFQ = 32;  // 6.15
constexpr uint32_t REGISTER_RESIZE_RINGS = 33;  // 6.13
constexpr uint32_t REGISTER_MEM_REGION = 34;  // 6.13
constexpr uint32_t REGISTER_QUERY = 35;  // 6.18
constexpr uint32_t REGISTER_ZCRX_CTRL = 36;  // 6.19
constexpr uint32_t REGISTER_BPF_FILTER = 37;  // 7.0
}  // namespace reg
namespace reg_flag {
constexpr uint32_t USE_REGISTERED_RING = 0x80000000;  // 6.3
}  // namespace reg_flag
}  // namespace uring::catalog
