// The host-wide ceilings on connections: sysctls under /proc/sys and the memory they are measured against.
// Inside a network namespace other than the initial one, host-wide net sysctls (net.ipv4.tcp_mem) are absent:
// every net.* figure is null when its file does not exist, and the plan reports the checks it feeds as unknown.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import type {SystemPaths} from './proc.js'

export interface HostFigures {
  /** fs.nr_open: no process's nofile hard limit may exceed it (systemd's LimitNOFILE=infinity becomes it). */
  nrOpen: number
  /** fs.file-max: open files on the whole host (Infinity for systemd's LONG_MAX). */
  fileMax: number
  /** fs.file-nr: files allocated now, allocated-but-unused (always 0 since 2.6), and file-max. */
  fileNr: {allocated: number; unused: number; max: number}
  /** net.core.somaxconn: cap on any listen() backlog (null: absent). */
  somaxconn: number | null
  /** net.ipv4.tcp_max_syn_backlog: half-open connections queued per listener (null: absent). */
  tcpMaxSynBacklog: number | null
  /** net.ipv4.ip_local_port_range: ephemeral ports, i.e. connections per destination for a client (null: absent). */
  ipLocalPortRange: {low: number; high: number; count: number} | null
  /**
   * net.ipv4.tcp_mem in pages: below low no pressure, above pressure buffers shrink, above high allocations fail.
   * Host-wide, so null inside a non-initial network namespace (the file is absent there).
   */
  tcpMem: {low: number; pressure: number; high: number} | null
  /** net.ipv4.tcp_rmem / tcp_wmem in bytes per socket (null: absent; per namespace since Linux 4.15). */
  tcpRmem: {min: number; default: number; max: number} | null
  tcpWmem: {min: number; default: number; max: number} | null
  /** The sysctls whose files do not exist here, by name as `sysctl` spells them. */
  absentSysctls: HostSysctl[]
  pageSize: number
  /** MemTotal from /proc/meminfo, in bytes. */
  memTotal: number
}

/** The sysctls read, by name as `sysctl` spells them. */
export const hostSysctls = [
  'fs.nr_open',
  'fs.file-max',
  'fs.file-nr',
  'net.core.somaxconn',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_mem',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
] as const

export type HostSysctl = (typeof hostSysctls)[number]

/** The numbers of one sysctl, read from /proc/sys/<name with dots as slashes>; null when the file does not exist. */
export function readSysctl(paths: SystemPaths, name: HostSysctl): number[] | null {
  const file = join(paths.proc, 'sys', ...name.split('.'))
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && name.startsWith('net.')) return null
    throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code}): is /proc mounted with this network namespace's sysctls?`)
  }
  // systemd sets fs.file-max to LONG_MAX, meaning "no limit"; a double cannot hold it exactly anyway.
  return text.trim().split(/\s+/).map((word) => (Number(word) >= 2 ** 63 - 1 ? Infinity : Number(word)))
}

/** One /proc/meminfo field (`MemTotal`, `MemAvailable`, `Slab`, ...) in bytes; null when it is not there. */
export function meminfoBytes(meminfo: string, field: string): number | null {
  const kib = new RegExp(`^${field}:\\s+(\\d+)\\s*kB`, 'm').exec(meminfo)?.[1]
  return kib === undefined ? null : Number(kib) * 1024
}

export function readHostFigures(paths: SystemPaths, pageSize: number): HostFigures {
  const absentSysctls: HostSysctl[] = []
  const value = (name: HostSysctl) => {
    const numbers = readSysctl(paths, name)
    if (numbers === null) absentSysctls.push(name)
    return numbers
  }
  const [allocated, unused, max] = value('fs.file-nr') ?? []
  const ports = value('net.ipv4.ip_local_port_range')
  const triple = (name: HostSysctl) => {
    const numbers = value(name)
    return numbers && {min: numbers[0], default: numbers[1], max: numbers[2]}
  }
  const tcpMem = value('net.ipv4.tcp_mem')
  let memTotal = 0
  try {
    memTotal = meminfoBytes(readFileSync(join(paths.proc, 'meminfo'), 'utf8'), 'MemTotal') ?? 0
  } catch {}
  return {
    nrOpen: (value('fs.nr_open') ?? [])[0],
    fileMax: (value('fs.file-max') ?? [])[0],
    fileNr: {allocated, unused, max},
    somaxconn: value('net.core.somaxconn')?.[0] ?? null,
    tcpMaxSynBacklog: value('net.ipv4.tcp_max_syn_backlog')?.[0] ?? null,
    ipLocalPortRange: ports && {low: ports[0], high: ports[1], count: ports[1] - ports[0] + 1},
    tcpMem: tcpMem && {low: tcpMem[0], pressure: tcpMem[1], high: tcpMem[2]},
    tcpRmem: triple('net.ipv4.tcp_rmem'),
    tcpWmem: triple('net.ipv4.tcp_wmem'),
    absentSysctls,
    pageSize,
    memTotal,
  }
}
