// ethtool netlink queries: ring parameters (with TCP data split and HDS threshold) and channels.
import {type DecodedAttrs, NetlinkDecodeError, attrId, decodeAttributes, decodeGenl, encodeAttr, genlHeader} from './codec.js'
import {ethtool, ethtoolChannelsAttrs, ethtoolHeaderAttrs, ethtoolRingsAttrs, tcpDataSplitValue} from './families/ethtool.js'
import type {GenericFamily} from './generic.js'
import type {DataMessage, NetlinkSocket} from './socket.js'

export interface RingParameters {
  ifindex: number | null
  ifname: string | null
  rx: number | null
  rxMax: number | null
  rxMini: number | null
  rxMiniMax: number | null
  rxJumbo: number | null
  rxJumboMax: number | null
  tx: number | null
  txMax: number | null
  rxBufLen: number | null
  cqeSize: number | null
  txPush: boolean | null
  rxPush: boolean | null
  /** ETHTOOL_A_RINGS_TCP_DATA_SPLIT as sent, or null when the kernel left it out (driver: UNKNOWN). */
  tcpDataSplit: number | null
  hdsThresh: number | null
  hdsThreshMax: number | null
}

export interface Channels {
  rxCount: number | null
  txCount: number | null
  otherCount: number | null
  combinedCount: number | null
  rxMax: number | null
  txMax: number | null
  otherMax: number | null
  combinedMax: number | null
}

export type TcpDataSplitState = 'not-reported' | 'off' | 'on' | 'unknown-value'

/** What the kernel's value means, and the word `ethtool -g` prints for it on its "TCP data split:" line. */
export function describeTcpDataSplit(value: number | null): {state: TcpDataSplitState; ethtoolText: string} {
  if (value === null || value === tcpDataSplitValue.unknown) return {state: 'not-reported', ethtoolText: 'n/a'}
  if (value === tcpDataSplitValue.disabled) return {state: 'off', ethtoolText: 'off'}
  if (value === tcpDataSplitValue.enabled) return {state: 'on', ethtoolText: 'on'}
  return {state: 'unknown-value', ethtoolText: `unknown(${value})`}
}

function num(attrs: DecodedAttrs, name: string): number | null {
  const v = attrs[name]
  return typeof v === 'number' ? v : null
}

function bool(attrs: DecodedAttrs, name: string): boolean | null {
  const v = num(attrs, name)
  return v === null ? null : v !== 0
}

function expectReply(message: DataMessage, family: GenericFamily | number, cmd: number): DecodedAttrs {
  const genl = decodeGenl(message)
  const familyId = typeof family === 'number' ? family : family.id
  if (message.header.type !== familyId) throw new NetlinkDecodeError(`message type ${message.header.type} is not the ethtool family (${familyId})`, 4)
  if (genl.cmd !== cmd) throw new NetlinkDecodeError(`ethtool command ${genl.cmd} where ${cmd} was expected`, 16)
  return decodeAttributes(genl.attrs, cmd === ethtool.reply.ringsGet ? ethtoolRingsAttrs : ethtoolChannelsAttrs, 20)
}

/** Decodes one ETHTOOL_MSG_RINGS_GET_REPLY. */
export function decodeRingsReply(message: DataMessage, family: GenericFamily | number): RingParameters {
  const a = expectReply(message, family, ethtool.reply.ringsGet)
  const header = (a.header as DecodedAttrs | undefined) ?? {}
  return {
    ifindex: num(header, 'devIndex'),
    ifname: typeof header.devName === 'string' ? header.devName : null,
    rx: num(a, 'rx'),
    rxMax: num(a, 'rxMax'),
    rxMini: num(a, 'rxMini'),
    rxMiniMax: num(a, 'rxMiniMax'),
    rxJumbo: num(a, 'rxJumbo'),
    rxJumboMax: num(a, 'rxJumboMax'),
    tx: num(a, 'tx'),
    txMax: num(a, 'txMax'),
    rxBufLen: num(a, 'rxBufLen'),
    cqeSize: num(a, 'cqeSize'),
    txPush: bool(a, 'txPush'),
    rxPush: bool(a, 'rxPush'),
    tcpDataSplit: num(a, 'tcpDataSplit'),
    hdsThresh: num(a, 'hdsThresh'),
    hdsThreshMax: num(a, 'hdsThreshMax'),
  }
}

/** Decodes one ETHTOOL_MSG_CHANNELS_GET_REPLY. */
export function decodeChannelsReply(message: DataMessage, family: GenericFamily | number): Channels {
  const a = expectReply(message, family, ethtool.reply.channelsGet)
  return {
    rxCount: num(a, 'rxCount'),
    txCount: num(a, 'txCount'),
    otherCount: num(a, 'otherCount'),
    combinedCount: num(a, 'combinedCount'),
    rxMax: num(a, 'rxMax'),
    txMax: num(a, 'txMax'),
    otherMax: num(a, 'otherMax'),
    combinedMax: num(a, 'combinedMax'),
  }
}

function headerFor(ifindex: number): Uint8Array {
  // By index, not name: names can be reused between our link dump and this request; an index cannot.
  return encodeAttr.nested(ethtool.headerAttr, [encodeAttr.u32(attrId(ethtoolHeaderAttrs, 'devIndex'), ifindex)])
}

/** One ethtool GET request for one device, answered by exactly one reply. */
function getForDevice(socket: NetlinkSocket, family: GenericFamily, command: number, ifindex: number, what: string): DataMessage {
  const replies = socket.request({
    type: family.id,
    mode: 'ack',
    familyHeader: genlHeader(command, ethtool.version),
    attrs: [headerFor(ifindex)],
    what,
  })
  if (replies.length !== 1) throw new NetlinkDecodeError(`${replies.length} replies where one was expected (${what})`, 0)
  return replies[0]
}

/** ETHTOOL_MSG_RINGS_GET for one device. Throws NetlinkError (EOPNOTSUPP: no get_ringparam, ENODEV). */
export function getRings(socket: NetlinkSocket, family: GenericFamily, ifindex: number, ifname: string): RingParameters {
  return decodeRingsReply(getForDevice(socket, family, ethtool.command.ringsGet, ifindex, `ethtool ring parameters of ${ifname}`), family)
}

/** ETHTOOL_MSG_CHANNELS_GET for one device. Throws NetlinkError (EOPNOTSUPP: no get_channels). */
export function getChannels(socket: NetlinkSocket, family: GenericFamily, ifindex: number, ifname: string): Channels {
  return decodeChannelsReply(getForDevice(socket, family, ethtool.command.channelsGet, ifindex, `ethtool channels of ${ifname}`), family)
}
