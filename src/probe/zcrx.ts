// Does this kernel have zero-copy receive (zcrx), and may this process register an interface queue?
// Answered by calling IORING_REGISTER_ZCRX_IFQ with an unreadable argument: no device is touched.
import {errno, errnoName} from './errno.js'
import {parseProcStatus, readText} from './host.js'
import {probeNative, type ZcrxRegisterTest} from './native.js'

export interface ZcrxSupport {
  /** true: the kernel has zcrx and this process may use it; false: it cannot; null: could not tell. */
  usable: boolean | null
  /** The kernel implements IORING_REGISTER_ZCRX_IFQ (whatever this process's privileges). */
  kernelHas: boolean | null
  errno: number | null
  errnoName: string | null
  detail: string
}

/** `capNetAdmin`: whether this process has CAP_NET_ADMIN, to tell the kernel's EPERM from a filter's. */
export function interpretZcrxProbe(probe: ZcrxRegisterTest, capNetAdmin: boolean | null): ZcrxSupport {
  const result = (usable: boolean | null, kernelHas: boolean | null, code: number | null, detail: string): ZcrxSupport => ({
    usable,
    kernelHas,
    errno: code,
    errnoName: code === null ? null : errnoName(code),
    detail,
  })
  if (probe.setupErrno === errno.EINVAL) {
    return result(false, false, probe.setupErrno, 'the ring zcrx needs (SINGLE_ISSUER|DEFER_TASKRUN|CQE32) is rejected: kernel before 6.1')
  }
  if (probe.setupErrno !== 0) {
    return result(null, null, probe.setupErrno, `could not create the ring zcrx needs: ${errnoName(probe.setupErrno)}`)
  }
  switch (probe.registerErrno) {
    case errno.EFAULT:
      return result(true, true, probe.registerErrno, 'the kernel has zcrx and this process may register queues')
    case errno.EPERM:
      return capNetAdmin === true
        ? result(false, null, probe.registerErrno, 'IORING_REGISTER_ZCRX_IFQ is refused (EPERM) despite CAP_NET_ADMIN: a seccomp filter or LSM?')
        : result(false, true, probe.registerErrno, 'the kernel has zcrx, but registering an interface queue needs CAP_NET_ADMIN')
    case errno.EOPNOTSUPP:
      return result(false, false, probe.registerErrno, 'the kernel was built without CONFIG_IO_URING_ZCRX')
    case errno.EINVAL:
      return result(false, false, probe.registerErrno, 'the kernel does not know IORING_REGISTER_ZCRX_IFQ (before 6.15)')
    default:
      return result(false, null, probe.registerErrno, `IORING_REGISTER_ZCRX_IFQ answered ${errnoName(probe.registerErrno)}`)
  }
}

/** The zcrx register test on this kernel (a ring setup and one register call). */
export function checkZcrx(): ZcrxSupport {
  const status = parseProcStatus(readText('/proc/self/status') ?? '')
  return interpretZcrxProbe(probeNative().zcrxRegisterTest(), status.capNetAdmin)
}
