// Runs one load against one echo server and turns what the native load generator found into a report.
import {lookup} from 'node:dns/promises'
import {isIP} from 'node:net'

import {errnoName} from '../base/errno.js'
import {UserError, usageError} from '../base/errors.js'
import {limitsNative} from '../limits/native.js'
import {hostPort} from '../output/units.js'
import {checkCapacity, readCapacityFigures} from './capacity.js'
import {BenchExitCode, type Verdict, verdictOf} from './exit-codes.js'
import {
  benchNative,
  type BenchPhase,
  type ClientBackend,
  type NativeBenchConfig,
  type NativeBenchResult,
  type NativeErrorCounts,
  type NativeLatency,
} from './native.js'
import {type KernelMemory, kernelMemory, parseKernelSnapshot} from './kernel.js'
import {type BenchOptions, checkCpus, type SizeRange} from './options.js'

export type LatencyMicros = Omit<NativeLatency, 'count'>

/** The version of the --json shape (schemas/echo-bench.schema.json); bumped on incompatible changes. */
export const benchSchemaVersion = 1

export interface BenchReport {
  schemaVersion: typeof benchSchemaVersion
  // address: the first destination; destinations: every address connections were spread over, in turn.
  target: {host: string; address: string; port: number; destinations: {address: string; established: number}[]}
  config: {
    connections: number
    connectRate: number | null
    messageRate: number | null
    size: SizeRange
    pipeline: number
    durationSeconds: number | null
    messages: number | null
    warmupSeconds: number
    threads: number
    rate: number | null
    pin: number[]
    timeoutSeconds: number
  }
  client: {
    backend: ClientBackend
    backendNote: string | null // why auto chose epoll
    cpuSeconds: number
    cpuMicrosPerMessage: number | null
    cpuUtilization: number // of one CPU, over the window
    waitsPerMessage: number | null
  }
  server: {
    pid: number
    cpuSeconds: number
    cpuMicrosPerMessage: number | null
    // VmRSS before the first connect and while every connection was held (end of the window).
    rssBytesBefore: number | null
    rssBytesHeld: number | null
    rssBytesPerConnection: number | null
  } | null
  kernel: KernelMemory | null
  windowSeconds: number
  messages: number
  bytes: number
  messagesPerSecond: number
  bytesPerSecond: number
  latencyMicros: LatencyMicros
  verifiedBytes: number
  connections: {requested: number; established: number; aliveAtEnd: number; connectSeconds: number}
  errors: NativeErrorCounts & {total: number}
  firstError: string | null
  // sendLagMicros: how late the client itself sent (part of the latency above); large means the client fell behind.
  openLoop: {targetRate: number; achievedRate: number; backlogAtEnd: number; sendLagMicros: {p50: number; p99: number; max: number}} | null
  stopped: boolean
  verdict: Verdict
  exitCode: number
}

export interface BenchProgressView {
  phase: BenchPhase
  connected: number
  connections: number
  elapsedSeconds: number
  messagesPerSecond: number // over the last interval
  bytesPerSecond: number
  errors: number
}

export interface RunBenchHooks {
  onProgress?: (progress: BenchProgressView) => void
  serverPid?: number
  signal?: AbortSignal
  progressIntervalMs?: number
}

/** Above this message size our epoll client spent less CPU per message than our io_uring client (measured). */
export const largeMessageBytes = 16 * 1024

/**
 * The client engine for `auto`: io_uring when the kernel has multishot recv with buffer rings, except for
 * messages above largeMessageBytes where epoll costs less per message; the note says why when not io_uring.
 */
