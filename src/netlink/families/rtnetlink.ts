// rtnetlink links (include/uapi/linux/rtnetlink.h, if_link.h): the interface list, its kind, and XDP.
import type {AttrSet} from '../codec.js'

export const rtnetlink = {
  message: {newLink: 16, getLink: 18},
  /** sizeof(struct ifinfomsg) */
  ifinfomsgLength: 16,
  /** RTEXT_FILTER_SKIP_STATS, for IFLA_EXT_MASK: we read no counters, so skip the bulk of each reply. */
  extFilterSkipStats: 1 << 3,
  attr: {extMask: 29},
  /** ARPHRD_LOOPBACK (if_arp.h) and IFF_LOOPBACK (if.h) */
  arphrdLoopback: 772,
  iffLoopback: 0x8,
} as const

/** enum IFLA_XDP_ATTACHED values: where a program is attached. */
export const xdpAttached = {0: 'none', 1: 'driver', 2: 'generic', 3: 'offload', 4: 'multiple'} as const

const linkInfoAttrs: AttrSet = {
  name: 'ifla_info',
  attrs: {1: {name: 'kind', kind: 'string'}, 4: {name: 'slaveKind', kind: 'string'}},
}

const xdpAttrs: AttrSet = {
  name: 'ifla_xdp',
  attrs: {
    2: {name: 'attached', kind: 'u8'},
    3: {name: 'flags', kind: 'u32'},
    4: {name: 'progId', kind: 'u32'},
    5: {name: 'driverProgId', kind: 'u32'},
    6: {name: 'genericProgId', kind: 'u32'},
    7: {name: 'offloadProgId', kind: 'u32'},
  },
}

export const linkAttrs: AttrSet = {
  name: 'ifla',
  attrs: {
    3: {name: 'ifname', kind: 'string'},
    4: {name: 'mtu', kind: 'u32'},
    16: {name: 'operstate', kind: 'u8'},
    18: {name: 'linkInfo', kind: 'nested', nested: linkInfoAttrs},
    31: {name: 'numTxQueues', kind: 'u32'},
    32: {name: 'numRxQueues', kind: 'u32'},
    43: {name: 'xdp', kind: 'nested', nested: xdpAttrs},
    56: {name: 'parentDevName', kind: 'string'},
    57: {name: 'parentDevBusName', kind: 'string'},
  },
}
