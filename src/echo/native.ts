// The echo server's part of the native addon (native/addon.cc, "echo serve" section).

/** io_uring techniques the engine may use; each defaults to on when the kernel has it (sqpoll: off). */
export interface UringTechniques {
  deferTaskrun?: boolean
  coopTaskrun?: boolean
  registeredRing?: boolean
  multishotAccept?: boolean
  multishotRecv?: boolean
  bufferRing?: boolean
  bundle?: boolean
  sendmsgBatch?: boolean
  sqpoll?: boolean
}

export interface EngineConfig {
  backend: 'io_uring' | 'epoll'
  host: string
  port: number
  threads: number
  pin: boolean
  maxConns: number
  idleTimeoutMs: number
  bufferSize: number
  bufferCount: number
  maxPending: number
  /** Join another process's SO_REUSEPORT group on this port instead of refusing it (--reuse-port). */
  sharePort: boolean
  edgeTriggered: boolean
  batchWaitUs: number
  techniques: UringTechniques
}

/** Error kinds the engine counts (native/echo/counters.h). */
export interface EngineErrors {
  resets: number
  rejected: number
  acceptFdLimit: number
  acceptFdLimitBursts: number
  acceptErrors: number
  noBuffers: number
  cqOverflow: number
  idleTimeouts: number
  readPauses: number
  shortSends: number
  aborted: number
  /** Connections closed because memory for their pending bytes (or state) could not be allocated. */
  allocFailures: number
  otherErrors: number
  /** Engine threads that gave up on an exception (their connections are gone; the rest keep serving). */
  threadsFailed: number
}

export interface EngineCounters {
  accepted: number
  closed: number
  messages: number
  bytesIn: number
  bytesOut: number
  errors: EngineErrors
  lastErrno: number
  threadsRunning: number
  /** The same counters per engine thread, by thread index (they sum to the totals above). */
  perThread: ThreadCounters[]
}

export type ThreadCounters = Omit<EngineCounters, 'lastErrno' | 'threadsRunning' | 'perThread'>

export type EngineHandle = {readonly __brand: 'EchoEngine'}

export type EngineStart =
  | {ok: true; handle: EngineHandle; backend: 'io_uring' | 'epoll'; host: string; port: number; threads: number; features: string[]}
  | {ok: false; errno: number; stage: string; detail: string}

export interface EchoNative {
  echoStart(config: EngineConfig): EngineStart
  echoStats(handle: EngineHandle): EngineCounters
  echoStop(handle: EngineHandle, graceMs: number): Promise<EngineCounters>
  /** While echoStop waits out its grace period: end it now (what is still pending is closed, counted as aborted). */
  echoEndGrace(handle: EngineHandle): void
  /** One sd_notify datagram to $NOTIFY_SOCKET's path ('@' for the abstract namespace); 0 or an errno. */
  systemdNotify(socketPath: string, message: string): number
}
