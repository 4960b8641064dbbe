// Facts about this process and host that decide whether io_uring_setup may succeed: the io_uring
// sysctls, seccomp state, credentials and the locked-memory limit. Parsers are pure for tests.
import {readFileSync, readlinkSync} from 'node:fs'

export type Limit = number | 'unlimited'

export interface ProcStatus {
  uid: number | null
  gid: number | null
  /** The fs gid the kernel's in_group_p() checks besides the supplementary groups. */
  fsgid: number | null
  groups: number[]
  /** CAP_SYS_ADMIN in the effective set: lets a process past kernel.io_uring_disabled=1. */
  capSysAdmin: boolean | null
  /** CAP_NET_ADMIN in the effective set: needed to register a zcrx interface queue. */
  capNetAdmin: boolean | null
  /** 0 none, 1 strict, 2 filter. */
  seccompMode: number | null
  seccompFilters: number | null
  /** Locked memory in use, bytes (VmLck). */
  lockedBytes: number | null
}

export interface HostFacts extends ProcStatus {
  /** kernel.io_uring_disabled (6.6+); null when the sysctl does not exist. */
  ioUringDisabled: number | null
  /** kernel.io_uring_group; -1 means no group. */
  ioUringGroup: number | null
  ioUringGroupName: string | null
  user: string | null
  memlock: {soft: Limit; hard: Limit} | null
}

const CAP_NET_ADMIN = 12n
const CAP_SYS_ADMIN = 21n
/** PROC_USER_INIT_INO (include/linux/proc_ns.h): the initial user namespace's fixed inode number. */
const initialUserNamespaceLink = 'user:[4026531837]'

export function parseProcStatus(text: string): ProcStatus {
  const fields = new Map<string, string>()
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim())
  }
  const numbers = (key: string): number[] =>
    (fields.get(key) ?? '').split(/\s+/).filter(Boolean).map(Number).filter(Number.isFinite)
  const single = (key: string): number | null => numbers(key)[0] ?? null
  const capEff = fields.get('CapEff')
  const capability = (bit: bigint): boolean | null =>
    capEff && /^[0-9a-f]+$/i.test(capEff) ? ((BigInt(`0x${capEff}`) >> bit) & 1n) === 1n : null
  const vmLck = /^(\d+)\s*kB$/.exec(fields.get('VmLck') ?? '')
  const gids = numbers('Gid')
  return {
    uid: single('Uid'),
    gid: gids[1] ?? null,
    fsgid: gids[3] ?? null,
    groups: numbers('Groups'),
    capSysAdmin: capability(CAP_SYS_ADMIN),
    capNetAdmin: capability(CAP_NET_ADMIN),
    seccompMode: single('Seccomp'),
    seccompFilters: single('Seccomp_filters'),
    lockedBytes: vmLck ? Number(vmLck[1]) * 1024 : null,
  }
}

/** RLIMIT_MEMLOCK from /proc/self/limits ("Max locked memory  8388608  8388608  bytes"). */
export function parseMemlock(limitsText: string): {soft: Limit; hard: Limit} | null {
  const match = /^Max locked memory\s+(\S+)\s+(\S+)/m.exec(limitsText)
  if (!match) return null
  const limit = (v: string): Limit => (v === 'unlimited' ? 'unlimited' : Number(v))
  return {soft: limit(match[1]), hard: limit(match[2])}
}

/** The name for an id in an /etc/passwd or /etc/group style file (name:x:id:...). */
export function nameForId(text: string, id: number): string | null {
  for (const line of text.split('\n')) {
    const parts = line.split(':')
    if (parts.length >= 3 && Number(parts[2]) === id && parts[2] !== '') return parts[0]
  }
  return null
}

/** Whether the kernel's in_group_p(gid) holds for a process with these credentials. */
export function inGroup(status: Pick<ProcStatus, 'fsgid' | 'groups'>, gid: number): boolean {
  return status.fsgid === gid || status.groups.includes(gid)
}

/** Whether a /proc/PID/ns/user link ("user:[4026531837]") names the initial user namespace. */
export function isInitialUserNamespace(link: string): boolean {
  return link === initialUserNamespaceLink
}

/**
 * Is this process in the initial user namespace, where capable() checks (CAP_NET_ADMIN for zcrx)?
 * Compared with the fixed inode, not with /proc/1 (pid 1 of a container may share our child namespace).
 */
export function readInitialUserNamespace(): boolean | null {
  try {
    return isInitialUserNamespace(readlinkSync('/proc/self/ns/user'))
  } catch {
    return null
  }
}

export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

function readNumber(path: string): number | null {
  const text = readText(path)?.trim()
  return text !== undefined && text !== '' && Number.isFinite(Number(text)) ? Number(text) : null
}

export function readHostFacts(): HostFacts {
  const status = parseProcStatus(readText('/proc/self/status') ?? '')
  const ioUringGroup = readNumber('/proc/sys/kernel/io_uring_group')
  const groupFile = ioUringGroup !== null && ioUringGroup >= 0 ? readText('/etc/group') : null
  const passwd = status.uid === null ? null : readText('/etc/passwd')
  return {
    ...status,
    ioUringDisabled: readNumber('/proc/sys/kernel/io_uring_disabled'),
    ioUringGroup,
    ioUringGroupName: groupFile && ioUringGroup !== null ? nameForId(groupFile, ioUringGroup) : null,
    user: passwd && status.uid !== null ? nameForId(passwd, status.uid) : null,
    memlock: parseMemlock(readText('/proc/self/limits') ?? ''),
  }
}
