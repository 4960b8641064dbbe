// The "ethtool" generic netlink family (include/uapi/linux/ethtool_netlink_generated.h): the message and
// attribute ids we use, as data. The family id itself is dynamic: resolve "ethtool" through nlctrl.
import type {AttrSet} from '../codec.js'

export const ethtool = {
  name: 'ethtool',
  version: 1,
  /** ETHTOOL_MSG_*: requests (user -> kernel) and their replies (kernel -> user) are separate enums. */
  command: {ringsGet: 15, channelsGet: 17},
  reply: {ringsGet: 16, channelsGet: 18},
  /** Every request's first attribute is its HEADER nest (id 1 in every ethtool attribute set). */
  headerAttr: 1,
} as const

export const ethtoolHeaderAttrs: AttrSet = {
  name: 'ethtool_a_header',
  attrs: {
    1: {name: 'devIndex', kind: 'u32'},
    2: {name: 'devName', kind: 'string'},
    3: {name: 'flags', kind: 'u32'},
    4: {name: 'phyIndex', kind: 'u32'},
  },
}

export const ethtoolRingsAttrs: AttrSet = {
  name: 'ethtool_a_rings',
  attrs: {
    1: {name: 'header', kind: 'nested', nested: ethtoolHeaderAttrs},
    2: {name: 'rxMax', kind: 'u32'},
    3: {name: 'rxMiniMax', kind: 'u32'},
    4: {name: 'rxJumboMax', kind: 'u32'},
    5: {name: 'txMax', kind: 'u32'},
    6: {name: 'rx', kind: 'u32'},
    7: {name: 'rxMini', kind: 'u32'},
    8: {name: 'rxJumbo', kind: 'u32'},
    9: {name: 'tx', kind: 'u32'},
    10: {name: 'rxBufLen', kind: 'u32'},
    11: {name: 'tcpDataSplit', kind: 'u8'},
    12: {name: 'cqeSize', kind: 'u32'},
    13: {name: 'txPush', kind: 'u8'},
    14: {name: 'rxPush', kind: 'u8'},
    15: {name: 'txPushBufLen', kind: 'u32'},
    16: {name: 'txPushBufLenMax', kind: 'u32'},
    17: {name: 'hdsThresh', kind: 'u32'},
    18: {name: 'hdsThreshMax', kind: 'u32'},
  },
}

/** enum ethtool_tcp_data_split. The kernel omits the attribute when the driver reports UNKNOWN. */
export const tcpDataSplitValue = {unknown: 0, disabled: 1, enabled: 2} as const

export const ethtoolChannelsAttrs: AttrSet = {
  name: 'ethtool_a_channels',
  attrs: {
    1: {name: 'header', kind: 'nested', nested: ethtoolHeaderAttrs},
    2: {name: 'rxMax', kind: 'u32'},
    3: {name: 'txMax', kind: 'u32'},
    4: {name: 'otherMax', kind: 'u32'},
    5: {name: 'combinedMax', kind: 'u32'},
    6: {name: 'rxCount', kind: 'u32'},
    7: {name: 'txCount', kind: 'u32'},
    8: {name: 'otherCount', kind: 'u32'},
    9: {name: 'combinedCount', kind: 'u32'},
  },
}
