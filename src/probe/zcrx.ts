// Does this kernel have zero-copy receive (zcrx), and may this process register an interface queue?
// Answered by calling IORING_REGISTER_ZCRX_IFQ with an unreadable argument: no device is touched.
// The one reading of that test's errnos: `uringctl probe` and `tcp-data-split check` both use it.
import {seccompProfileFix} from './availability.js'
import {loadCatalog} from './catalog.js'
import {errno, errnoName} from '../base/errno.js'
import {parseProcStatus, readInitialUserNamespace, readText} from './host.js'
import {probeNative, type ZcrxRegisterTest} from './native.js'

/** What the kernel's capable(CAP_NET_ADMIN) in IORING_REGISTER_ZCRX_IFQ depends on. */
export interface ZcrxPrivilegeFacts {
  /** CAP_NET_ADMIN in this process's effective set; null when /proc/self/status is unreadable. */
  capNetAdmin: boolean | null
  /** In the initial user namespace, the one capable() looks in; null when /proc/self/ns/user is unreadable. */
  initialUserNamespace: boolean | null
}

export interface ZcrxPrivilege extends ZcrxPrivilegeFacts {
  /** Holds CAP_NET_ADMIN in the initial user namespace; null when neither the facts nor the test tell. */
  sufficient: boolean | null
  /** One line: the facts, and what the test registration said about them. */
  detail: string
  /** One line: how to get the privilege; null unless it is known to be missing. */
  fix: string | null
}

export interface ZcrxSupport {
  /** true: the kernel has zcrx and this process may use it; false: it cannot; null: could not tell. */
  usable: boolean | null
  /** The kernel implements IORING_REGISTER_ZCRX_IFQ (whatever this process's privileges). */
  kernelHas: boolean | null
  errno: number | null
  errnoName: string | null
  detail: string
  /** One line: what would remove the first obstacle; null when usable or when uringctl knows no fix. */
  fix: string | null
  privilege: ZcrxPrivilege
}

const privilegeFix = 'run as root in the initial user namespace (e.g. sudo uringctl ...), or grant CAP_NET_ADMIN to the zcrx process'
const filterFix = `${seccompProfileFix}; with no seccomp filter, look for an LSM denial in the audit log`

/** The first kernel release with zcrx, from the io_uring catalog. */
function zcrxFirstKernel(): string {
  return loadCatalog().named('IORING_REGISTER_ZCRX_IFQ').since
}

function zcrxKernelFix(): string {
  return `boot Linux ${zcrxFirstKernel()} or later built with CONFIG_IO_URING_ZCRX=y`
}

function privilegeDetail(facts: ZcrxPrivilegeFacts, registerErrno: number | null): string {
  const cap = facts.capNetAdmin === null ? 'CapEff unreadable' : facts.capNetAdmin ? 'CapEff has CAP_NET_ADMIN' : 'CapEff lacks CAP_NET_ADMIN'
  const ns = facts.initialUserNamespace === null ? 'user namespace unknown (/proc/self/ns/user unreadable)'
    : facts.initialUserNamespace ? 'in the initial user namespace' : 'inside a child user namespace'
  return `${cap}; ${ns}${registerErrno === errno.EPERM ? '; the zcrx test registration was refused with EPERM' : ''}`
}

/** The register test's answer, read with the privilege facts that tell the kernel's EPERM from a filter's. */
export function interpretZcrxProbe(probe: ZcrxRegisterTest, facts: ZcrxPrivilegeFacts): ZcrxSupport {
  const byFacts = facts.capNetAdmin === false || facts.initialUserNamespace === false ? false
    : facts.capNetAdmin === true && facts.initialUserNamespace === true ? true : null
  const registered = probe.setupErrno === 0
  const code = registered ? probe.registerErrno : probe.setupErrno
  // The kernel checks capable(CAP_NET_ADMIN) before reading the argument: when the facts cannot tell,
  // EFAULT says it passed and EPERM that it refused; when they say it is held, an EPERM is a filter's.
  const tested = !registered ? null : code === errno.EFAULT ? true : code === errno.EPERM ? false : null
  const sufficient = byFacts ?? tested
  const privilege: ZcrxPrivilege = {
    ...facts,
    sufficient,
    detail: privilegeDetail(facts, registered ? code : null),
    fix: sufficient === false ? privilegeFix : null,
  }
  const result = (usable: boolean | null, kernelHas: boolean | null, detail: string, fix: string | null): ZcrxSupport => ({
    usable,
    kernelHas,
    errno: code,
    errnoName: errnoName(code),
    detail,
    fix,
    privilege,
  })
  if (probe.setupErrno === errno.EINVAL) {
    const since = loadCatalog().named('IORING_SETUP_DEFER_TASKRUN').since
    return result(false, false, `the ring zcrx needs (SINGLE_ISSUER|DEFER_TASKRUN|CQE32) is rejected (EINVAL): kernel before ${since}`, zcrxKernelFix())
  }
  if (!registered) return result(null, null, `could not create the ring zcrx needs: ${errnoName(code)}`, null)
  switch (code) {
    case errno.EFAULT:
      return result(true, true, 'the kernel has zcrx and this process may register queues', null)
    case errno.EPERM:
      return sufficient === true
        ? result(false, null, 'IORING_REGISTER_ZCRX_IFQ is refused (EPERM) despite CAP_NET_ADMIN in the initial user namespace: a seccomp filter or LSM?', filterFix)
        : result(false, true, 'the kernel has zcrx, but registering an interface queue needs CAP_NET_ADMIN in the initial user namespace (EPERM)', privilegeFix)
    case errno.EOPNOTSUPP:
      return result(false, false, 'the kernel was built without CONFIG_IO_URING_ZCRX (EOPNOTSUPP)', zcrxKernelFix())
    case errno.EINVAL:
      return result(false, false, `the kernel does not know IORING_REGISTER_ZCRX_IFQ (EINVAL: before ${zcrxFirstKernel()})`, zcrxKernelFix())
    default:
      return result(false, null, `IORING_REGISTER_ZCRX_IFQ answered ${errnoName(code)}`, null)
  }
}

/** The zcrx register test on this kernel (a ring setup and one register call) and this process's privilege. */
export function checkZcrx(): ZcrxSupport {
  const status = parseProcStatus(readText('/proc/self/status') ?? '')
  return interpretZcrxProbe(probeNative().zcrxRegisterTest(), {
    capNetAdmin: status.capNetAdmin,
    initialUserNamespace: readInitialUserNamespace(),
  })
}
