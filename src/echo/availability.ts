// Why io_uring cannot be used here, in the verdicts `uringctl probe` reports. Temporary: replaced by an
// import from src/probe/ once that lands.
import {readFileSync} from 'node:fs'

import {addon} from '../native/addon.js'
import type {EchoNative} from './native.js'

export type Verdict = 'available' | 'disabled' | 'seccomp' | 'not-built' | 'memlock' | 'unknown'

export interface UringAvailability {
  verdict: Verdict
  /** One line: what stops io_uring, with its evidence. */
  reason: string
  /** One line: how to allow it. */
  fix: string
  errno: string | null
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

function statusField(status: string | null, name: string): string | null {
  const match = status?.match(new RegExp(`^${name}:\\s*(.*)$`, 'm'))
  return match ? match[1].trim() : null
}

/** Classifies the errno of io_uring_setup (0: usable) with what /proc says about the cause. */
export function classifyUringSetup(setupErrno: number): UringAvailability {
  const native = addon<EchoNative>()
  const errno = setupErrno ? native.errnoName(setupErrno) ?? `errno ${setupErrno}` : null
  if (!setupErrno) return {verdict: 'available', reason: 'available', fix: '', errno}

  const disabled = Number(readText('/proc/sys/kernel/io_uring_disabled')?.trim() ?? '0')
  const group = Number(readText('/proc/sys/kernel/io_uring_group')?.trim() ?? '-1')
  if (errno === 'EPERM' && (disabled === 2 || (disabled === 1 && !process.getgroups?.().includes(group)))) {
    const member = group >= 0 && process.getgroups?.().includes(group) ? 'a member' : 'not a member'
    const reason = disabled === 2
      ? 'disabled by kernel.io_uring_disabled=2 (io_uring off for everyone)'
      : `disabled by kernel.io_uring_disabled=1 (allowed only to kernel.io_uring_group=${group}, and this user is ${member})`
    const fix = disabled === 2 ? 'allow it with: sysctl -w kernel.io_uring_disabled=0' : `allow it with: sysctl -w kernel.io_uring_disabled=0, or run as a member of group ${group}`
    return {verdict: 'disabled', reason, fix, errno}
  }

  const status = readText('/proc/self/status')
  const seccomp = Number(statusField(status, 'Seccomp') ?? '0')
  if ((errno === 'EPERM' || errno === 'ENOSYS') && seccomp > 0) {
    const filters = statusField(status, 'Seccomp_filters') ?? '?'
    return {
      verdict: 'seccomp',
      reason: `blocked by a seccomp filter (Seccomp: ${seccomp}, Seccomp_filters: ${filters}; io_uring_setup fails with ${errno})`,
      fix: 'allow io_uring_setup, io_uring_enter and io_uring_register in the seccomp profile (e.g. a container runtime\'s)',
      errno,
    }
  }
  if (errno === 'ENOSYS') {
    return {verdict: 'not-built', reason: 'not built into the kernel (io_uring_setup fails with ENOSYS)', fix: 'use a kernel built with CONFIG_IO_URING=y', errno}
  }
  if (errno === 'ENOMEM') {
    const limits = readText('/proc/self/limits')
    const memlock = limits?.match(/^Max locked memory\s+(\S+)\s+(\S+)/m)
    const figures = memlock ? `RLIMIT_MEMLOCK soft ${memlock[1]}, hard ${memlock[2]}` : 'RLIMIT_MEMLOCK unknown'
    return {verdict: 'memlock', reason: `out of locked memory (io_uring_setup fails with ENOMEM; ${figures})`, fix: 'raise the limit with: ulimit -l unlimited (or LimitMEMLOCK= in a systemd unit)', errno}
  }
  return {verdict: 'unknown', reason: `io_uring_setup fails with ${errno}`, fix: 'run `uringctl probe` for details', errno}
}

/** Asks the kernel now. */
export function uringAvailability(): UringAvailability {
  return classifyUringSetup(addon<EchoNative>().echoUringSetupErrno())
}
