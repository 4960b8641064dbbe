// A netlink socket that sends one request at a time and returns the decoded answer to it.
import {errnoName} from '../base/errno.js'
import {addon} from '../native/addon.js'
import {type ExtendedAck, type NetlinkMessage, decodeDatagram, encodeMessage} from './codec.js'
import type {NetlinkNative} from './native.js'
import {messageFlag, netlinkProtocol} from './protocol.js'

/** The kernel refused a request (NLMSG_ERROR), or the socket failed (timeout, oversize answer). */
export class NetlinkError extends Error {
  readonly errno: number
  readonly errnoName: string
  readonly extack: ExtendedAck

  constructor(errno: number, what: string, extack: ExtendedAck = {}) {
    const name = errnoName(errno)
    super(`${what}: ${extack.message ? `${extack.message} (${name})` : name}`)
    this.name = 'NetlinkError'
    this.errno = errno
    this.errnoName = name
    this.extack = extack
  }
}

export type DataMessage = Extract<NetlinkMessage, {kind: 'data'}>

export interface RequestOptions {
  type: number
  /** NLM_F_* beyond REQUEST: `ack` for a single object, `dump` for all of them. */
  mode: 'ack' | 'dump'
  familyHeader: Uint8Array
  attrs?: Uint8Array[]
  /** What this request is, for error messages ("ethtool rings of eth0"). */
  what: string
}

const timeoutMs = 5000
const maxAnswerBytes = 64 * 1024 * 1024
const dumpRetries = 3

export class NetlinkSocket {
  private fd: number
  private seq = Math.floor(Date.now() / 1000) >>> 0

  private constructor(fd: number) {
    this.fd = fd
  }

  static open(protocol: 'generic' | 'route'): NetlinkSocket {
    return new NetlinkSocket(addon<NetlinkNative>().netlinkOpen(netlinkProtocol[protocol]))
  }

  close(): void {
    if (this.fd >= 0) addon<NetlinkNative>().netlinkClose(this.fd)
    this.fd = -1
  }

  /** Sends the request and returns its data messages; an NLMSG_ERROR answer throws NetlinkError. */
  request(options: RequestOptions): DataMessage[] {
    for (let attempt = 1; ; attempt++) {
      const {messages, interrupted} = this.transact(options)
      // A dump that raced with a change (NLM_F_DUMP_INTR) may be inconsistent: ask again.
      if (!interrupted || attempt >= dumpRetries) return messages
    }
  }

  private transact(options: RequestOptions): {messages: DataMessage[]; interrupted: boolean} {
    if (this.fd < 0) throw new Error('netlink socket is closed')
    const seq = (this.seq = (this.seq + 1) >>> 0)
    const flags = messageFlag.request | (options.mode === 'dump' ? messageFlag.dump : messageFlag.ack)
    const request = encodeMessage({type: options.type, flags, seq, familyHeader: options.familyHeader, attrs: options.attrs})
    const answer = addon<NetlinkNative>().netlinkTransact(this.fd, request, timeoutMs, maxAnswerBytes)
    const messages: DataMessage[] = []
    let interrupted = false
    for (const datagram of answer.datagrams) {
      for (const message of decodeDatagram(datagram)) {
        if (message.header.seq !== seq) continue
        if (message.header.flags & messageFlag.dumpInterrupted) interrupted = true
        switch (message.kind) {
          case 'data': messages.push(message); break
          case 'error': throw new NetlinkError(message.errno, options.what, message.extack)
          case 'done': if (message.errno) throw new NetlinkError(message.errno, options.what, message.extack); break
          default: break
        }
      }
    }
    if (answer.errno) throw new NetlinkError(answer.errno, options.what)
    return {messages, interrupted}
  }
}

/** Runs `fn` with an open socket and always closes it. */
export function withSocket<T>(protocol: 'generic' | 'route', fn: (socket: NetlinkSocket) => T): T {
  const socket = NetlinkSocket.open(protocol)
  try {
    return fn(socket)
  } finally {
    socket.close()
  }
}

