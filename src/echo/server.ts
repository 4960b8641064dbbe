// `uringctl echo serve` core: starts the native engine, samples its counters into rates, stops it.
import {lookup} from 'node:dns/promises'
import {isIP} from 'node:net'
import {constants} from 'node:os'

import {errnoName} from '../base/errno.js'
import {UserError} from '../base/errors.js'
import {quoteInput} from '../base/quote.js'
import {addon} from '../native/addon.js'
import {checkAvailability} from '../probe/index.js'
import {claimPort, heldExclusively, type PortClaim} from './port-sharing.js'
import type {EchoNative, EngineConfig, EngineCounters, EngineErrors, EngineHandle, UringTechniques} from './native.js'

export const ServeExit = {
  addressInUse: 3,
  permissionDenied: 4,
  badAddress: 5,
  uringUnavailable: 6,
  resources: 7,
  pidFile: 8,
} as const

/** The version of the NDJSON events' shape (schemas/echo-serve.schema.json); bumped on incompatible changes. */
export const serveSchemaVersion = 1

/** Techniques `--without` can switch off (to measure what each buys, or to run the fallbacks). */
export const techniqueNames = {
  'defer-taskrun': 'deferTaskrun',
  'coop-taskrun': 'coopTaskrun',
  'registered-ring-fd': 'registeredRing',
  'multishot-accept': 'multishotAccept',
  'multishot-recv': 'multishotRecv',
  'buffer-ring': 'bufferRing',
  'sendmsg-batch': 'sendmsgBatch',
  'recv-bundle': 'bundle',
} as const satisfies Record<string, keyof UringTechniques>

export type TechniqueName = keyof typeof techniqueNames

export interface ServeOptions {
  backend: 'io_uring' | 'epoll'
  host: string
  port: number
  /** Share the port with other processes that also pass --reuse-port (SO_REUSEPORT across processes). */
  reusePort: boolean
  threads: number
  pin: boolean
  maxConns: number
  idleTimeoutSec: number
  bufferSize: number
  buffers: number
  maxPending: number
  sqpoll: boolean
  batchWaitUs: number
  epollMode: 'level' | 'edge'
  without: TechniqueName[]
}

/** Every NDJSON event carries these: when it happened (wall clock) and seconds since the engine started. */
interface EventStamp {
  schemaVersion: typeof serveSchemaVersion
  /**
   * Wall clock: ISO 8601, UTC, milliseconds.
   * @pattern ^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$
   */
  time: string
  seconds: number
}

export interface Listening extends EventStamp {
  event: 'listening'
  backend: 'io_uring' | 'epoll'
  host: string
  port: number
  pid: number
  threads: number
  features: string[]
  /** The Prometheus endpoint (--metrics), or null. */
  metrics: string | null
}

export interface Totals {
  accepted: number
  closed: number
  messages: number
  bytesIn: number
  bytesOut: number
}

export interface StatsSample extends EventStamp {
  event: 'stats'
  connections: number
  messagesPerSec: number
  bytesPerSec: number
  totals: Totals
  errors: EngineErrors
}

export interface Summary extends EventStamp {
  event: 'summary'
  backend: 'io_uring' | 'epoll'
  stopReason: 'signal' | 'duration'
  connectionsServed: number
  messages: number
  bytesIn: number
  bytesOut: number
  errors: EngineErrors
  lastError: string | null
  cpuSeconds: number
  cpuMicrosPerMessage: number | null
}

export interface EchoServer {
  listening: Listening
  /** When the engine started, in seconds since the Unix epoch. */
  startedAtSeconds: number
  /** Counters since start, with rates since the previous sample. */
  sample(): StatsSample
  /** The engine's raw counters (totals and per thread); reading them changes nothing. */
  counters(): EngineCounters
  /** Stops accepting, finishes pending echoes within graceMs, closes everything. */
  stop(graceMs: number, reason: Summary['stopReason']): Promise<Summary>
  /** During stop(): end the grace period now; what is still pending is closed and counted as aborted. */
  endGrace(): void
}

