// netdev netlink queries: every queue of every device, with the memory provider bound to it if any.
import {decodeAttributes, decodeGenl, genlHeader, NetlinkDecodeError} from './codec.js'
import {netdev, netdevPagePoolAttrs, netdevQueueAttrs, queueType} from './families/netdev.js'
import type {GenericFamily} from './generic.js'
import type {DataMessage, NetlinkSocket} from './socket.js'

export type MemoryProvider = 'io_uring' | 'dmabuf'

export interface Queue {
  ifindex: number
  id: number
  type: 'rx' | 'tx' | `type ${number}`
  napiId: number | null
  /** The memory provider the queue is bound to (zcrx, devmem), or null. */
  memoryProvider: MemoryProvider | null
  dmabufId: number | null
  /** Bound to an AF_XDP socket (not a memory provider, but the queue is taken). */
  xsk: boolean
}

export interface PagePool {
  id: number | bigint
  ifindex: number | null
  napiId: number | bigint | null
  inflight: number | bigint | null
  memoryProvider: MemoryProvider | null
}

function check(message: DataMessage, familyId: number, cmd: number): Uint8Array {
  const genl = decodeGenl(message)
  if (message.header.type !== familyId) throw new NetlinkDecodeError(`message type ${message.header.type} is not the netdev family (${familyId})`, 4)
  if (genl.cmd !== cmd) throw new NetlinkDecodeError(`netdev command ${genl.cmd} where ${cmd} was expected`, 16)
  return genl.attrs
}

export function decodeQueue(message: DataMessage, familyId: number): Queue {
  const a = decodeAttributes(check(message, familyId, netdev.command.queueGet), netdevQueueAttrs, 20)
  if (typeof a.ifindex !== 'number' || typeof a.id !== 'number' || typeof a.type !== 'number') {
    throw new NetlinkDecodeError('queue without ifindex, id or type', 20)
  }
  const type = a.type === queueType.rx ? 'rx' : a.type === queueType.tx ? 'tx' : (`type ${a.type}` as const)
  const memoryProvider: MemoryProvider | null = a.ioUring !== undefined ? 'io_uring' : a.dmabuf !== undefined ? 'dmabuf' : null
  return {
    ifindex: a.ifindex,
    id: a.id,
    type,
    napiId: typeof a.napiId === 'number' ? a.napiId : null,
    memoryProvider,
    dmabufId: typeof a.dmabuf === 'number' ? a.dmabuf : null,
    xsk: a.xsk !== undefined,
  }
}

export function decodePagePool(message: DataMessage, familyId: number): PagePool {
  const a = decodeAttributes(check(message, familyId, netdev.command.pagePoolGet), netdevPagePoolAttrs, 20)
  if (typeof a.id !== 'number' && typeof a.id !== 'bigint') throw new NetlinkDecodeError('page pool without id', 20)
  const wide = (v: unknown) => (typeof v === 'number' || typeof v === 'bigint' ? v : null)
  return {
    id: a.id,
    ifindex: typeof a.ifindex === 'number' ? a.ifindex : null,
    napiId: wide(a.napiId),
    inflight: wide(a.inflight),
    memoryProvider: a.ioUring !== undefined ? 'io_uring' : a.dmabuf !== undefined ? 'dmabuf' : null,
  }
}

/** NETDEV_CMD_QUEUE_GET dump: every queue of every device in this network namespace. */
export function dumpQueues(socket: NetlinkSocket, family: GenericFamily): Queue[] {
  const replies = socket.request({
    type: family.id,
    mode: 'dump',
    familyHeader: genlHeader(netdev.command.queueGet, netdev.version),
    what: 'netdev queue list',
  })
  return replies.map((m) => decodeQueue(m, family.id))
}

/** NETDEV_CMD_PAGE_POOL_GET dump: page pools (only those of drivers that expose them). */
export function dumpPagePools(socket: NetlinkSocket, family: GenericFamily): PagePool[] {
  const replies = socket.request({
    type: family.id,
    mode: 'dump',
    familyHeader: genlHeader(netdev.command.pagePoolGet, netdev.version),
    what: 'netdev page pool list',
  })
  return replies.map((m) => decodePagePool(m, family.id))
}
