// The zcrx part of the native addon (native/zcrx/register_test.cc).
export interface ZcrxNative {
  /** Errno values (0 = success) of io_uring_setup and of an IORING_REGISTER_ZCRX_IFQ with an unreadable argument. */
  zcrxRegisterTest(): {setupErrno: number; registerErrno: number}
}
