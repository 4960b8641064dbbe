// The exit codes of `uringctl echo bench`: scripts depend on them, so they are API.
import type {ExitCodeDoc} from '../base/command.js'
import type {NativeErrorCounts} from './native.js'

export const BenchExitCode = {
  connect: 3,
  mismatch: 4,
  closedEarly: 5,
  reset: 6,
  timeout: 7,
  serverFailed: 8,
  resources: 9,
  nothingMeasured: 10,
  /** Ctrl-C (SIGINT) before anything was measured: 128 + SIGINT, as a shell reports a Ctrl-C. */
  interrupted: 130,
} as const

export const benchExitCodes: ExitCodeDoc[] = [
  {code: BenchExitCode.connect, meaning: 'could not connect: refused, unreachable, timed out or unknown host (some or all connections)'},
  {code: BenchExitCode.mismatch, meaning: 'an echo differed from the bytes sent (corrupted, lost, reordered or extra bytes)'},
  {code: BenchExitCode.closedEarly, meaning: 'the server closed connections early (short echoes: bytes sent but never echoed)'},
  {code: BenchExitCode.reset, meaning: 'connections were reset or failed mid-run (ECONNRESET, EPIPE, ...)'},
  {code: BenchExitCode.timeout, meaning: 'an echo did not arrive within --timeout'},
  {code: BenchExitCode.serverFailed, meaning: '--compare: a server failed to start or died during its run'},
  {code: BenchExitCode.resources, meaning: 'out of a resource: the load generator threads could not be created (process limit, memory)'},
  {code: BenchExitCode.nothingMeasured, meaning: 'the run measured no messages at all (nothing was echoed within the measuring window)'},
  {code: BenchExitCode.interrupted, meaning: 'stopped by Ctrl-C (SIGINT) before anything was measured (after that, Ctrl-C prints the measurement and exits with its code)'},
]

export type Verdict = 'ok' | 'connect' | 'mismatch' | 'closed-early' | 'reset' | 'timeout' | 'nothing-measured'

/**
 * When several kinds of error occur, the most telling wins: mismatch, closed early, reset, timeout, connect.
 * Without errors, a run that measured nothing (and was not stopped by the user) is no success either.
 */
export function verdictOf(errors: NativeErrorCounts, measuredSomething = true): {verdict: Verdict; exitCode: number} {
  if (errors.mismatch) return {verdict: 'mismatch', exitCode: BenchExitCode.mismatch}
  if (errors.shortEcho || errors.closedEarly) return {verdict: 'closed-early', exitCode: BenchExitCode.closedEarly}
  if (errors.reset) return {verdict: 'reset', exitCode: BenchExitCode.reset}
  if (errors.timeout) return {verdict: 'timeout', exitCode: BenchExitCode.timeout}
  if (errors.connect) return {verdict: 'connect', exitCode: BenchExitCode.connect}
  if (!measuredSomething) return {verdict: 'nothing-measured', exitCode: BenchExitCode.nothingMeasured}
  return {verdict: 'ok', exitCode: 0}
}
