// Netlink encoding and decoding, pure and bounds-checked: nlmsghdr framing, genlmsghdr, attributes with
// nesting, NLMSG_ERROR with extended ack, NLMSG_DONE. Anything malformed is a NetlinkDecodeError; unknown
// attributes are skipped, never fatal.
import {
  GENL_HDRLEN, NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_HDRLEN, NLA_TYPE_MASK, NLMSG_HDRLEN, extackAttr,
  messageFlag, messageType,
} from './protocol.js'

/** The only error the decoder throws: what was wrong and where (byte offset in the decoded buffer). */
export class NetlinkDecodeError extends Error {
  readonly offset: number

  constructor(message: string, offset: number) {
    super(`malformed netlink data at byte ${offset}: ${message}`)
    this.name = 'NetlinkDecodeError'
    this.offset = offset
  }
}

export const align4 = (n: number): number => (n + 3) & ~3

// ---- attribute sets: decoding schemas, filled with each family's data in families/ ----------------

/** Wire types; `uint` is YNL's variable-width unsigned (4 or 8 bytes); `array` is a nest of index-typed nests. */
export type AttrKind = 'u8' | 'u16' | 'u32' | 'u64' | 'uint' | 's32' | 'string' | 'flag' | 'binary' | 'nested' | 'array'
export interface AttrSpec {
  name: string
  kind: AttrKind
  /** The set of a nest's children, or of each element of an array. */
  nested?: AttrSet
}
/** One kernel attribute enum, as data: id -> name and wire type. */
export interface AttrSet {
  name: string
  attrs: Readonly<Record<number, AttrSpec>>
}
export type AttrValue = number | bigint | string | boolean | Uint8Array | DecodedAttrs | DecodedAttrs[]
export interface DecodedAttrs {
  [name: string]: AttrValue | undefined
}

/** Attribute id by name in a set, so encoders never carry literal ids. */
export function attrId(set: AttrSet, name: string): number {
  for (const [id, spec] of Object.entries(set.attrs)) if (spec.name === name) return Number(id)
  throw new Error(`attribute ${name} is not in ${set.name}`)
}

// ---- framing ------------------------------------------------------------------------------------

export interface NetlinkHeader {
  length: number
  type: number
  flags: number
  seq: number
  pid: number
}

export interface ExtendedAck {
  message?: string
  /** Byte offset into the request of the attribute the kernel objected to. */
  offset?: number
  missingType?: number
  missingNest?: number
}

export type NetlinkMessage =
  | {kind: 'data'; header: NetlinkHeader; payload: Uint8Array}
  | {kind: 'ack'; header: NetlinkHeader; request: NetlinkHeader; extack: ExtendedAck}
  | {kind: 'error'; header: NetlinkHeader; errno: number; request: NetlinkHeader; extack: ExtendedAck}
  | {kind: 'done'; header: NetlinkHeader; errno: number; extack: ExtendedAck}
  | {kind: 'noop' | 'overrun'; header: NetlinkHeader}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function readHeader(bytes: Uint8Array, at: number): NetlinkHeader {
  const v = view(bytes)
  return {
    length: v.getUint32(at, true),
    type: v.getUint16(at + 4, true),
    flags: v.getUint16(at + 6, true),
    seq: v.getUint32(at + 8, true),
    pid: v.getUint32(at + 12, true),
  }
}

/** Splits one datagram into its messages (several in a dump) and classifies each. */
export function decodeDatagram(datagram: Uint8Array): NetlinkMessage[] {
  const messages: NetlinkMessage[] = []
  let at = 0
  while (at < datagram.length) {
    const left = datagram.length - at
    if (left < NLMSG_HDRLEN) throw new NetlinkDecodeError(`${left} trailing bytes, shorter than a message header`, at)
    const header = readHeader(datagram, at)
    if (header.length < NLMSG_HDRLEN) throw new NetlinkDecodeError(`message length ${header.length} is below the header size`, at)
    if (header.length > left) throw new NetlinkDecodeError(`message length ${header.length} overruns the ${left} bytes left`, at)
    messages.push(classify(header, datagram.subarray(at + NLMSG_HDRLEN, at + header.length), at))
    at += Math.min(align4(header.length), left)
  }
  return messages
}

function classify(header: NetlinkHeader, payload: Uint8Array, at: number): NetlinkMessage {
  switch (header.type) {
    case messageType.error: return decodeError(header, payload, at)
    case messageType.done: return decodeDone(header, payload, at)
    case messageType.noop: return {kind: 'noop', header}
    case messageType.overrun: return {kind: 'overrun', header}
    default: return {kind: 'data', header, payload}
  }
}