export function chooseClientBackend(wanted: BenchOptions['clientBackend'], largestMessage = 0): {backend: ClientBackend; note: string | null} {
  if (wanted === 'epoll') return {backend: 'epoll', note: null}
  if (wanted === 'auto' && largestMessage > largeMessageBytes) {
    return {backend: 'epoll', note: `auto: epoll, which spends less CPU per message than the io_uring client for messages over ${largeMessageBytes / 1024} KiB`}
  }
  const reason = benchNative().benchIoUringUnsupportedReason()
  if (!reason) return {backend: 'io_uring', note: null}
  if (wanted === 'io_uring') {
    throw new UserError(`the io_uring client cannot run on this kernel: ${reason}. Use --client-backend epoll (or auto).`, {
      code: 'CLIENT_BACKEND',
      exitCode: 2,
    })
  }
  return {backend: 'epoll', note: `io_uring client unavailable: ${reason}`}
}

/** A host name's first address, waiting no longer than `timeoutSeconds` for the resolver. */
export async function resolveHost(host: string, timeoutSeconds: number): Promise<string> {
  if (isIP(host)) return host
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timeout'), {code: `no answer within ${timeoutSeconds} s`})), timeoutSeconds * 1000)
  })
  try {
    return (await Promise.race([lookup(host), late])).address
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    throw new UserError(`cannot resolve host "${host}" (${code}): check the name, or pass an IP address with --host`, {
      code: 'CONNECT',
      exitCode: BenchExitCode.connect,
    })
  } finally {
    clearTimeout(timer)
  }
}

/** The numeric addresses of --host, names resolved (each bounded by --timeout). */
export async function resolveDestinations(options: BenchOptions): Promise<string[]> {
  const resolved = new Map<string, string>()
  const addresses: string[] = []
  for (const item of options.hosts) {
    if ('address' in item) {
      addresses.push(item.address)
      continue
    }
    if (!resolved.has(item.name)) resolved.set(item.name, await resolveHost(item.name, options.timeoutSeconds))
    addresses.push(resolved.get(item.name)!)
  }
  return addresses
}

export async function runBench(options: BenchOptions, hooks: RunBenchHooks = {}): Promise<BenchReport> {
  const native = benchNative()
  if (options.pin.length) checkCpus(options.pin, native.benchAllowedCpus(), '--pin')
  const addresses = await resolveDestinations(options)
  if (addresses.length === 0) throw usageError('--host: no address given')
  checkCapacity(
    {connections: options.connections, pipeline: options.pipeline, threads: options.threads, destinations: addresses.length},
    readCapacityFigures(),
    native.benchMemorySizes(),
  )
  const {backend, note} = chooseClientBackend(options.clientBackend, options.size.max)
  const destinations = addresses.map((address) => ({address, target: hostPort(address, options.port)}))
  const target = addresses.length === 1 ? destinations[0].target : `${options.host}:${options.port}`
  const config: NativeBenchConfig = {
    destinations,
    port: options.port,
    connections: options.connections,
    connectRate: options.connectRate ?? 0,
    sizeMin: options.size.min,
    sizeMax: options.size.max,
    pipeline: options.pipeline,
    durationSeconds: options.durationSeconds ?? 0,
    messages: options.messages ?? 0,
    warmupSeconds: options.warmupSeconds,
    threads: options.threads,
    rate: openLoopRate(options) ?? 0,
    idle: options.messageRate === 0,
    timeoutSeconds: options.timeoutSeconds,
    serverPid: hooks.serverPid ?? 0,
    clientBackend: backend,
    pin: options.pin,
  }
  const result = await new Promise<NativeBenchResult>((resolve) => {
    let timer: NodeJS.Timeout | undefined
    const onAbort = () => native.benchStop(handle)
    const handle = native.benchStart(config, (r) => {
      if (timer) clearInterval(timer)
      hooks.signal?.removeEventListener('abort', onAbort)
      resolve(r)
    })
    hooks.signal?.addEventListener('abort', onAbort)
    if (hooks.signal?.aborted) onAbort()
    if (hooks.onProgress) {
      const onProgress = hooks.onProgress
      let last = {at: 0, messages: 0, bytes: 0}
      timer = setInterval(() => {
        const p = native.benchProgress(handle)
        const dt = p.elapsedSeconds - last.at
        onProgress({
          phase: p.phase,
          connected: p.connected,
          connections: options.connections,
          elapsedSeconds: p.elapsedSeconds,
          messagesPerSecond: dt > 0 ? (p.messages - last.messages) / dt : 0,
          bytesPerSecond: dt > 0 ? (p.bytes - last.bytes) / dt : 0,
          errors: p.errors,
        })
        last = {at: p.elapsedSeconds, messages: p.messages, bytes: p.bytes}
      }, hooks.progressIntervalMs ?? 250)
    }
  })
  if (result.threadErrno) {
    const name = errnoName(result.threadErrno)
    const wanted = Math.min(options.threads, options.connections)
    const what = result.threadsStarted < wanted
      ? `could not start ${wanted} load generator threads (${name}, ${result.threadsStarted} started)`
      : `a load generator thread gave up (${name}) and the run was stopped`
    throw new UserError(`${what}: lower --threads, or raise the process limit (ulimit -u) or free memory`, {
      code: 'RESOURCES',
      exitCode: BenchExitCode.resources,
    })
  }
  if (result.abortedBeforeStart && hooks.signal?.aborted) {
    throw new UserError('stopped by Ctrl-C (SIGINT) before any connection came up: nothing was measured', {
      code: 'INTERRUPTED',
      exitCode: BenchExitCode.interrupted,
    })
  }
  if (result.abortedBeforeStart) {
    const why = (result.firstError ?? `connect to ${target}: failed`).replace(/^connect to /, '')
    throw new UserError(`could not connect to ${why}; no connection of ${options.connections} came up: is an echo server listening there? Check --host and --port.`, {
      code: 'CONNECT',
      exitCode: BenchExitCode.connect,
    })
  }
  return toReport(options, addresses, result, note, hooks.serverPid)
}

