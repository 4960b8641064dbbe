// The host-wide ceilings on connections: sysctls under /proc/sys and the memory they are measured against.
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
  /** net.core.somaxconn: cap on any listen() backlog. */
  somaxconn: number
  /** net.ipv4.tcp_max_syn_backlog: half-open connections queued per listener. */
  tcpMaxSynBacklog: number
  /** net.ipv4.ip_local_port_range: ephemeral ports, i.e. connections per destination for a client. */
  ipLocalPortRange: {low: number; high: number; count: number}
  /** net.ipv4.tcp_mem in pages: below low no pressure, above pressure buffers shrink, above high allocations fail. */
  tcpMem: {low: number; pressure: number; high: number}
  /** net.ipv4.tcp_rmem / tcp_wmem in bytes per socket. */
  tcpRmem: {min: number; default: number; max: number}
  tcpWmem: {min: number; default: number; max: number}
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

/** The numbers of one sysctl, read from /proc/sys/<name with dots as slashes>. */
export function readSysctl(paths: SystemPaths, name: HostSysctl): number[] {
  const file = join(paths.proc, 'sys', ...name.split('.'))
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code}): is /proc mounted with this network namespace's sysctls?`)
  }
  // systemd sets fs.file-max to LONG_MAX, meaning "no limit"; a double cannot hold it exactly anyway.
  return text.trim().split(/\s+/).map((word) => (Number(word) >= 2 ** 63 - 1 ? Infinity : Number(word)))
}

export function parseMemTotal(meminfo: string): number {
  const kib = /^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo)?.[1]
  return kib === undefined ? 0 : Number(kib) * 1024
}

export function readHostFigures(paths: SystemPaths, pageSize: number): HostFigures {
  const value = (name: HostSysctl) => readSysctl(paths, name)
  const [allocated, unused, max] = value('fs.file-nr')
  const [low, high] = value('net.ipv4.ip_local_port_range')
  const triple = (name: HostSysctl) => {
    const [a, b, c] = value(name)
    return {min: a, default: b, max: c}
  }
  const tcpMem = value('net.ipv4.tcp_mem')
  let memTotal = 0
  try {
    memTotal = parseMemTotal(readFileSync(join(paths.proc, 'meminfo'), 'utf8'))
  } catch {}
  return {
    nrOpen: value('fs.nr_open')[0],
    fileMax: value('fs.file-max')[0],
    fileNr: {allocated, unused, max},
    somaxconn: value('net.core.somaxconn')[0],
    tcpMaxSynBacklog: value('net.ipv4.tcp_max_syn_backlog')[0],
    ipLocalPortRange: {low, high, count: high - low + 1},
    tcpMem: {low: tcpMem[0], pressure: tcpMem[1], high: tcpMem[2]},
    tcpRmem: triple('net.ipv4.tcp_rmem'),
    tcpWmem: triple('net.ipv4.tcp_wmem'),
    pageSize,
    memTotal,
  }
}
