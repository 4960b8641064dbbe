// Generic netlink controller "nlctrl" (include/uapi/linux/genetlink.h): resolves family names to ids.
import type {AttrSet} from '../codec.js'

export const ctrl = {
  /** GENL_ID_CTRL: the one fixed generic netlink family id. */
  familyId: 0x10,
  version: 1,
  command: {newFamily: 1, getFamily: 3},
  attr: {familyId: 1, familyName: 2},
} as const

const op: AttrSet = {name: 'ctrl_attr_op', attrs: {1: {name: 'id', kind: 'u32'}, 2: {name: 'flags', kind: 'u32'}}}
const mcastGroup: AttrSet = {name: 'ctrl_attr_mcast_grp', attrs: {1: {name: 'name', kind: 'string'}, 2: {name: 'id', kind: 'u32'}}}

export const ctrlFamilyAttrs: AttrSet = {
  name: 'ctrl_attr',
  attrs: {
    1: {name: 'familyId', kind: 'u16'},
    2: {name: 'familyName', kind: 'string'},
    3: {name: 'version', kind: 'u32'},
    4: {name: 'headerSize', kind: 'u32'},
    5: {name: 'maxAttr', kind: 'u32'},
    6: {name: 'ops', kind: 'array', nested: op},
    7: {name: 'multicastGroups', kind: 'array', nested: mcastGroup},
  },
}

/** GENL_ADMIN_PERM / GENL_UNS_ADMIN_PERM op flags: the op needs CAP_NET_ADMIN. */
export const ctrlOpFlag = {adminPerm: 0x1, unsAdminPerm: 0x10} as const
