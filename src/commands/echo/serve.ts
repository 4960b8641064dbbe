import {availableParallelism} from 'node:os'

import {Flags} from '@oclif/core'

import {BaseCommand, describeWithExitCodes} from '../../base/command.js'
import {quantityFlag, secondsFlag, wholeFlag} from '../../base/flags.js'
import {fdLimitWarning, jsonLine, readyLine, statsLine, statsText, summaryTable} from '../../echo/report.js'
import {checkServeFlags, serveLimits} from '../../echo/options.js'
import {ServeExit, techniqueNames} from '../../echo/server.js'
import {runEchoService} from '../../echo/service.js'
import {type Progress, startProgress} from '../../output/spinner.js'
import {spinnerEnabled} from '../../output/terminal.js'

export default class EchoServe extends BaseCommand {
  static override summary = 'Run a fast TCP echo server on io_uring (or epoll)'
  static override description = describeWithExitCodes(
    'Echoes every byte each client sends, on native threads: one ring (or epoll fd) and one SO_REUSEPORT listener per thread. Prints one ready line with the real address and port, live stats, and a summary when stopped by SIGINT (Ctrl-C), SIGTERM or --duration, then exits 0 (a second signal during --grace ends the grace at once, closing what is still pending). The live stats are a spinner line only when stdout and stderr are both a terminal; elsewhere (a log, systemd) a timestamped line every --stats seconds; SIGUSR1 prints one at once. With --json, stdout is NDJSON: a "listening" event, "stats" events every --stats seconds and a "summary" event, each with "time" (ISO 8601) and "seconds". --metrics serves Prometheus metrics; under systemd (Type=notify) it reports readiness, status and watchdog pings (docs/systemd.md).',
    [
      {code: ServeExit.addressInUse, meaning: 'the port (or the --metrics port) is already in use (with --reuse-port: held by a process that does not share it)'},
      {code: ServeExit.permissionDenied, meaning: 'permission denied binding the port or the --metrics port (below 1024 without privilege)'},
      {code: ServeExit.badAddress, meaning: '--host or the --metrics host is not an address of this machine'},
      {code: ServeExit.uringUnavailable, meaning: 'io_uring is unavailable here (the reason is printed); --backend epoll works without it'},
      {code: ServeExit.resources, meaning: 'out of a resource at start (file descriptors, locked memory, threads)'},
      {code: ServeExit.pidFile, meaning: '--pid-file holds the pid of a running process, or cannot be written'},
    ],
  )

  static override examples = [
    {command: '<%= config.bin %> echo serve', description: 'Serve on 0.0.0.0:8080, one thread per CPU'},
    {command: '<%= config.bin %> echo serve --port 0 --json', description: 'Pick a free port; the first NDJSON line names it'},
    {command: '<%= config.bin %> echo serve --host ::1 --threads 1 --pin --duration 30', description: 'IPv6 loopback, one pinned thread, stop after 30 s'},
    {command: '<%= config.bin %> echo serve --backend epoll', description: 'The same server on epoll, for kernels without io_uring'},
    {command: '<%= config.bin %> echo serve --port 9000 --reuse-port --threads 1', description: 'Run this in several processes: they share port 9000 and the kernel spreads connections across them'},
    {command: '<%= config.bin %> echo serve --metrics 127.0.0.1:9464 --pid-file /run/uringctl-echo.pid', description: 'Prometheus metrics at http://127.0.0.1:9464/metrics, pid in a file while it runs'},
  ]

