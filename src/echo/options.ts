// Turns `echo serve`'s flags into server options; every problem a user can cause is one usage-error line.
import {readdirSync, readFileSync} from 'node:fs'
import {isIP} from 'node:net'

import {usageError, UserError} from '../base/errors.js'
import {quoteInput} from '../base/quote.js'
import {ServeExit, techniqueNames, type TechniqueName} from './server.js'

/** Flags that mean something to one backend only; given with the other, they would be silently ignored. */
const backendOnly = {
  io_uring: ['sqpoll', 'buffers', 'batch-wait', 'without'],
  epoll: ['epoll-mode'],
} as const

export interface ServeFlagValues {
  backend: 'io_uring' | 'epoll'
  host: string
  buffers: number
  without?: string
}

/** `explicit`: the flags typed on the command line (not set from their defaults). */
export function checkServeFlags(flags: ServeFlagValues, explicit: (name: string) => boolean): TechniqueName[] {
  if (flags.host.trim() === '') throw usageError('--host is empty: give the address to listen on, e.g. 0.0.0.0 (all IPv4), :: (all) or 127.0.0.1')
  checkScope(flags.host)
  const other = flags.backend === 'io_uring' ? 'epoll' : 'io_uring'
  const misplaced = backendOnly[other].filter((name) => explicit(name))
  if (misplaced.length > 0) {
    const list = misplaced.map((name) => `--${name}`).join(', ')
    throw usageError(`${list} only ${misplaced.length === 1 ? 'applies' : 'apply'} to --backend ${other}: drop ${list}, or use --backend ${other}`)
  }
  const without = (flags.without ?? '').split(',').filter(Boolean)
  const unknown = without.filter((name) => !(name in techniqueNames))
  if (unknown.length > 0) throw usageError(`--without: unknown technique ${unknown.map((name) => quoteInput(name)).join(', ')}; valid: ${Object.keys(techniqueNames).join(', ')}`)
  if (flags.buffers & (flags.buffers - 1)) throw usageError(`--buffers ${flags.buffers}: must be a power of two, e.g. 1024`)
  return without as TechniqueName[]
}

/** An IPv6 scope (fe80::1%eth0, fe80::1%2) must name an interface that exists here; the address would be blamed otherwise. */
export function checkScope(host: string, flag = '--host'): void {
  const at = host.indexOf('%')
  if (at < 0) return
  const address = host.slice(0, at)
  const zone = host.slice(at + 1)
  const fail = (problem: string) => new UserError(`${flag} ${quoteInput(host)}: ${problem}`, {code: 'BAD_ADDRESS', exitCode: ServeExit.badAddress})
  if (isIP(address) === 4) throw fail(`a %interface scope only goes with an IPv6 address; drop ${quoteInput(`%${zone}`)}`)
  if (isIP(address) !== 6) return
  const names = interfaceNames()
  if (/^\d+$/.test(zone) ? !names.some((name) => interfaceIndex(name) === zone) : !names.includes(zone)) {
    throw fail(`no network interface ${/^\d+$/.test(zone) ? 'with index' : 'named'} ${quoteInput(zone, {always: true})} here; name one from \`ip link\`, e.g. ${address}%${names.includes('lo') ? 'lo' : (names[0] ?? 'eth0')}`)
  }
}

function interfaceNames(): string[] {
  try {
    return readdirSync('/sys/class/net')
  } catch {
    return []
  }
}

function interfaceIndex(name: string): string | null {
  try {
    return readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim()
  } catch {
    return null
  }
}

/** Upper bounds of serve's numeric flags: what the native engine's 32-bit fields hold without overflow, within sane use. */
export const serveLimits = {
  maxConns: 1_000_000_000,
  idleTimeoutSec: 30 * 86_400,
  durationSec: 365 * 86_400,
  statsSec: 86_400,
  graceMs: 3_600_000,
  maxPending: 1 << 30,
} as const
