// Per-interface zcrx readiness checks, computed from facts already gathered (nothing is read here).
import {describeTcpDataSplit} from '../netlink/ethtool.js'
import {findZcrxDriver, kernelAtLeast, zcrxDrivers} from './drivers.js'
import type {InterfaceFacts} from './interfaces.js'
import type {ReadinessCheck} from './readiness.js'

export interface RxQueueCount {
  count: number | null
  source: 'ethtool channels' | 'sysfs' | 'netdev' | null
}

/** RX queues as the driver configures them (channels), else as the kernel has them (sysfs, netdev). */
export function rxQueueCount(f: InterfaceFacts): RxQueueCount {
  const c = f.channels
  if (c && (c.rxCount !== null || c.combinedCount !== null)) return {count: (c.rxCount ?? 0) + (c.combinedCount ?? 0), source: 'ethtool channels'}
  if (f.sysfsRxQueues !== null) return {count: f.sysfsRxQueues, source: 'sysfs'}
  if (f.rxQueues && f.rxQueues.length > 0) return {count: f.rxQueues.length, source: 'netdev'}
  return {count: null, source: null}
}

/** The queue zcrx would take: the one asked for, else the highest RX queue (queue 0 stays for RSS). */
export function targetQueue(f: InterfaceFacts, requested: number | undefined): number | null {
  if (requested !== undefined) return requested
  const count = rxQueueCount(f).count
  return count === null || count < 1 ? null : count - 1
}

export function interfaceChecks(f: InterfaceFacts, kernel: string, requestedQueue: number | undefined): ReadinessCheck[] {
  return [
    realDevice(f),
    driverQueueApi(f, kernel),
    tcpDataSplit(f),
    hdsThreshold(f),
    rxQueues(f),
    noXdp(f),
    queueFree(f, targetQueue(f, requestedQueue)),
  ]
}

function realDevice(f: InterfaceFacts): ReadinessCheck {
  const title = 'a real NIC (not lo, veth, virtio, ifb)'
  const what = f.deviceClass === 'loopback' ? 'the loopback device'
    : f.deviceClass === 'virtual' ? `a software device${f.link.kind ? ` (${f.link.kind})` : ''} with no hardware queues`
    : f.deviceClass === 'paravirtual' ? `a paravirtual NIC (${f.driver}) with no hardware queues zcrx can take`
    : `a ${f.link.parentBus} device driven by ${f.driver}`
  const pass = f.deviceClass === 'physical'
  return {id: 'real-device', title, status: pass ? 'pass' : 'fail', evidence: `${f.link.name} is ${what}`, fix: pass ? null : 'use a physical NIC whose driver supports zcrx'}
}

function driverQueueApi(f: InterfaceFacts, kernel: string): ReadinessCheck {
  const title = 'driver supports the queue API zcrx needs'
  const known = findZcrxDriver(f.driver)
  const list = zcrxDrivers.map((d) => `${d.driver} ${d.since}+`).join(', ')
  if (known && kernelAtLeast(kernel, known.since)) {
    return {id: 'driver-queue-api', title, status: 'pass', evidence: `${known.driver} supports zcrx since Linux ${known.since}; running ${kernel}`, fix: null}
  }
  if (known) {
    return {id: 'driver-queue-api', title, status: 'fail', evidence: `${known.driver} supports zcrx from Linux ${known.since}; running ${kernel}`, fix: `boot Linux ${known.since} or later`}
  }
  if (f.deviceClass === 'physical') {
    return {id: 'driver-queue-api', title, status: 'unknown', evidence: `driver ${f.driver} is not in uringctl's list of zcrx drivers (${list})`, fix: null}
  }
  return {id: 'driver-queue-api', title, status: 'fail', evidence: `${f.driver ?? f.link.kind ?? 'no driver'}: not a zcrx driver (known: ${list})`, fix: 'use a NIC driven by one of those drivers'}
}

function tcpDataSplit(f: InterfaceFacts): ReadinessCheck {
  const title = 'TCP header/data split enabled'
  const fix = `ethtool -G ${f.link.name} tcp-data-split on   # ethtool 6.2 or later`
  if (!f.rings) {
    return {id: 'tcp-data-split', title, status: 'fail', evidence: `no ring parameters: ${f.ringsUnavailable?.reason ?? 'unknown'} (${f.ringsUnavailable?.errno ?? '?'})`, fix: null}
  }
  const {state} = describeTcpDataSplit(f.rings.tcpDataSplit)
  switch (state) {
    case 'on': return {id: 'tcp-data-split', title, status: 'pass', evidence: 'the kernel reports tcp-data-split on', fix: null}
    case 'off': return {id: 'tcp-data-split', title, status: 'fail', evidence: 'the kernel reports tcp-data-split off (supported, disabled)', fix}
    case 'not-reported': return {id: 'tcp-data-split', title, status: 'fail', evidence: 'the driver does not report tcp-data-split (ethtool: n/a): not supported', fix: null}
    case 'unknown-value': return {id: 'tcp-data-split', title, status: 'unknown', evidence: `the kernel reports tcp-data-split value ${f.rings.tcpDataSplit}, which uringctl does not know`, fix: null}
  }
}

