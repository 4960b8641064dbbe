// Reads a process from /proc: its limits, identity (status, comm, cmdline), open fds and systemd unit.
// Every reader takes the /proc root so the parsers can run on fixtures of real /proc files.
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

import {noSuchProcess} from './errors.js'
import {type Limit, type ProcessLimits, reportedResources} from './resources.js'

/** Where uringctl reads the system from; tests point these at fixtures. */
export interface SystemPaths {
  proc: string
  passwd: string
}

export const hostPaths: SystemPaths = {proc: '/proc', passwd: '/etc/passwd'}

/** Capability bit numbers (include/uapi/linux/capability.h) that change what a limit means. */
export const capabilityBit = {CAP_IPC_LOCK: 14n, CAP_SYS_RESOURCE: 24n} as const

export interface ProcessInfo {
  pid: number
  ppid: number
  comm: string
  /** argv as the process shows it now (a process may rewrite it, as npm does with its title). */
  commandLine: string[]
  /** real uid */
  uid: number
  capEff: bigint
}

/** Parses /proc/PID/limits rows ("Max open files  1024  524288  files") by their label. */
export function parseLimitsFile(text: string): Map<string, Limit> {
  const rows = new Map<string, Limit>()
  for (const line of text.split('\n').slice(1)) {
    const match = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line)
    if (match) rows.set(match[1], {soft: parseLimitValue(match[2]), hard: parseLimitValue(match[3])})
  }
  return rows
}

function parseLimitValue(text: string): number {
  return text === 'unlimited' ? Infinity : Number(text)
}

export function parseStatus(text: string): {ppid: number; uid: number; capEff: bigint} {
  const field = (key: string) => new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text)?.[1] ?? ''
  return {
    ppid: Number(field('PPid') || 0),
    uid: Number(field('Uid').split(/\s+/)[0] || 0),
    capEff: BigInt(`0x${field('CapEff') || '0'}`),
  }
}

/** argv from /proc/PID/cmdline; a rewritten title (npm's "npm exec ...") comes as one space-padded string. */
export function parseCmdline(raw: Buffer): string[] {
  const parts = raw.toString('utf8').split('\0')
  while (parts.length > 0 && parts.at(-1) === '') parts.pop()
  if (parts.length === 1) parts[0] = parts[0].trimEnd()
  return parts
}

/** The innermost systemd service in /proc/PID/cgroup, or null for a login session or app scope. */
export function parseSystemdUnit(text: string): {name: string; userManager: boolean} | null {
  for (const line of text.split('\n')) {
    const path = line.split(':').slice(2).join(':')
    const units = path.split('/').filter((segment) => /\.(service|scope)$/.test(segment))
    const innermost = units.at(-1)
    if (!innermost?.endsWith('.service')) continue
    return {name: innermost, userManager: units.slice(0, -1).some((unit) => unit.startsWith('user@'))}
  }
  return null
}

function readProcFile(paths: SystemPaths, pid: number, file: string): Buffer {
  try {
    return readFileSync(join(paths.proc, String(pid), file))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') throw noSuchProcess(pid)
    throw error
  }
}

export function readProcessInfo(paths: SystemPaths, pid: number): ProcessInfo {
  const status = parseStatus(readProcFile(paths, pid, 'status').toString('utf8'))
  const comm = readProcFile(paths, pid, 'comm').toString('utf8').replace(/\n$/, '')
  const commandLine = parseCmdline(readProcFile(paths, pid, 'cmdline'))
  // Kernel threads have no command line; ps shows them as [comm].
  return {pid, ppid: status.ppid, comm, commandLine: commandLine.length > 0 ? commandLine : [`[${comm}]`], uid: status.uid, capEff: status.capEff}
}

export function readProcessLimits(paths: SystemPaths, pid: number): ProcessLimits {
  const rows = parseLimitsFile(readProcFile(paths, pid, 'limits').toString('utf8'))
  const limits = {} as ProcessLimits
  for (const resource of reportedResources) {
    const row = rows.get(resource.procLabel)
    if (!row) throw new Error(`/proc/${pid}/limits has no "${resource.procLabel}" row`)
    limits[resource.name] = row
  }
  return limits
}

/** The fds the process has open now, or null when /proc/PID/fd is not ours to list (another user's process). */
export function countOpenFds(paths: SystemPaths, pid: number): number | null {
  try {
    return readdirSync(join(paths.proc, String(pid), 'fd')).length
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw noSuchProcess(pid)
    return null
  }
}

export function readSystemdUnit(paths: SystemPaths, pid: number): {name: string; userManager: boolean} | null {
  try {
    return parseSystemdUnit(readProcFile(paths, pid, 'cgroup').toString('utf8'))
  } catch {
    return null
  }
}

export function userName(paths: SystemPaths, uid: number): string | null {
  try {
    for (const line of readFileSync(paths.passwd, 'utf8').split('\n')) {
      const [name, , id] = line.split(':')
      if (id !== undefined && Number(id) === uid) return name
    }
  } catch {}
  return null
}

export function hasCapability(info: ProcessInfo, bit: bigint): boolean {
  return ((info.capEff >> bit) & 1n) === 1n
}
