// The netlink protocol's own numbers (include/uapi/linux/netlink.h), shared by every family.

export const netlinkProtocol = {route: 0, generic: 16} as const

/** Fixed sizes: struct nlmsghdr, struct nlattr, struct genlmsghdr, struct nlmsgerr's error field. */
export const NLMSG_HDRLEN = 16
export const NLA_HDRLEN = 4
export const GENL_HDRLEN = 4

/** Control message types below NLMSG_MIN_TYPE (0x10); families use types from 0x10 up. */
export const messageType = {noop: 1, error: 2, done: 3, overrun: 4} as const
export const NLMSG_MIN_TYPE = 0x10

export const messageFlag = {
  request: 0x1,
  multi: 0x2,
  ack: 0x4,
  echo: 0x8,
  dumpInterrupted: 0x10,
  dumpFiltered: 0x20,
  // GET requests
  root: 0x100,
  match: 0x200,
  dump: 0x300,
  // ACK/ERROR replies
  capped: 0x100,
  ackTlvs: 0x200,
} as const

/** nlattr type bits: the top two are flags, the rest the attribute id. */
export const NLA_F_NESTED = 0x8000
export const NLA_F_NET_BYTEORDER = 0x4000
export const NLA_TYPE_MASK = 0x3fff

/** enum nlmsgerr_attrs: extended ack TLVs after an NLMSG_ERROR or NLMSG_DONE (NLM_F_ACK_TLVS). */
export const extackAttr = {msg: 1, offset: 2, cookie: 3, policy: 4, missingType: 5, missingNest: 6} as const