// struct nlmsgerr: int error; struct nlmsghdr msg; [request payload unless capped]; [extack TLVs]
function decodeError(header: NetlinkHeader, payload: Uint8Array, at: number): NetlinkMessage {
  const base = at + NLMSG_HDRLEN
  if (payload.length < 4 + NLMSG_HDRLEN) throw new NetlinkDecodeError(`error message payload of ${payload.length} bytes is shorter than struct nlmsgerr`, base)
  const error = view(payload).getInt32(0, true)
  const request = readHeader(payload, 4)
  let tlvStart = 4 + NLMSG_HDRLEN
  if (!(header.flags & messageFlag.capped)) {
    if (request.length < NLMSG_HDRLEN) throw new NetlinkDecodeError(`echoed request length ${request.length} is below the header size`, base + 4)
    tlvStart = 4 + align4(request.length)
    if (tlvStart > payload.length) {
      // An uncapped echo without room for the request body only happens without extack TLVs to follow.
      if (header.flags & messageFlag.ackTlvs) throw new NetlinkDecodeError('echoed request overruns the error message', base + 4)
      tlvStart = payload.length
    }
  }
  const extack = header.flags & messageFlag.ackTlvs ? decodeExtack(payload.subarray(tlvStart), base + tlvStart) : {}
  if (error > 0) throw new NetlinkDecodeError(`error code ${error} is positive (the kernel sends -errno)`, base)
  if (error === 0) return {kind: 'ack', header, request, extack}
  return {kind: 'error', header, errno: -error, request, extack}
}

function decodeDone(header: NetlinkHeader, payload: Uint8Array, at: number): NetlinkMessage {
  if (payload.length === 0) return {kind: 'done', header, errno: 0, extack: {}}
  if (payload.length < 4) throw new NetlinkDecodeError(`done message payload of ${payload.length} bytes is shorter than its error code`, at + NLMSG_HDRLEN)
  const error = view(payload).getInt32(0, true)
  const extack = header.flags & messageFlag.ackTlvs ? decodeExtack(payload.subarray(4), at + NLMSG_HDRLEN + 4) : {}
  return {kind: 'done', header, errno: error < 0 ? -error : error, extack}
}

const extackSet: AttrSet = {
  name: 'nlmsgerr_attrs',
  attrs: {
    [extackAttr.msg]: {name: 'message', kind: 'string'},
    [extackAttr.offset]: {name: 'offset', kind: 'u32'},
    [extackAttr.missingType]: {name: 'missingType', kind: 'u32'},
    [extackAttr.missingNest]: {name: 'missingNest', kind: 'u32'},
  },
}

function decodeExtack(tlvs: Uint8Array, offset: number): ExtendedAck {
  return decodeAttributes(tlvs, extackSet, offset) as ExtendedAck
}

// ---- generic netlink ----------------------------------------------------------------------------

export interface GenlMessage {
  header: NetlinkHeader
  cmd: number
  version: number
  attrs: Uint8Array
}

export function decodeGenl(message: {header: NetlinkHeader; payload: Uint8Array}): GenlMessage {
  if (message.payload.length < GENL_HDRLEN) throw new NetlinkDecodeError(`generic netlink payload of ${message.payload.length} bytes is shorter than genlmsghdr`, NLMSG_HDRLEN)
  return {header: message.header, cmd: message.payload[0], version: message.payload[1], attrs: message.payload.subarray(GENL_HDRLEN)}
}

// ---- attributes ---------------------------------------------------------------------------------

export interface RawAttribute {
  type: number
  nested: boolean
  netByteOrder: boolean
  value: Uint8Array
  /** Offset of the attribute header, relative to what the caller passed as `offset`. */
  offset: number
}

/** Walks a run of attributes; framing errors throw, contents are not looked at. */
export function splitAttributes(bytes: Uint8Array, offset = 0): RawAttribute[] {
  const out: RawAttribute[] = []
  let at = 0
  while (at < bytes.length) {
    const left = bytes.length - at
    if (left < NLA_HDRLEN) throw new NetlinkDecodeError(`${left} trailing bytes, shorter than an attribute header`, offset + at)
    const v = view(bytes)
    const length = v.getUint16(at, true)
    const rawType = v.getUint16(at + 2, true)
    if (length < NLA_HDRLEN) throw new NetlinkDecodeError(`attribute length ${length} is below the header size`, offset + at)
    if (length > left) throw new NetlinkDecodeError(`attribute length ${length} overruns the ${left} bytes left`, offset + at)
    out.push({
      type: rawType & NLA_TYPE_MASK,
      nested: Boolean(rawType & NLA_F_NESTED),
      netByteOrder: Boolean(rawType & NLA_F_NET_BYTEORDER),
      value: bytes.subarray(at + NLA_HDRLEN, at + length),
      offset: offset + at,
    })
    at += Math.min(align4(length), left)
  }
  return out
}

