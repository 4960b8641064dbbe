// The kernel's memory for sockets, from the /proc texts the load generator captured before connecting and
// while every connection was held: /proc/net/sockstat (TCP sockets and the pages their buffers hold) and
// /proc/meminfo (slab, where socket, file and inode structures live).
import {meminfoBytes} from '../limits/host.js'

export interface KernelSnapshot {
  tcpSockets: number // TCP sockets allocated (sockstat "alloc"), host-wide
  tcpInUse: number // TCP sockets in use (sockstat "inuse"), this network namespace only
  tcpTimeWait: number
  tcpBufferBytes: number // sockstat "mem": pages charged to TCP buffers, host-wide
  slabBytes: number // meminfo Slab, host-wide
  memAvailableBytes: number
}

export interface KernelMemory {
  before: KernelSnapshot
  held: KernelSnapshot | null
  // Growth while held, per connection: on loopback it counts the sockets at both ends.
  perConnection: {tcpSockets: number; tcpBufferBytes: number; slabBytes: number} | null // tcpSockets: from inuse
}

const field = (text: string, line: string, name: string) => {
  const row = new RegExp(`^${line}:(.*)$`, 'm').exec(text)?.[1] ?? ''
  const value = new RegExp(`\\b${name}\\s+(\\d+)`).exec(row)?.[1]
  return value === undefined ? 0 : Number(value)
}

export function parseKernelSnapshot(sockstat: string, meminfo: string, pageSize: number): KernelSnapshot | null {
  if (!sockstat || !meminfo) return null
  return {
    tcpSockets: field(sockstat, 'TCP', 'alloc'),
    tcpInUse: field(sockstat, 'TCP', 'inuse'),
    tcpTimeWait: field(sockstat, 'TCP', 'tw'),
    tcpBufferBytes: field(sockstat, 'TCP', 'mem') * pageSize,
    slabBytes: meminfoBytes(meminfo, 'Slab') ?? 0,
    memAvailableBytes: meminfoBytes(meminfo, 'MemAvailable') ?? 0,
  }
}

export function kernelMemory(before: KernelSnapshot, held: KernelSnapshot | null, connections: number): KernelMemory {
  const per = (a: number, b: number) => Math.round((b - a) / connections)
  return {
    before,
    held,
    perConnection:
      held && connections > 0
        ? {
            tcpSockets: Math.round(((held.tcpInUse - before.tcpInUse) / connections) * 100) / 100,
            tcpBufferBytes: per(before.tcpBufferBytes, held.tcpBufferBytes),
            slabBytes: per(before.slabBytes, held.slabBytes),
          }
        : null,
  }
}
