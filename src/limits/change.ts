// `--nofile SOFT:HARD` on a running process through prlimit(2), like util-linux `prlimit --pid`.
import {errnoName} from '../base/errno.js'
import {readQuantity} from '../base/numbers.js'
import {usageError} from '../base/errors.js'
import {quoteInput} from '../base/quote.js'
import {readSysctl} from './host.js'
import {aboveNrOpen, belowOpenFds, noSuchProcess, permissionDenied, softAboveHard} from './errors.js'
import type {LimitsNative, NativeLimit} from './native.js'
import {type SystemPaths, capabilityBit, countOpenFds, hasCapability, readProcessInfo} from './proc.js'
import {formatLimit} from './quantities.js'
import type {Limit} from './resources.js'

/** What to set; an absent side keeps the current value. Infinity is "unlimited". */
export interface LimitSpec {
  soft?: number
  hard?: number
}

export interface LimitChange {
  resource: 'nofile'
  pid: number
  requested: {soft: number | null; hard: number | null}
  before: Limit
  after: Limit
}

const specForms = 'SOFT:HARD, SOFT:, :HARD or VALUE (both), each a whole number with optional K/M/G (powers of 1024), or unlimited'

/** One side of the spec, read like every limit value (--require too): 65536, 64K, 1M or unlimited. */
function parseSide(text: string, whole: string): number {
  const lower = text.toLowerCase()
  if (lower === 'unlimited' || lower === 'infinity') return Infinity
  const shown = whole === text ? `--nofile ${quoteInput(text, {always: true})}` : `--nofile ${quoteInput(whole, {always: true})}: ${quoteInput(text, {always: true})}`
  const value = readQuantity(text)
  if (value === null) throw usageError(`${shown} is not a whole number with optional K/M/G, or unlimited (forms: ${specForms}).`)
  // fs.nr_open can be set no higher than this (the kernel's sysctl_nr_open_max on 64-bit), so neither can the limit.
  if (value > 2_147_483_584n) throw usageError(`${shown} is above any open-files limit Linux allows (fs.nr_open is at most 2147483584).`)
  return Number(value)
}

export function parseLimitSpec(text: string): LimitSpec {
  const whole = text.trim()
  const parts = whole.split(':')
  if (whole === '' || parts.length > 2 || (parts.length === 2 && parts[0] === '' && parts[1] === '')) {
    throw usageError(`--nofile ${quoteInput(text, {always: true})} is not one of ${specForms}.`)
  }
  if (parts.length === 1) {
    const value = parseSide(parts[0], whole)
    return {soft: value, hard: value}
  }
  const spec: LimitSpec = {}
  if (parts[0] !== '') spec.soft = parseSide(parts[0], whole)
  if (parts[1] !== '') spec.hard = parseSide(parts[1], whole)
  return spec
}

function limitOf(result: NativeLimit): Limit {
  return {soft: result.soft, hard: result.hard}
}

/**
 * Sets the nofile limit of `pid`; on any refusal throws a one-line UserError and nothing has changed.
 * `force` allows a soft limit of 0 or below the fds the process has open, which it may not survive.
 */
