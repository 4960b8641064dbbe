// `echo bench --compare`: the same load against our io_uring server, our epoll server and (with
// --with-node) Node's `net` server, each pinned to its own CPU away from the client, in turn.
import {UserError} from '../base/errors.js'
import {BenchExitCode} from './exit-codes.js'
import {benchNative} from './native.js'
import {type BenchOptions, checkCpus} from './options.js'
import {benchSchemaVersion, type BenchProgressView, type BenchReport, reportConfig, runBench} from './run.js'
import {describeExit, type RunningServer, type ServerExit, type ServerKind, ServerStartError, startServer} from './servers.js'

export interface CompareRun {
  server: ServerKind
  command: string
  pid: number | null
  bench: BenchReport | null
  error: string | null // the server failed to start or died, or the load could not run
  serverExit: ServerExit | null
}

export interface CompareReport {
  schemaVersion: typeof benchSchemaVersion
  config: BenchReport['config']
  cpus: {server: number[]; client: number[]}
  runs: CompareRun[]
  exitCode: number
}

export interface CompareHooks {
  withNode: boolean
  serverCpus: number[] | null // null: the first CPU we may use
  onStage?: (server: ServerKind, stage: 'starting' | 'running' | 'stopping') => void
  onProgress?: (server: ServerKind, progress: BenchProgressView) => void
  onNote?: (message: string) => void
  signal?: AbortSignal
}

/** Server and client CPUs: apart when there are at least two, else nobody is pinned (and we say so). */
export function chooseCpus(options: BenchOptions, serverCpus: number[] | null, onNote?: (m: string) => void) {
  const allowed = benchNative().benchAllowedCpus()
  if (serverCpus) checkCpus(serverCpus, allowed, '--server-cpu')
  if (options.pin.length) checkCpus(options.pin, allowed, '--pin')
  if (allowed.length < 2 && !serverCpus && !options.pin.length) {
    onNote?.(`only CPU ${allowed.join(',')} is available: server and client share it, so nothing is pinned`)
    return {server: [], client: []}
  }
  const server = serverCpus ?? [allowed[0]]
  const client = options.pin.length ? options.pin : allowed.filter((cpu) => !server.includes(cpu))
  if (client.some((cpu) => server.includes(cpu))) onNote?.(`client CPUs ${client.join(',')} overlap the server's ${server.join(',')}: results will mix their costs`)
  return {server, client}
}

export async function runCompare(options: BenchOptions, hooks: CompareHooks): Promise<CompareReport> {
  const cpus = chooseCpus(options, hooks.serverCpus, hooks.onNote)
  const kinds: ServerKind[] = hooks.withNode ? ['io_uring', 'epoll', 'node'] : ['io_uring', 'epoll']
  const runs: CompareRun[] = []
  for (const kind of kinds) {
    if (hooks.signal?.aborted) break
    const run = await runOne(kind, {...options, host: '127.0.0.1', hosts: [{address: '127.0.0.1'}], pin: cpus.client}, cpus.server, hooks)
    if (run) runs.push(run)
  }
  // Ctrl-C before any server was measured: nothing to compare.
  const interrupted = Boolean(hooks.signal?.aborted) && runs.every((run) => !run.bench)
  return {schemaVersion: benchSchemaVersion, config: reportConfig({...options, pin: cpus.client}), cpus, runs, exitCode: interrupted ? BenchExitCode.interrupted : compareExitCode(runs)}
}

/** One server's run; null when Ctrl-C came before its load began (nothing of it to report). */
async function runOne(kind: ServerKind, options: BenchOptions, serverCpus: number[], hooks: CompareHooks): Promise<CompareRun | null> {
  hooks.onStage?.(kind, 'starting')
  let server: RunningServer
  try {
    server = await startServer(kind, serverCpus)
  } catch (error) {
    // A Ctrl-C in the instant the server was forked (before it left our process group) kills it too; its
    // exit can be seen before our own SIGINT handler ran: let that run, then the stop is ours, not a failure.
    if (error instanceof ServerStartError && error.exit?.signal === 'SIGINT' && hooks.signal) await abortedWithin(hooks.signal, 500)
    if (hooks.signal?.aborted) return null
    return {server: kind, command: '', pid: null, bench: null, error: (error as Error).message, serverExit: null}
  }
  const run: CompareRun = {server: kind, command: server.command, pid: server.pid, bench: null, error: null, serverExit: null}
  if (hooks.signal?.aborted) {
    hooks.onStage?.(kind, 'stopping')
    await server.stop()
    return null
  }
  try {
    hooks.onStage?.(kind, 'running')
    run.bench = await runBench(
      {...options, port: server.listening.port},
      {serverPid: server.pid, signal: hooks.signal, onProgress: hooks.onProgress && ((p) => hooks.onProgress!(kind, p))},
    )
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    if (error.exitCode !== BenchExitCode.interrupted) run.error = error.message
  } finally {
    const early = server.exitedEarly()
    if (early) run.error = `${run.error ? `${run.error}; ` : ''}the server exited during the run (${describeExit(early)})`
    hooks.onStage?.(kind, 'stopping')
    run.serverExit = await server.stop()
  }
  return run.bench || run.error ? run : null
}

/** Resolves when `signal` aborts or `ms` passed, whichever is first. */
function abortedWithin(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    if (signal.aborted) done()
    else signal.addEventListener('abort', done)
  })
}

/** Load errors first (by their own priority), then a server that would not start or died. */
function compareExitCode(runs: CompareRun[]): number {
  const codes = runs.map((r) => r.bench?.exitCode ?? 0).filter((c) => c !== 0)
  const order: number[] = [BenchExitCode.mismatch, BenchExitCode.closedEarly, BenchExitCode.reset, BenchExitCode.timeout, BenchExitCode.connect]
  for (const code of order) if (codes.includes(code)) return code
  if (runs.some((r) => r.error)) return BenchExitCode.serverFailed
  return codes.includes(BenchExitCode.nothingMeasured) ? BenchExitCode.nothingMeasured : 0
}