  static override flags = {
    port: wholeFlag({min: 0, max: 65535})({description: 'TCP port (0 picks a free one)', default: 8080}),
    'reuse-port': Flags.boolean({description: 'share the port with other processes that also pass --reuse-port (same user); the kernel spreads connections across them. Without it a port another process holds is refused', default: false}),
    host: Flags.string({description: 'address to listen on (IPv4 or IPv6, e.g. 0.0.0.0, ::, 127.0.0.1, ::1, fe80::1%eth0)', default: '0.0.0.0'}),
    threads: wholeFlag({min: 1, max: 1024})({description: 'engine threads, each with its own ring and listener (1-1024) [default: CPUs available]'}),
    pin: Flags.boolean({description: 'pin each thread to its own CPU', default: false}),
    backend: Flags.option({options: ['io_uring', 'epoll'] as const, description: 'I/O engine', default: 'io_uring' as const})(),
    'max-conns': wholeFlag({min: 0, max: serveLimits.maxConns})({description: `connections open at once; more are closed at once (0: no limit; at most ${serveLimits.maxConns})`, default: 0}),
    'idle-timeout': secondsFlag({min: 0, max: serveLimits.idleTimeoutSec, leastAboveZero: 0.01})({description: `close a connection silent for this many seconds (0: never; at most ${serveLimits.idleTimeoutSec}, 30 days)`, default: 0}),
    duration: secondsFlag({min: 0, max: serveLimits.durationSec, leastAboveZero: 0.001})({description: `stop by itself after this many seconds (0: run until SIGINT/SIGTERM; at most ${serveLimits.durationSec}, 365 days)`, default: 0}),
    stats: secondsFlag({min: 0, max: serveLimits.statsSec, leastAboveZero: 0.1})({description: `seconds between live stats (0: none; at most ${serveLimits.statsSec})`, default: 1}),
    grace: wholeFlag({min: 0, max: serveLimits.graceMs}, 'ms')({description: `milliseconds a stop waits for pending echoes before closing (at most ${serveLimits.graceMs}, 1 hour)`, default: 2000}),
    sqpoll: Flags.boolean({description: 'io_uring: let a kernel thread poll the submission queue (costs a CPU)', default: false}),
    'buffer-size': quantityFlag({min: 64, max: 1 << 20})({description: 'bytes per receive buffer (64 to 1M; K/M suffixes are powers of 1024)', default: 16384}),
    buffers: wholeFlag({min: 1, max: 32768})({description: 'io_uring: receive buffers per thread, shared by its connections (power of two, at most 32768)', default: 1024}),
    'max-pending': quantityFlag({min: 4096, max: serveLimits.maxPending})({description: 'bytes held for one client that is not reading its echo before reads from it pause (4K to 1G)', default: 1 << 20}),
    'batch-wait': wholeFlag({min: 0, max: 10000}, 'us')({description: 'io_uring: microseconds a busy thread may wait to gather a batch of completions (0: none; at most 10000)', default: 0}),
    'epoll-mode': Flags.option({options: ['level', 'edge'] as const, default: 'level' as const, hidden: true, description: 'epoll: level- or edge-triggered'})(),
    metrics: Flags.string({description: 'serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9464, [::1]:9464, :9464)', helpValue: 'HOST:PORT'}),
    'pid-file': Flags.string({description: 'write the pid to this file once listening; removed at exit (refused while it names a running process)', helpValue: 'PATH'}),
    without: Flags.string({description: `io_uring techniques to switch off, comma-separated: ${Object.keys(techniqueNames).join(', ')}`, hidden: true}),
  }

  async run(): Promise<void> {
    const {flags, metadata} = await this.parse(EchoServe)
    const without = checkServeFlags(flags, (name) => name in flags && !metadata.flags[name]?.setFromDefault)
    const json = this.jsonEnabled()
    const spinner = spinnerEnabled(json)
    let progress: Progress | undefined
    let threads = 0
    // Warnings print above the spinner, which is redrawn after them.
    const warn = (text: string) => (progress ? progress.print(process.stderr, text) : process.stderr.write(text))
    const summary = await runEchoService({
      serve: {
        backend: flags.backend, host: flags.host, port: flags.port, reusePort: flags['reuse-port'], threads: flags.threads ?? availableParallelism(), pin: flags.pin,
        maxConns: flags['max-conns'], idleTimeoutSec: flags['idle-timeout'], bufferSize: flags['buffer-size'], buffers: flags.buffers,
        maxPending: flags['max-pending'], sqpoll: flags.sqpoll, batchWaitUs: flags['batch-wait'], epollMode: flags['epoll-mode'], without,
      },
      metrics: flags.metrics, pidFile: flags['pid-file'], version: this.config.version,
      durationSec: flags.duration, statsIntervalSec: flags.stats, graceMs: flags.grace,
    }, {
      ready(listening) {
        threads = listening.threads
        process.stdout.write(json ? jsonLine(listening) : readyLine(listening))
        progress = startProgress('waiting for connections', json)
      },
      stats(sample, requested) {
        if (json) process.stdout.write(jsonLine(sample))
        else if (!spinner) process.stdout.write(statsLine(sample))
        else if (!requested) progress?.update(statsText(sample))
        // SIGUSR1 on a terminal: a line that stays, above the spinner.
        else progress?.print(process.stdout, statsLine(sample))
      },
      fdLimitBurst: (sample) => warn(fdLimitWarning(sample)),
      warn: (message) => warn(`${message}\n`),
    })
    progress?.stop()
    process.stdout.write(json ? jsonLine(summary) : summaryTable(summary, threads))
  }
}