export function changeNofile(paths: SystemPaths, native: LimitsNative, pid: number, spec: LimitSpec, force = false): LimitChange {
  const current = native.limitsGet(pid, 'nofile')
  if (current.errno !== 0) throw refusal(paths, pid, current.errno, {hardRaised: false})
  const want: Limit = {soft: spec.soft ?? current.soft, hard: spec.hard ?? current.hard}
  if (want.soft > want.hard) {
    const whose = spec.hard === undefined ? `pid ${pid}'s hard limit` : 'the hard limit asked for'
    throw softAboveHard(
      `soft limit ${formatLimit(want.soft)} is above ${whose} (${formatLimit(want.hard)}): a soft limit can only go up to the hard limit; give --nofile ${formatLimit(want.soft)}:${formatLimit(want.soft)} to raise both`,
    )
  }
  const [nrOpen] = readSysctl(paths, 'fs.nr_open') ?? [] // fs.* sysctls are never absent: readSysctl throws
  const highest = Math.max(want.soft, want.hard)
  if (highest > nrOpen) {
    throw aboveNrOpen(
      highest === Infinity
        ? `open files cannot be unlimited: the kernel caps them at fs.nr_open (${nrOpen}); give a number up to ${nrOpen}`
        : `${highest} open files is above fs.nr_open (${nrOpen}), the kernel's ceiling even for root: use at most ${nrOpen}, or first run sysctl -w fs.nr_open=${highest}`,
    )
  }
  if (!force) refuseBelowOpenFds(paths, pid, want, current)
  const replaced = native.limitsSet(pid, 'nofile', want.soft, want.hard)
  if (replaced.errno !== 0) throw refusal(paths, pid, replaced.errno, {hardRaised: want.hard > current.hard, from: current.hard, to: want.hard})
  const after = native.limitsGet(pid, 'nofile')
  if (after.errno !== 0) throw refusal(paths, pid, after.errno, {hardRaised: false})
  return {
    resource: 'nofile',
    pid,
    requested: {soft: spec.soft ?? null, hard: spec.hard ?? null},
    before: limitOf(replaced),
    after: limitOf(after),
  }
}

/** A soft limit of 0, or below the fds open now, leaves the process unable to open anything (accept, open, pipe). */
function refuseBelowOpenFds(paths: SystemPaths, pid: number, want: Limit, current: Limit): void {
  const open = countOpenFds(paths, pid)
  if (want.soft > 0 && (open === null || want.soft >= open)) return
  const now = open === null ? '' : ` (it has ${open} open now)`
  const why = want.soft === 0 ? `a soft limit of 0 leaves pid ${pid} unable to open any file${now}` : `soft limit ${want.soft} is below the ${open} fds pid ${pid} has open now: it could open no more (accept, open and pipe fail with EMFILE)`
  const privileged = hasCapability(readProcessInfo(paths, process.pid), capabilityBit.CAP_SYS_RESOURCE)
  const undo = want.hard < current.hard && !privileged
    ? `, and its hard limit, once lowered to ${formatLimit(want.hard)}, cannot be raised back without CAP_SYS_RESOURCE`
    : ''
  const least = Math.max(1, open ?? 1)
  throw belowOpenFds(`${why}${undo}; give a soft limit of at least ${least}, or add --force to set it anyway`)
}

function refusal(paths: SystemPaths, pid: number, errno: number, raise: {hardRaised: boolean; from?: number; to?: number}): Error {
  const name = errnoName(errno)
  if (name === 'ESRCH') return noSuchProcess(pid)
  if (name === 'EINVAL') return softAboveHard(`the kernel refused pid ${pid}'s new nofile limit (EINVAL): its hard limit changed meanwhile; check it with uringctl ulimit --pid ${pid}`)
  if (name === 'EPERM') {
    const self = readProcessInfo(paths, process.pid)
    const privileged = hasCapability(self, capabilityBit.CAP_SYS_RESOURCE)
    let owner: number | null = null
    try {
      owner = readProcessInfo(paths, pid).uid
    } catch {}
    if (!privileged && owner !== null && owner !== self.uid) {
      const needed = self.uid === 0 ? 'CAP_SYS_RESOURCE, which this root process lacks' : 'its own user or root'
      return permissionDenied(`pid ${pid} belongs to uid ${owner}, not to you (uid ${self.uid}): changing its limits needs ${needed}`)
    }
    if (raise.hardRaised) {
      const who = self.uid === 0 ? 'CAP_SYS_RESOURCE, which this root process lacks (a container or bounding set dropped it)' : 'root (CAP_SYS_RESOURCE)'
      return permissionDenied(
        `raising pid ${pid}'s hard limit from ${formatLimit(raise.from ?? 0)} to ${formatLimit(raise.to ?? 0)} needs ${who}; without it, lower the hard limit or move the soft limit up to it`,
      )
    }
    return permissionDenied(`not permitted to change pid ${pid}'s limits (EPERM): run as its user or as root`)
  }
  return new Error(`prlimit on pid ${pid} failed with ${name}`)
}