async function resolveHost(host: string): Promise<string> {
  if (isIP(host.split('%')[0])) return host
  try {
    return (await lookup(host)).address
  } catch {
    throw new UserError(`--host ${quoteInput(host)} is not an IP address or a name this machine can resolve; use e.g. 0.0.0.0, :: or 127.0.0.1`, {code: 'BAD_ADDRESS', exitCode: ServeExit.badAddress})
  }
}

function engineConfig(options: ServeOptions, host: string): EngineConfig {
  const techniques: UringTechniques = {sqpoll: options.sqpoll}
  for (const name of options.without) techniques[techniqueNames[name]] = false
  return {
    backend: options.backend,
    host,
    port: options.port,
    threads: options.threads,
    pin: options.pin,
    maxConns: options.maxConns,
    idleTimeoutMs: Math.round(options.idleTimeoutSec * 1000),
    bufferSize: options.bufferSize,
    bufferCount: options.buffers,
    maxPending: options.maxPending,
    sharePort: options.reusePort,
    edgeTriggered: options.epollMode === 'edge',
    batchWaitUs: options.batchWaitUs,
    techniques,
  }
}

function startError(errno: number, stage: string, detail: string, options: ServeOptions, host: string): UserError {
  const name = errnoName(errno)
  const where = `${host.includes(':') ? `[${host}]` : host}:${options.port}`
  const fail = (message: string, code: string, exitCode: number) => new UserError(message, {code, exitCode})
  if (stage === 'ring') {
    if (detail === 'IORING_SETUP_SQPOLL')
      return fail(`--sqpoll: the kernel refused an SQPOLL ring (${name}); run without --sqpoll`, 'URING_UNAVAILABLE', ServeExit.uringUnavailable)
    if (detail.startsWith('IORING_')) {
      return fail(`io_uring on this kernel lacks ${detail}, which the io_uring backend needs; use --backend epoll`, 'URING_UNAVAILABLE', ServeExit.uringUnavailable)
    }
    // `uringctl probe`'s verdict; when a minimal ring works, it is our bigger ring that did not fit.
    const availability = checkAvailability()
    if (!availability.available)
      return fail(`io_uring is unavailable: ${availability.summary}; ${availability.fix}, or use --backend epoll`, 'URING_UNAVAILABLE', ServeExit.uringUnavailable)
    const hint = name === 'ENOMEM' ? 'raise the locked-memory limit (ulimit -l) or lower --threads' : 'run `uringctl probe` for details'
    return fail(`io_uring could not set up the engine's ring (${name}); ${hint}, or use --backend epoll`, 'URING_UNAVAILABLE', ServeExit.uringUnavailable)
  }
  if (stage === 'thread') {
    const started = detail ? `, ${detail}` : ''
    return fail(`cannot start ${options.threads} engine threads (${name}${started}); lower --threads, or raise the process limit (ulimit -u) or free memory`, 'RESOURCES', ServeExit.resources)
  }
  if (stage === 'address' || name === 'EADDRNOTAVAIL' || name === 'EAFNOSUPPORT' || name === 'EINVAL') {
    return fail(`cannot listen on ${where}: ${name === 'EAFNOSUPPORT' ? 'this address family is not enabled' : 'the address is not one of this machine\'s'} (${name}); use e.g. 0.0.0.0, :: or 127.0.0.1`, 'BAD_ADDRESS', ServeExit.badAddress)
  }
  if (name === 'EADDRINUSE' && options.reusePort) {
    const message = `cannot listen on ${where}: the port is held by a process that does not share it (started without --reuse-port, or by another user) (EADDRINUSE); stop it, or pick another with --port`
    return fail(message, 'ADDRESS_IN_USE', ServeExit.addressInUse)
  }
  if (name === 'EADDRINUSE') {
    const message = `cannot listen on ${where}: the port is already in use (EADDRINUSE); pick another with --port, or --port 0 for a free one (servers that all pass --reuse-port share one port)`
    return fail(message, 'ADDRESS_IN_USE', ServeExit.addressInUse)
  }
  if (name === 'EACCES' || name === 'EPERM')
    return fail(`cannot listen on ${where}: permission denied (${name}); ports below 1024 need root or CAP_NET_BIND_SERVICE, so use --port 1024 or above`, 'PERMISSION_DENIED', ServeExit.permissionDenied)
  if (stage === 'buffers')
    return fail(`cannot register ${options.buffers} receive buffers of ${options.bufferSize} bytes per thread (${name}); lower --buffers or --buffer-size, or raise ulimit -l`, 'RESOURCES', ServeExit.resources)
  return fail(`cannot start the echo server: ${stage} failed with ${name}; check ulimit -n and free memory, or lower --threads`, 'RESOURCES', ServeExit.resources)
}

