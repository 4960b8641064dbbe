// Runs a started echo server until SIGINT/SIGTERM or --duration, sampling its counters on an interval;
// SIGUSR1 asks for one stats sample at once (as dd does) without stopping anything.
import type {EchoServer, StatsSample, Summary} from './server.js'

export interface RunOptions {
  /** 0: until a signal. */
  durationSec: number
  /** 0: no periodic stats. */
  statsIntervalSec: number
  graceMs: number
  /** Called once the signal handlers are in place: announcing "listening" earlier lets a quick SIGTERM kill the process. */
  onReady(): void
  /** `requested`: the sample was asked for with SIGUSR1, between the periodic ones. */
  onStats(sample: StatsSample, requested: boolean): void
  /** Called once per burst of accept failures at the open-file limit. */
  onFdLimitBurst(sample: StatsSample): void
  /** Called when the stop begins (signal or --duration), before the grace period. */
  onStopping?(): void
}

export async function runUntilStopped(server: EchoServer, options: RunOptions): Promise<Summary> {
  let bursts = 0
  const poll = (report: boolean, requested = false) => {
    const sample = server.sample()
    if (sample.errors.acceptFdLimitBursts > bursts) {
      bursts = sample.errors.acceptFdLimitBursts
      options.onFdLimitBurst(sample)
    }
    if (report) options.onStats(sample, requested)
  }
  const statsMs = options.statsIntervalSec * 1000
  // Without periodic stats the counters are still watched once a second, for the fd-limit warning.
  const timer = setInterval(() => poll(statsMs > 0), statsMs > 0 ? statsMs : 1000)
  const onStatsRequest = () => poll(true, true)
  process.on('SIGUSR1', onStatsRequest)

  let onSignal = () => {}
  const reason = await new Promise<Summary['stopReason']>((resolve) => {
    onSignal = () => resolve('signal')
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    options.onReady()
    if (options.durationSec > 0) afterLongDelay(options.durationSec * 1000, () => resolve('duration'))
  })
  clearInterval(timer)
  process.removeListener('SIGUSR1', onStatsRequest)
  // A second SIGINT/SIGTERM during the grace period ends it at once: what is still pending is closed
  // (counted as aborted), and the summary follows as after the first. Later ones change nothing.
  process.removeListener('SIGINT', onSignal)
  process.removeListener('SIGTERM', onSignal)
  let graceEnded = false
  const endGrace = () => {
    if (graceEnded) return
    graceEnded = true
    server.endGrace()
  }
  process.on('SIGINT', endGrace)
  process.on('SIGTERM', endGrace)
  process.on('SIGUSR1', () => {})
  options.onStopping?.()
  return server.stop(options.graceMs, reason)
}

/** Node timers fire at once for delays above 2^31-1 ms (24.8 days): wait longer ones out in steps. */
const maxTimerMs = 2 ** 31 - 1

function afterLongDelay(ms: number, then: () => void): void {
  const step = Math.min(ms, maxTimerMs)
  setTimeout(() => (ms > step ? afterLongDelay(ms - step, then) : then()), step).unref()
}
