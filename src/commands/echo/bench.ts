import {Flags} from '@oclif/core'

import {BaseCommand, describeWithExitCodes} from '../../base/command.js'
import {rateFlag, secondsFlag, wholeFlag} from '../../base/flags.js'
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

For many connections: --host takes a comma list and IPv4 ranges and spreads the connections over them in turn (one destination address gives a client only net.ipv4.ip_local_port_range source ports), --connect-rate ramps them up, and --message-rate R sends R messages/s on each (0.2: one echo every 5 s) to hold mostly idle connections while measuring latency. Before starting it refuses (exit 2, with the fix) a load beyond its open-files limit, its ephemeral ports per destination or the memory available. With --server-pid it also reports the server's RSS per connection, and always the kernel's socket memory (/proc/net/sockstat, /proc/meminfo) before and while the connections were held.

--compare starts our own server with each backend in turn (io_uring, then epoll; --with-node adds Node's net server), pins it to a CPU apart from the client, runs the same load against each, and prints one table with ratios and the server CPU time per message read from /proc. Each server dies with the bench, even if the bench is killed (parent-death signal, via util-linux setpriv).

Ctrl-C (SIGINT) stops the run early and prints what was measured so far, marked "(stopped early)" ("stopped": true with --json); the exit code is that of what was measured (0 without errors). A second Ctrl-C quits at once. On a terminal, tables fit its width (narrow: columns wrap, low-value columns are left out, then name: value lines); progress is drawn only when stdout and stderr are both a terminal.`,
    benchExitCodes,
  )
  static override examples = [
    '<%= config.bin %> echo bench --port 8080',
    '<%= config.bin %> echo bench --host 10.0.0.2 --port 7 --connections 500 --size 64-4096 --pipeline 4 --duration 30',
    '<%= config.bin %> echo bench --port 8080 --rate 50000 --duration 20 --json',
    '<%= config.bin %> echo bench --port 8080 --server-pid "$(pgrep -n my-echo-server)"',
    '<%= config.bin %> echo bench --host 127.0.0.1-127.0.0.8 --port 8080 --connections 15000 --connect-rate 5000 --message-rate 0.2 --duration 30',
    '<%= config.bin %> echo bench --compare --with-node --size 512 --connections 500',
  ]
  static override flags = {
    host: Flags.string({description: 'echo server address or name; a comma list or IPv4 range (127.0.0.1-127.0.0.40) spreads connections over them', default: '127.0.0.1'}),
    port: wholeFlag(benchLimits.port)({description: 'echo server TCP port (required unless --compare)'}),
    connections: wholeFlag(benchLimits.connections)({char: 'c', description: `concurrent connections (at most ${benchLimits.connections.max})`, default: 50}),
    'connect-rate': rateFlag(benchLimits.connectRate.max)({description: 'open this many connections per second (a ramp) instead of all at once'}),
    size: Flags.string({char: 's', description: 'message bytes, or a range such as 64-4096 for random sizes (at most 64K)', default: '128'}),
    pipeline: wholeFlag(benchLimits.pipeline)({char: 'p', description: `messages in flight per connection (at most ${benchLimits.pipeline.max})`, default: 1}),
    duration: secondsFlag(benchLimits.durationSec)({char: 'd', description: `seconds to measure, ${benchLimits.durationSec.min} to ${benchLimits.durationSec.max} (default 10 unless --messages)`}),
    messages: wholeFlag(benchLimits.messages)({char: 'n', description: 'measure this many messages, then stop'}),
    warmup: secondsFlag(benchLimits.warmupSec)({description: `seconds of load before measuring starts (at most ${benchLimits.warmupSec.max})`, default: 1}),
    threads: wholeFlag(benchLimits.threads)({char: 't', description: `load generator threads (at most ${benchLimits.threads.max})`, default: 1}),
    rate: wholeFlag(benchLimits.rate)({char: 'r', description: 'open loop: messages/s over all connections (latency from intended send time)'}),
    'message-rate': rateFlag(benchLimits.messageRate.max, 'idle')({description: 'open loop: messages/s per connection, e.g. 0.2 (one echo every 5 s), to hold many mostly idle connections; 0 holds them idle'}),
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
