// rtnetlink link dump: the interfaces of this network namespace, their kind and their XDP attachment.
import {type DecodedAttrs, NetlinkDecodeError, decodeAttributes, encodeAttr} from './codec.js'
import {linkAttrs, rtnetlink, xdpAttached} from './families/rtnetlink.js'
import type {DataMessage, NetlinkSocket} from './socket.js'

export interface Link {
  ifindex: number
  name: string
  /** ARPHRD_* device type (1 Ethernet, 772 loopback). */
  deviceType: number
  loopback: boolean
  /** IFLA_INFO_KIND: set for software devices created by type (veth, ifb, bridge, ...). */
  kind: string | null
  /** Bus of the parent device (pci, virtio, ...); null for software devices. */
  parentBus: string | null
  parentDevice: string | null
  mtu: number | null
  numRxQueues: number | null
  xdp: {attached: (typeof xdpAttached)[keyof typeof xdpAttached] | `mode ${number}`; progId: number | null}
}

export function decodeLink(message: DataMessage): Link {
  if (message.header.type !== rtnetlink.message.newLink) throw new NetlinkDecodeError(`message type ${message.header.type} is not RTM_NEWLINK`, 4)
  const p = message.payload
  if (p.length < rtnetlink.ifinfomsgLength) throw new NetlinkDecodeError(`link payload of ${p.length} bytes is shorter than ifinfomsg`, 16)
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength)
  const deviceType = v.getUint16(2, true)
  const ifindex = v.getInt32(4, true)
  const flags = v.getUint32(8, true)
  const a = decodeAttributes(p.subarray(rtnetlink.ifinfomsgLength), linkAttrs, 16 + rtnetlink.ifinfomsgLength)
  if (typeof a.ifname !== 'string') throw new NetlinkDecodeError(`link ${ifindex} has no name`, 16)
  const info = (a.linkInfo as DecodedAttrs | undefined) ?? {}
  const xdp = (a.xdp as DecodedAttrs | undefined) ?? {}
  const mode = typeof xdp.attached === 'number' ? xdp.attached : 0
  return {
    ifindex,
    name: a.ifname,
    deviceType,
    loopback: deviceType === rtnetlink.arphrdLoopback || Boolean(flags & rtnetlink.iffLoopback),
    kind: typeof info.kind === 'string' ? info.kind : null,
    parentBus: typeof a.parentDevBusName === 'string' ? a.parentDevBusName : null,
    parentDevice: typeof a.parentDevName === 'string' ? a.parentDevName : null,
    mtu: typeof a.mtu === 'number' ? a.mtu : null,
    numRxQueues: typeof a.numRxQueues === 'number' ? a.numRxQueues : null,
    xdp: {
      attached: mode in xdpAttached ? xdpAttached[mode as keyof typeof xdpAttached] : `mode ${mode}`,
      progId: typeof xdp.progId === 'number' ? xdp.progId : null,
    },
  }
}

/** RTM_GETLINK dump, without statistics. */
export function dumpLinks(socket: NetlinkSocket): Link[] {
  const replies = socket.request({
    type: rtnetlink.message.getLink,
    mode: 'dump',
    familyHeader: new Uint8Array(rtnetlink.ifinfomsgLength),
    attrs: [encodeAttr.u32(rtnetlink.attr.extMask, rtnetlink.extFilterSkipStats)],
    what: 'interface list',
  })
  return replies.map(decodeLink).sort((x, y) => x.ifindex - y.ifindex)
}
