// Can this process use io_uring at all, and if not, exactly why and what would fix it.
// `checkAvailability()` is the entry point other commands use (e.g. `echo serve` before starting).
import {errno, errnoName} from '../base/errno.js'
import {type HostFacts, inGroup, type Limit, readHostFacts} from './host.js'
import {probeNative} from './native.js'

export type Verdict =
  | 'available'
  | 'disabled-by-sysctl'
  | 'blocked-by-seccomp'
  | 'not-built-in'
  | 'out-of-locked-memory'
  | 'unknown-errno'

/** Each verdict's exit code for `uringctl probe` (and for any command that stops on it). */
export const verdictExitCodes: Record<Verdict, number> = {
  available: 0,
  'disabled-by-sysctl': 3,
  'blocked-by-seccomp': 4,
  'not-built-in': 5,
  'out-of-locked-memory': 6,
  'unknown-errno': 7,
}

export const verdictMeanings: Record<Verdict, string> = {
  available: 'io_uring is available',
  'disabled-by-sysctl': 'io_uring is disabled for this process by kernel.io_uring_disabled',
  'blocked-by-seccomp': 'a seccomp filter blocks io_uring_setup (EPERM or ENOSYS)',
  'not-built-in': 'the kernel has no io_uring (ENOSYS without a seccomp filter)',
  'out-of-locked-memory': 'io_uring_setup fails with ENOMEM (RLIMIT_MEMLOCK or memory cgroup)',
  'unknown-errno': 'io_uring_setup fails with another errno (named in the output)',
}

export interface AvailabilityEvidence extends HostFacts {
  /** errno from a minimal io_uring_setup (1 entry, no flags); 0 when it succeeded. */
  setupErrno: number
  setupErrnoName: string | null
  /** in_group_p(kernel.io_uring_group) for this process; null when no group is set. */
  userInGroup: boolean | null
}

export interface Availability {
  available: boolean
  verdict: Verdict
  exitCode: number
  /** One line: what happened, in terms of the evidence. */
  summary: string
  /** One line: what to do about it; null when available. */
  fix: string | null
  evidence: AvailabilityEvidence
  /** io_uring_params.features of the test ring (0 when setup failed). */
  features: number
}

/**
 * One io_uring_setup attempt plus a few /proc reads (well under a millisecond): the verdict, its
 * one-line summary and fix, and the evidence behind them. Never throws for kernel refusals.
 */
export function checkAvailability(): Availability {
  const trial = probeNative().probeSetup(0)
  const evidence = gatherEvidence(trial.errno, readHostFacts())
  return {...decideVerdict(evidence), evidence, features: trial.features}
}

export function gatherEvidence(setupErrno: number, host: HostFacts): AvailabilityEvidence {
  const group = host.ioUringGroup
  return {
    setupErrno,
    setupErrnoName: setupErrno === 0 ? null : errnoName(setupErrno),
    userInGroup: group === null || group < 0 ? null : inGroup(host, group),
    ...host,
  }
}

/** What to do when a seccomp filter refuses io_uring's system calls (also the zcrx check's advice). */
export const seccompProfileFix =
  'run it under a seccomp profile that allows io_uring_setup, io_uring_enter and io_uring_register ' +
  '(Docker/Podman: --security-opt seccomp=<profile.json>; systemd: add them to SystemCallFilter=)'

