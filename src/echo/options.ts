// Turns `echo serve`'s flags into server options; every problem a user can cause is one usage-error line.
import {usageError} from '../base/errors.js'
import {quoteInput} from '../base/quote.js'
import {scopeProblem} from '../base/scope.js'
import {techniqueNames, type TechniqueName} from './server.js'

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

/** An IPv6 scope (fe80::1%eth0) must name an interface that exists here: a usage error naming it, as in echo bench. */
export function checkScope(host: string, flag = '--host'): void {
  const problem = scopeProblem(host)
  if (problem) throw usageError(`${flag} ${quoteInput(host)}: ${problem}`)
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
