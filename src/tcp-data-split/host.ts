// Host-wide zcrx facts: does the kernel have zcrx, may this process use io_uring, and does it hold
// CAP_NET_ADMIN in the initial user namespace (what zcrx registration asks for).
import {readFileSync, readlinkSync} from 'node:fs'
import {release} from 'node:os'

import {addon} from '../native/addon.js'
import {zcrxFirstKernel} from './drivers.js'
import type {ZcrxNative} from './native.js'
import type {ReadinessCheck} from './readiness.js'

export interface HostFacts {
  kernel: string
  /** kernel.io_uring_disabled (0 allowed, 1 only for io_uring_group, 2 disabled); null if absent (< 6.6). */
  ioUringDisabled: number | null
  /** errno names of the read-only IORING_REGISTER_ZCRX_IFQ test (null = success). */
  setupError: string | null
  registerError: string | null
  /** CAP_NET_ADMIN in this process's effective set; null when /proc/self/status is unreadable. */
  capNetAdmin: boolean | null
  /** Is this process in the initial user namespace? null when /proc/1/ns/user cannot be read. */
  initialUserNamespace: boolean | null
}

const CAP_NET_ADMIN = 12n
/** PROC_USER_INIT_INO (include/linux/proc_ns.h): the initial user namespace's fixed inode number. */
const initialUserNamespaceInode = 'user:[4026531837]'

function readOrNull(path: string, read: (p: string) => string): string | null {
  try {
    return read(path)
  } catch {
    return null
  }
}

export function gatherHostFacts(): HostFacts {
  const native = addon<ZcrxNative>()
  const test = native.zcrxRegisterTest()
  const name = (errno: number) => (errno === 0 ? null : native.errnoName(errno) ?? `errno ${errno}`)
  const disabled = readOrNull('/proc/sys/kernel/io_uring_disabled', (p) => readFileSync(p, 'utf8').trim())
  const status = readOrNull('/proc/self/status', (p) => readFileSync(p, 'utf8'))
  const capEff = status ? /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1] : undefined
  const ours = readOrNull('/proc/self/ns/user', readlinkSync)
  const init = readOrNull('/proc/1/ns/user', readlinkSync)
  return {
    kernel: release(),
    ioUringDisabled: disabled === null ? null : Number(disabled),
    setupError: name(test.setupErrno),
    registerError: test.setupErrno === 0 ? name(test.registerErrno) : null,
    capNetAdmin: capEff === undefined ? null : Boolean((BigInt(`0x${capEff}`) >> CAP_NET_ADMIN) & 1n),
    // /proc/1/ns/user needs ptrace access to pid 1; without it, the initial namespace's fixed inode decides.
    initialUserNamespace: ours === null ? null : ours === (init ?? initialUserNamespaceInode),
  }
}

export function hostChecks(f: HostFacts): ReadinessCheck[] {
  return [kernelCheck(f), ioUringCheck(f), capabilityCheck(f)]
}

