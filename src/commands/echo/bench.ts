import {Flags} from '@oclif/core'

import {BaseCommand, describeWithExitCodes} from '../../base/command.js'
import {secondsFlag, wholeFlag} from '../../base/flags.js'
import {runCompare} from '../../bench/compare.js'
import {benchExitCodes} from '../../bench/exit-codes.js'
import {benchLimits, benchOptionsFrom, checkCompareFlags, checkServerPid, parseCpuList} from '../../bench/options.js'
import {progressText, renderBenchReport, renderCompare} from '../../bench/render.js'
import {failureLine, runBench} from '../../bench/run.js'
import {startProgress} from '../../output/spinner.js'

export default class EchoBench extends BaseCommand {
  static override summary = 'Measure any TCP echo server, or compare our io_uring and epoll servers (and Node) side by side'
  static override description = describeWithExitCodes(
    `A native load generator on its own threads drives --connections connections, each with up to --pipeline messages in flight, and verifies every echoed byte against what it sent. It reports messages/s, bytes/s, latency percentiles (p50 to max, from an HDR-style histogram) and every error: mismatches, short echoes, resets, timeouts, failed connects. With --rate it runs open loop at a fixed rate and measures latency from each message's intended send time, so a stalled server cannot hide its delay (no coordinated omission). Every wait is bounded by --timeout.

--compare starts our own server with each backend in turn (io_uring, then epoll; --with-node adds Node's net server), pins it to a CPU apart from the client, runs the same load against each, and prints one table with ratios and the server CPU time per message read from /proc. Each server dies with the bench, even if the bench is killed (parent-death signal, via util-linux setpriv).

Ctrl-C (SIGINT) stops the run early and prints what was measured so far, marked "(stopped early)" ("stopped": true with --json); the exit code is that of what was measured (0 without errors). A second Ctrl-C quits at once. On a terminal, tables fit its width (narrow: columns wrap, low-value columns are left out, then name: value lines); progress is drawn only when stdout and stderr are both a terminal.`,
    benchExitCodes,
  )
  static override examples = [
    '<%= config.bin %> echo bench --port 8080',
    '<%= config.bin %> echo bench --host 10.0.0.2 --port 7 --connections 500 --size 64-4096 --pipeline 4 --duration 30',
    '<%= config.bin %> echo bench --port 8080 --rate 50000 --duration 20 --json',
    '<%= config.bin %> echo bench --port 8080 --server-pid "$(pgrep -n my-echo-server)"',
    '<%= config.bin %> echo bench --compare --with-node --size 512 --connections 500',
  ]
  static override flags = {
    host: Flags.string({description: 'echo server host name or IP address', default: '127.0.0.1'}),
    port: wholeFlag(benchLimits.port)({description: 'echo server TCP port (required unless --compare)'}),
    connections: wholeFlag(benchLimits.connections)({char: 'c', description: `concurrent connections (at most ${benchLimits.connections.max})`, default: 50}),
    size: Flags.string({char: 's', description: 'message bytes, or a range such as 64-4096 for random sizes (at most 64K)', default: '128'}),
    pipeline: wholeFlag(benchLimits.pipeline)({char: 'p', description: `messages in flight per connection (at most ${benchLimits.pipeline.max})`, default: 1}),
    duration: secondsFlag(benchLimits.durationSec)({char: 'd', description: `seconds to measure, ${benchLimits.durationSec.min} to ${benchLimits.durationSec.max} (default 10 unless --messages)`}),
    messages: wholeFlag(benchLimits.messages)({char: 'n', description: 'measure this many messages, then stop'}),
    warmup: secondsFlag(benchLimits.warmupSec)({description: `seconds of load before measuring starts (at most ${benchLimits.warmupSec.max})`, default: 1}),
    threads: wholeFlag(benchLimits.threads)({char: 't', description: `load generator threads (at most ${benchLimits.threads.max})`, default: 1}),
    rate: wholeFlag(benchLimits.rate)({char: 'r', description: 'open loop: messages/s over all connections (latency from intended send time)'}),
    pin: Flags.string({description: 'pin load generator threads to these CPUs, e.g. 1 or 2-3'}),
    timeout: secondsFlag(benchLimits.timeoutSec)({description: `seconds to wait for a connect or an echo before counting a timeout (at most ${benchLimits.timeoutSec.max})`, default: 5}),
    'client-backend': Flags.string({description: 'load generator I/O engine', options: ['auto', 'io_uring', 'epoll'], default: 'auto'}),
    'server-pid': wholeFlag(benchLimits.pid)({description: "the server's process id: report its CPU time per message, read from /proc/PID/stat"}),
    compare: Flags.boolean({description: 'start our io_uring and epoll servers in turn and compare them under the same load'}),
    'with-node': Flags.boolean({description: "with --compare: add Node's net echo server"}),
    'server-cpu': Flags.string({description: 'with --compare: CPUs for the servers (default: the first CPU, client on the others)'}),
  }

  async run() {
    const {flags} = await this.parse(EchoBench)
    checkCompareFlags(flags)
    const options = benchOptionsFrom(flags, flags.compare ? null : (flags.port ?? Number.NaN))
    const json = this.jsonEnabled()
    const stop = new AbortController()
    const onSigint = () => stop.abort()
    process.once('SIGINT', onSigint)
    const progress = startProgress('connecting', json)
    try {
      if (flags.compare) {
        const report = await runCompare(options, {
          withNode: flags['with-node'],
          serverCpus: flags['server-cpu'] === undefined ? null : parseCpuList(flags['server-cpu'], '--server-cpu'),
          onStage: (server, stage) => progress.update(`${server}: ${stage}`),
          onProgress: (server, p) => progress.update(`${server}: ${progressText(p)}`),
          onNote: (m) => { if (!json) progress.print(process.stderr, `Note: ${m}\n`) },
          signal: stop.signal,
        })
        progress.stop()
        if (!json) this.log(renderCompare(report))
        for (const run of report.runs) if (run.error) this.note(`Error: ${run.server}: ${run.error}`)
        this.setExitCode(report.exitCode)
        return report
      }
      const serverPid = checkServerPid(flags['server-pid'])
      const report = await runBench(options, {serverPid, onProgress: (p) => progress.update(progressText(p)), signal: stop.signal})
      progress.stop()
      if (!json) this.log(renderBenchReport(report))
      const failure = failureLine(report)
      if (failure) this.note(`Error: ${failure}`)
      this.setExitCode(report.exitCode)
      return report
    } finally {
      progress.stop()
      process.removeListener('SIGINT', onSigint)
    }
  }
}