const fixedSize: Partial<Record<AttrKind, number>> = {u8: 1, u16: 2, u32: 4, s32: 4, u64: 8, flag: 0}

/**
 * Decodes attributes by a schema. Ids the schema does not know are skipped (newer kernels add them);
 * a known attribute of the wrong size, or a malformed nest, throws NetlinkDecodeError.
 */
export function decodeAttributes(bytes: Uint8Array, set: AttrSet, offset = 0): DecodedAttrs {
  const out: DecodedAttrs = {}
  for (const attr of splitAttributes(bytes, offset)) {
    const spec = set.attrs[attr.type]
    if (!spec) continue
    out[spec.name] = decodeValue(attr, spec, set)
  }
  return out
}

function decodeValue(attr: RawAttribute, spec: AttrSpec, set: AttrSet): AttrValue {
  const {value} = attr
  const size = fixedSize[spec.kind]
  if (size !== undefined && value.length !== size) {
    throw new NetlinkDecodeError(`${set.name}.${spec.name} (${spec.kind}) has ${value.length} bytes, expected ${size}`, attr.offset)
  }
  const v = view(value)
  const littleEndian = !attr.netByteOrder
  switch (spec.kind) {
    case 'u8': return value[0]
    case 'u16': return v.getUint16(0, littleEndian)
    case 'u32': return v.getUint32(0, littleEndian)
    case 's32': return v.getInt32(0, littleEndian)
    case 'u64': return v.getBigUint64(0, littleEndian)
    case 'uint': {
      if (value.length === 4) return v.getUint32(0, littleEndian)
      if (value.length !== 8) throw new NetlinkDecodeError(`${set.name}.${spec.name} (uint) has ${value.length} bytes, expected 4 or 8`, attr.offset)
      const wide = v.getBigUint64(0, littleEndian)
      return wide <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(wide) : wide
    }
    case 'flag': return true
    case 'string': {
      const end = value.indexOf(0)
      return new TextDecoder().decode(end === -1 ? value : value.subarray(0, end))
    }
    case 'binary': return value
    case 'nested': return decodeAttributes(value, spec.nested ?? {name: spec.name, attrs: {}}, attr.offset + NLA_HDRLEN)
    case 'array': {
      const element = spec.nested ?? {name: spec.name, attrs: {}}
      return splitAttributes(value, attr.offset + NLA_HDRLEN).map((item) => decodeAttributes(item.value, element, item.offset + NLA_HDRLEN))
    }
  }
}

// ---- encoding -----------------------------------------------------------------------------------

/** One encoded attribute, padded to 4 bytes. */
export const encodeAttr = {
  u32(type: number, value: number): Uint8Array {
    const out = attrBuffer(type, 4)
    view(out).setUint32(NLA_HDRLEN, value >>> 0, true)
    return out
  },
  u8(type: number, value: number): Uint8Array {
    const out = attrBuffer(type, 1)
    out[NLA_HDRLEN] = value & 0xff
    return out
  },
  string(type: number, value: string): Uint8Array {
    const text = new TextEncoder().encode(value)
    const out = attrBuffer(type, text.length + 1)
    out.set(text, NLA_HDRLEN)
    return out
  },
  nested(type: number, children: Uint8Array[]): Uint8Array {
    const body = concat(children)
    const out = attrBuffer(type | NLA_F_NESTED, body.length)
    out.set(body, NLA_HDRLEN)
    return out
  },
}

function attrBuffer(type: number, valueLength: number): Uint8Array {
  const length = NLA_HDRLEN + valueLength
  const out = new Uint8Array(align4(length))
  const v = view(out)
  v.setUint16(0, length, true)
  v.setUint16(2, type, true)
  return out
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export interface RequestSpec {
  type: number
  flags: number
  seq: number
  /** The family's fixed header (genlmsghdr, ifinfomsg), already encoded. */
  familyHeader: Uint8Array
  attrs?: Uint8Array[]
}

export function encodeMessage(spec: RequestSpec): Uint8Array {
  const body = concat([spec.familyHeader, ...(spec.attrs ?? [])])
  const out = new Uint8Array(NLMSG_HDRLEN + align4(body.length))
  const v = view(out)
  v.setUint32(0, NLMSG_HDRLEN + body.length, true)
  v.setUint16(4, spec.type, true)
  v.setUint16(6, spec.flags, true)
  v.setUint32(8, spec.seq >>> 0, true)
  v.setUint32(12, 0, true)
  out.set(body, NLMSG_HDRLEN)
  return out
}

export function genlHeader(cmd: number, version: number): Uint8Array {
  return Uint8Array.of(cmd, version, 0, 0)
}
