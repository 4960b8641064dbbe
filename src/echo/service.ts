// `echo serve` as an operator runs it: the engine plus its --metrics endpoint, --pid-file and systemd
// notifications, started in an order that leaves nothing behind when any step fails.
import {runUntilStopped} from './lifecycle.js'
import {type MetricsEndpoint, parseMetricsAddress, startMetricsEndpoint} from './metrics.js'
import {serviceNotifier} from './notify.js'
import {claimPidFile} from './pidfile.js'
import {readyLine, statsText} from './report.js'
import {type Listening, type ServeOptions, ServeExit, startEchoServer, type StatsSample, type Summary} from './server.js'

export interface ServiceOptions {
  serve: ServeOptions
  /** --metrics HOST:PORT, or undefined. */
  metrics?: string
  pidFile?: string
  version: string
  durationSec: number
  statsIntervalSec: number
  graceMs: number
}

/** How the command shows the run; the service decides when. */
export interface ServiceView {
  ready(listening: Listening): void
  stats(sample: StatsSample, requested: boolean): void
  fdLimitBurst(sample: StatsSample): void
  warn(message: string): void
}

export async function runEchoService(options: ServiceOptions, view: ServiceView): Promise<Summary> {
  // Everything a user can get wrong is checked before anything listens.
  const metricsAddress = options.metrics === undefined ? undefined : parseMetricsAddress(options.metrics)
  const pidFile = options.pidFile === undefined ? undefined : claimPidFile(options.pidFile, ServeExit.pidFile)
  let metrics: MetricsEndpoint | undefined
  if (metricsAddress) metrics = await startMetricsEndpoint(metricsAddress, ServeExit)
  const server = await startEchoServer(options.serve).catch(async (error: unknown) => {
    await metrics?.close()
    throw error
  })
  const removePidFile = () => pidFile?.remove()
  try {
    pidFile?.write()
  } catch (error) {
    await server.stop(0, 'signal')
    await metrics?.close()
    throw error
  }
  process.on('exit', removePidFile)

  const {listening} = server
  listening.metrics = metrics?.url ?? null
  metrics?.attach({
    backend: listening.backend,
    features: listening.features,
    threads: listening.threads,
    version: options.version,
    startedAtSeconds: server.startedAtSeconds,
    counters: () => server.counters(),
  })
  const notifier = serviceNotifier(process.env, () => server.counters().threadsRunning > 0, view.warn)
  try {
    return await runUntilStopped(server, {
      durationSec: options.durationSec,
      statsIntervalSec: options.statsIntervalSec,
      graceMs: options.graceMs,
      onReady() {
        view.ready(listening)
        notifier.ready(readyLine(listening).trim())
      },
      onStats(sample, requested) {
        view.stats(sample, requested)
        if (!requested) notifier.status(statsText(sample))
      },
      onFdLimitBurst: (sample) => view.fdLimitBurst(sample),
      onStopping: () => notifier.stopping(),
    })
  } finally {
    await metrics?.close()
    removePidFile()
    process.removeListener('exit', removePidFile)
  }
}