/** The verdict from the evidence alone (pure: unit-tested on made-up evidence). */
export function decideVerdict(e: AvailabilityEvidence): Omit<Availability, 'evidence' | 'features'> {
  const verdict = (v: Verdict, summary: string, fix: string | null) => ({
    available: v === 'available',
    verdict: v,
    exitCode: verdictExitCodes[v],
    summary,
    fix,
  })
  const code = e.setupErrno
  const name = errnoName(code)
  const seccomp = e.seccompMode !== null && e.seccompMode > 0
  const seccompText = `Seccomp: ${e.seccompMode ?? '?'}, Seccomp_filters: ${e.seccompFilters ?? '?'} in /proc/self/status`

  if (code === 0) return verdict('available', 'io_uring_setup succeeded', null)

  if (code === errno.EPERM && e.ioUringDisabled === 2) {
    return verdict(
      'disabled-by-sysctl',
      'kernel.io_uring_disabled=2: io_uring_setup is refused to every process, root included',
      'sudo sysctl -w kernel.io_uring_disabled=0 (or =1 plus kernel.io_uring_group=<gid> for one group), persisted in /etc/sysctl.d/',
    )
  }
  if (code === errno.EPERM && e.ioUringDisabled === 1 && e.capSysAdmin !== true && e.userInGroup !== true) {
    const who = `${e.user ?? 'this user'} (uid ${e.uid ?? '?'})`
    if (e.ioUringGroup === null || e.ioUringGroup < 0) {
      return verdict(
        'disabled-by-sysctl',
        `kernel.io_uring_disabled=1 allows io_uring only to CAP_SYS_ADMIN and the kernel.io_uring_group, and no group is set (kernel.io_uring_group=${e.ioUringGroup ?? '?'}); ${who} has neither`,
        `sudo sysctl -w kernel.io_uring_group=<gid> and add ${e.user ?? 'the user'} to that group, or sudo sysctl -w kernel.io_uring_disabled=0`,
      )
    }
    const group = e.ioUringGroupName ? `${e.ioUringGroupName} (gid ${e.ioUringGroup})` : `gid ${e.ioUringGroup}`
    return verdict(
      'disabled-by-sysctl',
      `kernel.io_uring_disabled=1 allows io_uring only to CAP_SYS_ADMIN and members of group ${group}; ${who} is not a member`,
      `sudo usermod -aG ${e.ioUringGroupName ?? e.ioUringGroup} ${e.user ?? '<user>'}, then log in again (or sudo sysctl -w kernel.io_uring_disabled=0)`,
    )
  }
  if ((code === errno.EPERM || code === errno.ENOSYS || code === errno.EACCES) && seccomp) {
    return verdict('blocked-by-seccomp', `io_uring_setup fails with ${name} under a seccomp filter (${seccompText})`, seccompProfileFix)
  }
  if (code === errno.ENOSYS && e.ioUringDisabled !== null) {
    // The sysctl exists only in a kernel built with io_uring (6.6+): the ENOSYS came from something in between.
    return verdict(
      'not-built-in',
      `io_uring_setup fails with ENOSYS with no seccomp filter (${seccompText}), yet kernel.io_uring_disabled=${e.ioUringDisabled} shows the kernel has io_uring: something between this process and the kernel answers its system calls (a user-mode emulator such as qemu-user, or a sandbox such as gVisor)`,
      'run uringctl natively on the host kernel, not under an emulator or a system-call sandbox; until then use an epoll-based path (uringctl echo serve --backend epoll)',
    )
  }
  if (code === errno.ENOSYS) {
    const sysctl = e.ioUringDisabled === null ? ' and /proc/sys/kernel/io_uring_disabled is absent' : ''
    return verdict(
      'not-built-in',
      `io_uring_setup fails with ENOSYS with no seccomp filter (${seccompText})${sysctl}: this kernel was built without CONFIG_IO_URING`,
      'boot a kernel built with CONFIG_IO_URING=y (5.1 or later); until then use an epoll-based path (uringctl echo serve --backend epoll)',
    )
  }
  if (code === errno.ENOMEM) {
    const figures = memlockFigures(e)
    const roomLeft = e.memlock !== null && (e.memlock.soft === 'unlimited' || e.memlock.soft - (e.lockedBytes ?? 0) >= 1 << 20)
    return verdict(
      'out-of-locked-memory',
      roomLeft
        ? `io_uring_setup fails with ENOMEM although RLIMIT_MEMLOCK leaves room (${figures}): the memory cgroup or the system is out of memory`
        : `io_uring_setup fails with ENOMEM: the ring does not fit in RLIMIT_MEMLOCK (${figures})`,
      roomLeft
        ? "raise the memory cgroup's memory.max for this service or free memory; check dmesg for allocation failures"
        : 'raise the locked-memory limit: ulimit -l <KiB>, LimitMEMLOCK= in the systemd unit, or memlock in /etc/security/limits.conf',
    )
  }
  return verdict('unknown-errno', `io_uring_setup fails with ${name}, which uringctl does not map to a known cause`, unknownErrnoFix(code, e))
}

function unknownErrnoFix(code: number, e: AvailabilityEvidence): string {
  if (code === errno.EMFILE) return 'raise the open-file limit (ulimit -n, LimitNOFILE=); see uringctl ulimit'
  if (code === errno.ENFILE) return 'the system is out of file handles: raise fs.file-max or close files'
  if (code === errno.EPERM || code === errno.EACCES) {
    return `neither kernel.io_uring_disabled (${e.ioUringDisabled ?? 'absent'}) nor seccomp explains it: check an LSM (SELinux/AppArmor io_uring rules) in the audit log`
  }
  return 'report it with the output of `uname -r` and `uringctl probe --json`'
}

export function formatBytes(limit: Limit | null): string {
  if (limit === null) return '?'
  if (limit === 'unlimited') return 'unlimited'
  if (limit >= 1 << 20 && limit % (1 << 20) === 0) return `${limit / (1 << 20)} MiB`
  if (limit >= 1024 && limit % 1024 === 0) return `${limit / 1024} KiB`
  return `${limit} B`
}

export function memlockFigures(e: Pick<AvailabilityEvidence, 'memlock' | 'lockedBytes'>): string {
  const soft = formatBytes(e.memlock?.soft ?? null)
  const hard = formatBytes(e.memlock?.hard ?? null)
  return `RLIMIT_MEMLOCK soft ${soft}, hard ${hard}, locked now ${formatBytes(e.lockedBytes)}`
}
