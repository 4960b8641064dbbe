// The "netdev" generic netlink family (include/uapi/linux/netdev.h): queues and page pools, including
// the memory-provider attributes that show a queue bound to io_uring zcrx or devmem. Family id is dynamic.
import type {AttrSet} from '../codec.js'

export const netdev = {
  name: 'netdev',
  version: 1,
  command: {devGet: 1, pagePoolGet: 5, queueGet: 10, napiGet: 11},
} as const

/** enum netdev_queue_type */
export const queueType = {rx: 0, tx: 1} as const

export const netdevQueueAttrs: AttrSet = {
  name: 'netdev_a_queue',
  attrs: {
    1: {name: 'id', kind: 'u32'},
    2: {name: 'ifindex', kind: 'u32'},
    3: {name: 'type', kind: 'u32'},
    4: {name: 'napiId', kind: 'u32'},
    5: {name: 'dmabuf', kind: 'u32'},
    // Empty nests: their presence is the information (io_uring zcrx since 6.15, AF_XDP since 6.16).
    6: {name: 'ioUring', kind: 'nested'},
    7: {name: 'xsk', kind: 'nested'},
  },
}

export const netdevPagePoolAttrs: AttrSet = {
  name: 'netdev_a_page_pool',
  attrs: {
    1: {name: 'id', kind: 'uint'},
    2: {name: 'ifindex', kind: 'u32'},
    3: {name: 'napiId', kind: 'uint'},
    4: {name: 'inflight', kind: 'uint'},
    5: {name: 'inflightMem', kind: 'uint'},
    6: {name: 'detachTime', kind: 'uint'},
    7: {name: 'dmabuf', kind: 'u32'},
    8: {name: 'ioUring', kind: 'nested'},
  },
}