function kernelCheck(f: HostFacts): ReadinessCheck {
  const title = 'kernel has io_uring zcrx'
  const upgrade = `boot Linux ${zcrxFirstKernel} or later built with CONFIG_IO_URING_ZCRX=y`
  if (f.setupError !== null) {
    const old = f.setupError === 'EINVAL'
    return {
      id: 'kernel-zcrx', title, status: old ? 'fail' : 'unknown',
      evidence: old
        ? `kernel ${f.kernel}: io_uring_setup rejects DEFER_TASKRUN|CQE32 (EINVAL), which zcrx requires`
        : `kernel ${f.kernel}: io_uring_setup failed (${f.setupError}), so the zcrx opcode could not be tested`,
      fix: old ? upgrade : null,
    }
  }
  switch (f.registerError) {
    case 'EFAULT':
      return {id: 'kernel-zcrx', title, status: 'pass', evidence: `kernel ${f.kernel}: IORING_REGISTER_ZCRX_IFQ is implemented (test registration stopped at its unreadable argument, EFAULT)`, fix: null}
    case 'EPERM':
      return {id: 'kernel-zcrx', title, status: 'pass', evidence: `kernel ${f.kernel}: IORING_REGISTER_ZCRX_IFQ is implemented (test registration refused for lack of CAP_NET_ADMIN, EPERM)`, fix: null}
    case 'EOPNOTSUPP':
      return {id: 'kernel-zcrx', title, status: 'fail', evidence: `kernel ${f.kernel} was built without CONFIG_IO_URING_ZCRX (IORING_REGISTER_ZCRX_IFQ: EOPNOTSUPP)`, fix: upgrade}
    case 'EINVAL':
      return {id: 'kernel-zcrx', title, status: 'fail', evidence: `kernel ${f.kernel} does not know IORING_REGISTER_ZCRX_IFQ (EINVAL); zcrx arrived in ${zcrxFirstKernel}`, fix: upgrade}
    default:
      return {id: 'kernel-zcrx', title, status: 'unknown', evidence: `kernel ${f.kernel}: unexpected answer to the zcrx opcode test (${f.registerError ?? 'success'})`, fix: null}
  }
}

function ioUringCheck(f: HostFacts): ReadinessCheck {
  const title = 'io_uring allowed for this process'
  const sysctl = f.ioUringDisabled === null ? 'kernel.io_uring_disabled absent' : `kernel.io_uring_disabled=${f.ioUringDisabled}`
  if (f.setupError === null) return {id: 'io-uring-allowed', title, status: 'pass', evidence: `io_uring_setup succeeded (${sysctl})`, fix: null}
  if (f.setupError === 'EPERM' || f.setupError === 'EACCES') {
    return {
      id: 'io-uring-allowed', title, status: 'fail',
      evidence: `io_uring_setup refused with ${f.setupError} (${sysctl})`,
      fix: f.ioUringDisabled === 1 ? 'add the user to the group in kernel.io_uring_group, or: sysctl -w kernel.io_uring_disabled=0' : 'sysctl -w kernel.io_uring_disabled=0',
    }
  }
  if (f.setupError === 'ENOSYS') return {id: 'io-uring-allowed', title, status: 'fail', evidence: 'io_uring_setup: ENOSYS (kernel built without io_uring, or blocked by seccomp)', fix: 'boot a kernel with CONFIG_IO_URING=y, outside a seccomp profile that blocks io_uring'}
  return {id: 'io-uring-allowed', title, status: 'unknown', evidence: `io_uring_setup failed with ${f.setupError} (${sysctl})`, fix: null}
}

function capabilityCheck(f: HostFacts): ReadinessCheck {
  const title = 'CAP_NET_ADMIN in the initial user namespace'
  const fix = 'run as root in the initial user namespace (e.g. sudo uringctl ...), or grant CAP_NET_ADMIN to the zcrx process'
  const cap = f.capNetAdmin === null ? 'CapEff unreadable' : f.capNetAdmin ? 'CapEff has CAP_NET_ADMIN' : 'CapEff lacks CAP_NET_ADMIN'
  const ns = f.initialUserNamespace === null ? 'user namespace unknown (/proc/self/ns/user unreadable)' : f.initialUserNamespace ? 'in the initial user namespace' : 'inside a child user namespace'
  const evidence = `${cap}; ${ns}${f.registerError === 'EPERM' ? '; the zcrx test registration was refused with EPERM' : ''}`
  if (f.registerError === 'EPERM' || f.capNetAdmin === false || f.initialUserNamespace === false) return {id: 'cap-net-admin', title, status: 'fail', evidence, fix}
  if (f.capNetAdmin && (f.initialUserNamespace || f.registerError === 'EFAULT')) return {id: 'cap-net-admin', title, status: 'pass', evidence, fix: null}
  return {id: 'cap-net-admin', title, status: 'unknown', evidence, fix: null}
}