/** Messages/s over all connections: --rate, or --message-rate for each connection. */
export function openLoopRate(options: Pick<BenchOptions, 'rate' | 'messageRate' | 'connections'>): number | null {
  if (options.rate !== null) return options.rate
  return options.messageRate === null || options.messageRate === 0 ? null : options.messageRate * options.connections
}

export function reportConfig(options: BenchOptions): BenchReport['config'] {
  return {
    connections: options.connections,
    connectRate: options.connectRate,
    messageRate: options.messageRate,
    size: options.size,
    pipeline: options.pipeline,
    durationSeconds: options.durationSeconds,
    messages: options.messages,
    warmupSeconds: options.warmupSeconds,
    threads: options.threads,
    rate: options.rate,
    pin: options.pin,
    timeoutSeconds: options.timeoutSeconds,
  }
}

export const minServerCpuSeconds = 0.05

const micros = (ns: number) => Math.round(ns / 10) / 100

export function toReport(
  options: BenchOptions,
  addresses: string[],
  r: NativeBenchResult,
  backendNote: string | null,
  serverPid?: number,
): BenchReport {
  const perMessage = (seconds: number) => (r.messages > 0 ? Math.round((seconds * 1e6 * 100) / r.messages) / 100 : null)
  // /proc counts CPU time in 10 ms ticks: below 5 of them a per-message figure would be mostly rounding.
  const serverPerMessage = (seconds: number) => (seconds >= minServerCpuSeconds ? perMessage(seconds) : null)
  const window = r.windowSeconds
  const perSecond = (n: number) => (window > 0 ? n / window : 0)
  const errors = {...r.errors, total: Object.values(r.errors).reduce((a, b) => a + b, 0)}
  const {verdict, exitCode} = verdictOf(r.errors, r.messages > 0 || r.stopped || options.messageRate === 0)
  const lat = r.latencyNs
  const rate = openLoopRate(options)
  const pageSize = limitsNative().pageSize()
  const before = parseKernelSnapshot(r.before.sockstat, r.before.meminfo, pageSize)
  const held = parseKernelSnapshot(r.held.sockstat, r.held.meminfo, pageSize)
  const rssBefore = r.before.serverRssBytes
  const rssHeld = r.held.serverRssBytes
  return {
    schemaVersion: benchSchemaVersion,
    target: {
      host: options.host,
      address: addresses[0],
      port: options.port,
      destinations: addresses.map((address, i) => ({address, established: r.establishedPerDestination[i] ?? 0})),
    },
    config: reportConfig(options),
    client: {
      backend: r.clientBackend,
      backendNote,
      cpuSeconds: r.clientCpuSeconds,
      cpuMicrosPerMessage: perMessage(r.clientCpuSeconds),
      cpuUtilization: window > 0 ? r.clientCpuSeconds / window : 0,
      waitsPerMessage: r.messages > 0 ? Math.round((r.waits / r.messages) * 1000) / 1000 : null,
    },
    server:
      serverPid && r.serverCpuSeconds !== null
        ? {
            pid: serverPid,
            cpuSeconds: r.serverCpuSeconds,
            cpuMicrosPerMessage: serverPerMessage(r.serverCpuSeconds),
            rssBytesBefore: rssBefore,
            rssBytesHeld: rssHeld,
            rssBytesPerConnection: rssBefore !== null && rssHeld !== null && r.established > 0 ? Math.round((rssHeld - rssBefore) / r.established) : null,
          }
        : null,
    kernel: before ? kernelMemory(before, held, r.established) : null,
    windowSeconds: window,
    messages: r.messages,
    bytes: r.bytes,
    messagesPerSecond: perSecond(r.messages),
    bytesPerSecond: perSecond(r.bytes),
    latencyMicros: {
      min: micros(lat.min),
      mean: micros(lat.mean),
      p50: micros(lat.p50),
      p90: micros(lat.p90),
      p99: micros(lat.p99),
      p999: micros(lat.p999),
      max: micros(lat.max),
    },
    verifiedBytes: r.verifiedBytes,
    connections: {requested: options.connections, established: r.established, aliveAtEnd: r.aliveAtEnd, connectSeconds: Math.round(r.connectSeconds * 1000) / 1000},
    errors,
    firstError: r.firstError,
    openLoop:
      rate === null
        ? null
        : {
            targetRate: rate,
            achievedRate: perSecond(r.messages),
            backlogAtEnd: r.backlogAtEnd,
            sendLagMicros: {p50: micros(r.sendLagNs.p50), p99: micros(r.sendLagNs.p99), max: micros(r.sendLagNs.max)},
          },
    stopped: r.stopped,
    verdict,
    exitCode,
  }
}