function hdsThreshold(f: InterfaceFacts): ReadinessCheck {
  const title = 'HDS threshold 0'
  const t = f.rings?.hdsThresh ?? null
  if (t === null) return {id: 'hds-threshold', title, status: 'unknown', evidence: f.rings ? 'the driver does not report an HDS threshold' : 'no ring parameters', fix: null}
  if (t === 0) return {id: 'hds-threshold', title, status: 'pass', evidence: `hds-thresh 0 (max ${f.rings?.hdsThreshMax ?? 'not reported'})`, fix: null}
  return {id: 'hds-threshold', title, status: 'fail', evidence: `hds-thresh ${t}: packets up to ${t} bytes are not split`, fix: `ethtool -G ${f.link.name} hds-thresh 0   # ethtool 6.14 or later`}
}

function rxQueues(f: InterfaceFacts): ReadinessCheck {
  const title = 'at least two RX queues'
  const {count, source} = rxQueueCount(f)
  if (count === null) return {id: 'rx-queues', title, status: 'unknown', evidence: 'RX queue count unavailable (no channels, no sysfs queues)', fix: null}
  if (count >= 2) return {id: 'rx-queues', title, status: 'pass', evidence: `${count} RX queues (${source})`, fix: null}
  const max = f.channels ? Math.max(f.channels.combinedMax ?? 0, f.channels.rxMax ?? 0) : 0
  return {
    id: 'rx-queues', title, status: 'fail',
    evidence: `${count} RX queue${count === 1 ? '' : 's'} (${source})${f.channels ? `, maximum ${max}` : ''}`,
    fix: max >= 2 ? `ethtool -L ${f.link.name} ${(f.channels?.combinedMax ?? 0) >= 2 ? 'combined' : 'rx'} 2` : null,
  }
}

function noXdp(f: InterfaceFacts): ReadinessCheck {
  const title = 'no XDP program attached'
  const {attached, progId} = f.link.xdp
  if (attached === 'none') return {id: 'no-xdp', title, status: 'pass', evidence: 'IFLA_XDP: no program attached', fix: null}
  const flag = attached === 'generic' ? 'xdpgeneric' : attached === 'driver' ? 'xdpdrv' : attached === 'offload' ? 'xdpoffload' : 'xdp'
  return {id: 'no-xdp', title, status: 'fail', evidence: `IFLA_XDP: program ${progId ?? '?'} attached (${attached})`, fix: `ip link set dev ${f.link.name} ${flag} off`}
}

function queueFree(f: InterfaceFacts, target: number | null): ReadinessCheck {
  const title = 'target RX queue has no memory provider'
  if (!f.rxQueues) return {id: 'queue-free', title, status: 'unknown', evidence: `netdev queue list unavailable: ${f.rxQueuesUnavailable?.reason ?? 'unknown'}`, fix: null}
  if (target === null) return {id: 'queue-free', title, status: 'unknown', evidence: 'no RX queue to check', fix: null}
  if (f.rxQueues.length === 0) return {id: 'queue-free', title, status: 'unknown', evidence: `netdev lists no RX queues for ${f.link.name} (interface down?)`, fix: `ip link set dev ${f.link.name} up`}
  const queue = f.rxQueues.find((q) => q.id === target)
  const ids = f.rxQueues.map((q) => q.id)
  if (!queue) return {id: 'queue-free', title, status: 'fail', evidence: `rx queue ${target} does not exist (queues ${Math.min(...ids)}-${Math.max(...ids)})`, fix: `choose an existing queue with --queue`}
  const bound = f.rxQueues.filter((q) => q.memoryProvider || q.xsk).map((q) => `${q.id}: ${q.memoryProvider ?? 'AF_XDP'}`)
  const others = bound.length ? `; bound queues: ${bound.join(', ')}` : '; no queue of this interface is bound'
  if (queue.memoryProvider || queue.xsk) {
    const holder = queue.memoryProvider === 'io_uring' ? 'io_uring zcrx' : queue.memoryProvider === 'dmabuf' ? `devmem dmabuf ${queue.dmabufId}` : 'an AF_XDP socket'
    return {id: 'queue-free', title, status: 'fail', evidence: `rx queue ${target} is bound to ${holder}${others}`, fix: 'stop the process that holds the queue, or check another one with --queue'}
  }
  return {id: 'queue-free', title, status: 'pass', evidence: `rx queue ${target} is free${others}`, fix: null}
}
