// Chooses the process whose limits are reported: the invoking shell (default), any --pid, or --self.
import {readFileSync, readlinkSync, realpathSync} from 'node:fs'
import {basename, join, resolve} from 'node:path'

import {packageRoot} from '../native/addon.js'
import {type ProcessInfo, type SystemPaths, capabilityBit, hasCapability, readProcessInfo, readSystemdUnit, userName} from './proc.js'
import {chooseInvokingShell, isShell} from './wrappers.js'

export type TargetHow = 'invoking-shell' | 'pid' | 'self'

export interface SkippedProcess {
  pid: number
  comm: string
  commandLine: string[]
  reason: string
}

export interface Target {
  how: TargetHow
  pid: number
  comm: string
  commandLine: string[]
  uid: number
  user: string | null
  /** The systemd service the process runs in (for a LimitNOFILE= drop-in), or null outside one. */
  systemdUnit: {name: string; userManager: boolean} | null
  /** Whether the target is a shell (then `ulimit` in it is a fix). */
  shell: boolean
  /** CAP_IPC_LOCK: io_uring then does not count registered buffers against memlock. */
  canLockMemory: boolean
  /** The wrappers between uringctl and the invoking shell, nearest first (empty for --pid/--self). */
  skipped: SkippedProcess[]
}

export interface TargetRequest {
  pid?: number
  self?: boolean
}

const maxAncestors = 64

/** uringctl's ancestors, nearest first, up to init (or the first one that vanished meanwhile). */
export function readAncestors(paths: SystemPaths, fromPid: number): ProcessInfo[] {
  const ancestors: ProcessInfo[] = []
  for (let pid = fromPid; pid > 0 && ancestors.length < maxAncestors; ) {
    let info: ProcessInfo
    try {
      info = readProcessInfo(paths, pid)
    } catch {
      break
    }
    ancestors.push(info)
    pid = info.ppid
  }
  return ancestors
}

const ownScripts = new Set(['run.js', 'dev.js'].map((file) => join(packageRoot, 'bin', file)))

/** Whether a node process runs uringctl: its script is our bin (resolved from that process's cwd) or named uringctl. */
function runsUringctl(paths: SystemPaths): (info: ProcessInfo, script: string) => boolean {
  return (info, script) => {
    if (basename(script) === 'uringctl') return true
    let cwd = '/'
    try {
      cwd = readlinkSync(join(paths.proc, String(info.pid), 'cwd'))
    } catch {}
    try {
      return ownScripts.has(realpathSync(resolve(cwd, script)))
    } catch {
      return false
    }
  }
}

function limitsText(paths: SystemPaths, pid: number): string | null {
  try {
    return readFileSync(join(paths.proc, String(pid), 'limits'), 'utf8')
  } catch {
    return null
  }
}

function describe(info: ProcessInfo, how: TargetHow, skipped: SkippedProcess[], paths: SystemPaths): Target {
  return {
    how,
    pid: info.pid,
    comm: info.comm,
    commandLine: info.commandLine,
    uid: info.uid,
    user: userName(paths, info.uid),
    systemdUnit: readSystemdUnit(paths, info.pid),
    shell: isShell(info),
    canLockMemory: hasCapability(info, capabilityBit.CAP_IPC_LOCK),
    skipped,
  }
}

export function selectTarget(paths: SystemPaths, request: TargetRequest, self = {pid: process.pid, ppid: process.ppid}): Target {
  if (request.pid !== undefined) return describe(readProcessInfo(paths, request.pid), 'pid', [], paths)
  if (request.self) return describe(readProcessInfo(paths, self.pid), 'self', [], paths)
  const ancestors = readAncestors(paths, self.ppid)
  const choice = chooseInvokingShell(ancestors, {isUringctl: runsUringctl(paths), sameLimits: (child, parent) => limitsText(paths, child.pid) === limitsText(paths, parent.pid)})
  // Without a readable parent (reparented to a vanished ancestor), uringctl itself is all there is.
  if (!choice) return describe(readProcessInfo(paths, self.pid), 'self', [], paths)
  const skipped = choice.skipped.map(({process, reason}) => ({pid: process.pid, comm: process.comm, commandLine: process.commandLine, reason}))
  return describe(choice.chosen, 'invoking-shell', skipped, paths)
}