/** The one line a failed run ends with: what went wrong, how often, the first case, and what to check. */
export function failureLine(report: BenchReport): string | null {
  const e = report.errors
  const parts: string[] = []
  if (e.mismatch) parts.push(`${e.mismatch} mismatched echo${e.mismatch === 1 ? '' : 'es'}`)
  if (e.shortEcho) parts.push(`${e.shortEcho} short echo${e.shortEcho === 1 ? '' : 'es'}`)
  if (e.closedEarly) parts.push(`${e.closedEarly} connection${e.closedEarly === 1 ? '' : 's'} closed early`)
  if (e.reset) parts.push(`${e.reset} reset${e.reset === 1 ? '' : 's'}`)
  if (e.timeout) parts.push(`${e.timeout} timeout${e.timeout === 1 ? '' : 's'}`)
  if (e.connect) parts.push(`${e.connect} failed connect${e.connect === 1 ? '' : 's'}`)
  if (parts.length === 0 && report.verdict === 'nothing-measured') {
    return `measured 0 messages in ${report.windowSeconds} s against ${report.target.host}:${report.target.port}: no message was echoed within the measuring window; check that the server echoes, or measure longer with --duration (or at a higher --rate)`
  }
  if (parts.length === 0) return null
  return `${parts.join(', ')} against ${hostPort(report.target.host, report.target.port)}; first: ${report.firstError ?? 'unknown'}`
}
