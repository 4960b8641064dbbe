// The load generator's part of the addon (native/bench/, surfaced in native/addon.cc).
import {addon, type NativeAddon} from '../native/addon.js'

export type ClientBackend = 'io_uring' | 'epoll'

export interface NativeDestination {
  address: string // numeric IPv4 or IPv6
  target: string // "host:port", for messages
}

export interface NativeBenchConfig {
  destinations: NativeDestination[] // connection i goes to destinations[i % length]
  port: number
  connections: number
  connectRate: number // connections/s over all threads; 0: all at once
  sizeMin: number
  sizeMax: number
  pipeline: number
  durationSeconds: number // 0 with messages > 0: until the count is done
  messages: number
  warmupSeconds: number
  threads: number
  rate: number // 0: closed loop
  idle: boolean // hold the connections, send nothing
  timeoutSeconds: number
  serverPid: number // 0: do not read a server's CPU time
  clientBackend: ClientBackend
  pin: number[]
}

export interface NativeLatency {
  count: number
  min: number
  mean: number
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
}

export interface NativeErrorCounts {
  connect: number
  mismatch: number
  shortEcho: number
  closedEarly: number
  reset: number
  timeout: number
}

export interface NativeBenchResult {
  abortedBeforeStart: boolean
  stopped: boolean
  windowSeconds: number
  messages: number
  bytes: number
  verifiedBytes: number
  latencyNs: NativeLatency
  sendLagNs: NativeLatency // open loop only
  established: number
  aliveAtEnd: number
  establishedPerDestination: number[]
  connectSeconds: number
  before: NativeSnapshot
  held: NativeSnapshot // empty texts when the run never got past connecting
  errors: NativeErrorCounts
  firstError: string | null
  clientCpuSeconds: number
  serverCpuSeconds: number | null
  backlogAtEnd: number
  bufferStalls: number
  waits: number
  clientBackend: ClientBackend
  /** errno when a load generator thread could not be created (or gave up); 0 otherwise. */
  threadErrno: number
  threadsStarted: number
}

export interface NativeSnapshot {
  serverRssBytes: number | null
  sockstat: string
  meminfo: string
}

export type BenchPhase = 'connecting' | 'warmup' | 'measuring' | 'draining' | 'done'

export interface NativeBenchProgress {
  phase: BenchPhase
  elapsedSeconds: number
  messages: number
  bytes: number
  errors: number
  connected: number
}

declare const handleBrand: unique symbol
export type NativeBenchHandle = {readonly [handleBrand]: true}

export interface BenchNative {
  benchStart(config: NativeBenchConfig, onDone: (result: NativeBenchResult) => void): NativeBenchHandle
  benchProgress(handle: NativeBenchHandle): NativeBenchProgress
  benchStop(handle: NativeBenchHandle): void
  benchMemorySizes(): {perConnection: number; perInFlight: number}
  benchIoUringUnsupportedReason(): string | null
  benchLatencyPercentiles(valuesNs: number[], percentiles: number[]): NativeLatency & {values: number[]}
  benchAllowedCpus(): number[]
  benchPinProcess(pid: number, cpus: number[]): number
}

export function benchNative(): BenchNative & NativeAddon {
  return addon<BenchNative>()
}