/** Starts the engine; rejects with a UserError (documented exit code) when it cannot. */
export async function startEchoServer(options: ServeOptions): Promise<EchoServer> {
  const native = addon<EchoNative>()
  const host = await resolveHost(options.host)
  const inUse = () => startError(constants.errno.EADDRINUSE, 'bind', '', options, host)
  // Without --reuse-port the port is this server's alone; with it, only servers that also share may hold it.
  let claim: PortClaim | null = null
  if (options.port !== 0 && !options.reusePort) {
    claim = await claimPort(host, options.port)
    if (claim.held) throw inUse()
  }
  if (options.port !== 0 && options.reusePort && (await heldExclusively(host, options.port))) throw inUse()
  const started = native.echoStart(engineConfig(options, host))
  if (!started.ok) {
    claim?.release()
    throw startError(started.errno, started.stage, started.detail, options, host)
  }
  const handle: EngineHandle = started.handle
  if (options.port === 0 && !options.reusePort) claim = await claimPort(host, started.port)
  // A server without --reuse-port that claimed the port while this one started: its claim wins.
  if (options.port !== 0 && options.reusePort && (await heldExclusively(host, options.port))) {
    await native.echoStop(handle, 0)
    throw inUse()
  }
  const startedAt = process.hrtime.bigint()
  const cpuAtStart = process.cpuUsage()
  const startedAtSeconds = Date.now() / 1000
  const elapsed = () => Number(process.hrtime.bigint() - startedAt) / 1e9
  const stamp = (): EventStamp => ({schemaVersion: serveSchemaVersion, time: new Date().toISOString(), seconds: round(elapsed(), 3)})
  let previous = {at: 0, messages: 0, bytesIn: 0}

  const listening: Listening = {
    event: 'listening',
    ...stamp(),
    backend: started.backend,
    host: started.host,
    port: started.port,
    pid: process.pid,
    threads: started.threads,
    features: started.features,
    metrics: null,
  }

  return {
    listening,
    startedAtSeconds,
    counters: () => native.echoStats(handle),
    sample() {
      const counters = native.echoStats(handle)
      const at = elapsed()
      const span = at - previous.at || 1
      const sample: StatsSample = {
        event: 'stats',
        schemaVersion: serveSchemaVersion,
        time: new Date().toISOString(),
        seconds: round(at, 3),
        connections: counters.accepted - counters.closed,
        messagesPerSec: Math.round((counters.messages - previous.messages) / span),
        bytesPerSec: Math.round((counters.bytesIn - previous.bytesIn) / span),
        totals: totalsOf(counters),
        errors: counters.errors,
      }
      previous = {at, messages: counters.messages, bytesIn: counters.bytesIn}
      return sample
    },
    endGrace() {
      native.echoEndGrace(handle)
    },
    async stop(graceMs, stopReason) {
      const counters = await native.echoStop(handle, graceMs)
      claim?.release()
      const cpu = process.cpuUsage(cpuAtStart)
      const cpuSeconds = (cpu.user + cpu.system) / 1e6
      return {
        event: 'summary',
        ...stamp(),
        backend: started.backend,
        stopReason,
        connectionsServed: counters.accepted,
        messages: counters.messages,
        bytesIn: counters.bytesIn,
        bytesOut: counters.bytesOut,
        errors: counters.errors,
        lastError: counters.lastErrno ? errnoName(counters.lastErrno) : null,
        cpuSeconds: round(cpuSeconds, 3),
        cpuMicrosPerMessage: counters.messages ? round((cpuSeconds * 1e6) / counters.messages, 3) : null,
      }
    },
  }
}

function totalsOf(c: EngineCounters): Totals {
  return {accepted: c.accepted, closed: c.closed, messages: c.messages, bytesIn: c.bytesIn, bytesOut: c.bytesOut}
}

function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
