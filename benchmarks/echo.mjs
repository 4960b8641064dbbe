#!/usr/bin/env node
// Echo server benchmark: each server pinned to one CPU, `uringctl echo bench` (closed loop, pipeline 1,
// every echoed byte verified) pinned to another, for each message size and connection count.
// Reports messages/s, p50/p99 latency, the server's CPU time per message (utime+stime from
// /proc/PID/stat over the measured window, read by echo bench --server-pid) and the client's own, as
// medians over --repeat rounds. Each run starts a fresh server; servers take turns for every size and
// connection count, so noise spreads evenly. The Node server is the one `echo bench --compare
// --with-node` uses (dist/bench/node-echo-server.js); c-epoll is a plain C epoll echo server
// (reference-epoll-echo.c); liburing is a plain modern liburing one (reference-liburing-echo.c, built
// and run only when liburing is installed).
//
//   node benchmarks/echo.mjs [--servers io_uring,epoll,node,c-epoll,liburing] [--sizes 128,512] [--conns 50,500]
//        [--warmup 1] [--duration 5] [--repeat 3] [--server-cpu 1] [--client-cpu 0]
//        [--variant 'name=extra uringctl flags'] ... [--nice N] [--paired BASELINE] [--json]
//        [--connect-rate N] [--timeout S] [--hosts 127.0.0.1-127.0.0.8]
//
// For many connections (thousands): --connect-rate N ramps each client's connections up at N/s instead of
// opening them all at once (a burst beyond net.core.somaxconn drops SYNs and costs retries), --timeout S
// bounds each connect and echo (default 5), and --hosts spreads each client's connections over those
// addresses (servers then listen on 0.0.0.0), past one destination's ephemeral port range.
//
// --paired BASELINE measures differently: each server runs at the same time as BASELINE, both pinned to
// --server-cpu and each loaded by its own client on --client-cpu, so whatever else slows the machine
// during a run (on a shared VM that swings single runs by ±30 %) slows both alike. It reports, per
// server, the median over --repeat rounds of (its server CPU µs/msg) / (BASELINE's in the same run),
// with the range: a figure that varies by a few percent where sequential runs vary by tens. The two
// servers share one CPU, so absolute µs/msg in this mode are higher than in sequential runs; read the
// ratios. The start order alternates between rounds.
// --nice (default -19 as root, else 0) runs server and client at that nice level, so that other work on
// a shared machine disturbs the measurement less.
import {execFileSync, spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {cpus, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')

function parseArgs(argv) {
  const o = {servers: 'io_uring,epoll,node,c-epoll,liburing', serversGiven: false, sizes: '128,512', conns: '50,500', warmup: 1, duration: 5, repeat: 3, serverCpu: 1, clientCpu: 0, variants: [], json: false, connectRate: null, timeout: 5, hosts: null, nice: process.getuid?.() === 0 ? -19 : 0}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => argv[++i]
    if (a === '--servers') {
      o.servers = next()
      o.serversGiven = true
    } else if (a === '--sizes') o.sizes = next()
    else if (a === '--conns') o.conns = next()
    else if (a === '--warmup') o.warmup = Number(next())
    else if (a === '--duration') o.duration = Number(next())
    else if (a === '--repeat') o.repeat = Number(next())
    else if (a === '--server-cpu') o.serverCpu = Number(next())
    else if (a === '--client-cpu') o.clientCpu = Number(next())
    else if (a === '--variant') o.variants.push(next())
    else if (a === '--nice') o.nice = Number(next())
    else if (a === '--paired') o.paired = next()
    else if (a === '--json') o.json = true
    else if (a === '--connect-rate') o.connectRate = Number(next())
    else if (a === '--timeout') o.timeout = Number(next())
    else if (a === '--hosts') o.hosts = next()
    else throw new Error(`unknown argument ${a}`)
  }
  return o
}

const options = parseArgs(process.argv.slice(2))
const work = mkdtempSync(join(tmpdir(), 'uringctl-bench-'))
function fail(message) {
  rmSync(work, {recursive: true, force: true})
  process.stderr.write(`benchmarks/echo.mjs: ${message}\n`)
  process.exit(2)
}
const reference = join(work, 'reference-epoll-echo')
execFileSync('cc', ['-O2', '-o', reference, join(here, 'reference-epoll-echo.c')])
// The liburing server is built when liburing is installed (Debian: apt install liburing-dev).
const referenceUring = join(work, 'reference-liburing-echo')
let haveLiburing = true
try {
  execFileSync('cc', ['-O2', '-o', referenceUring, join(here, 'reference-liburing-echo.c'), '-luring'], {stdio: 'ignore'})
} catch {
  haveLiburing = false
}

// With --hosts the servers listen on every address; else on loopback only.
const listenHost = options.hosts ? '0.0.0.0' : '127.0.0.1'
const uringctl = (extra) => ({
  argv: [process.execPath, join(root, 'bin', 'run.js'), 'echo', 'serve', '--json', '--port', '0', '--host', listenHost, '--threads', '1', '--stats', '0', ...extra],
  port: (line) => JSON.parse(line).port,
})
const servers = {
  io_uring: uringctl([]),
  epoll: uringctl(['--backend', 'epoll']),
  node: {argv: [process.execPath, join(root, 'dist', 'bench', 'node-echo-server.js'), '--host', listenHost, '--port', '0'], port: (line) => JSON.parse(line).port},
  'c-epoll': {argv: [reference, '0', listenHost], port: Number},
  liburing: {argv: [referenceUring, '0', listenHost], port: Number},
}
if (!haveLiburing) {
  delete servers.liburing
  if (options.servers.split(',').includes('liburing')) {
    if (options.serversGiven) fail('liburing is not installed (Debian: apt install liburing-dev): cannot build benchmarks/reference-liburing-echo.c')
    process.stderr.write('liburing is not installed (Debian: apt install liburing-dev): the liburing server is left out\n')
    options.servers = options.servers.split(',').filter((n) => n !== 'liburing').join(',')
  }
}
for (const v of options.variants) {
  const [name, ...rest] = v.split('=')
  servers[name] = uringctl(rest.join('=').split(' ').filter(Boolean))
}
const chosen = [...options.servers.split(',').filter(Boolean), ...options.variants.map((v) => v.split('=')[0])]

function startServer(spec) {
  return new Promise((resolve, reject) => {
    const child = spawn('nice', ['-n', String(options.nice), 'taskset', '-c', String(options.serverCpu), ...spec.argv], {stdio: ['ignore', 'pipe', 'inherit']})
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`${spec.argv.join(' ')} exited with ${code}`)))
    createInterface({input: child.stdout}).once('line', (line) => resolve({child, port: spec.port(line)}))
  })
}

function runClient(port, pid, conns, size) {
  const argv = ['-n', String(options.nice), process.execPath, join(root, 'bin', 'run.js'), 'echo', 'bench', '--host', options.hosts ?? '127.0.0.1', '--port', String(port),
    '--timeout', String(options.timeout), ...(options.connectRate ? ['--connect-rate', String(options.connectRate)] : []),
    '--connections', String(conns), '--size', String(size), '--warmup', String(options.warmup), '--duration', String(options.duration),
    '--pin', String(options.clientCpu), '--server-pid', String(pid), '--json']
  // A run with errors (exit codes 3-7) still prints its report, so the exit code is not checked here.
  return new Promise((resolve, reject) => {
    const child = spawn('nice', argv, {stdio: ['ignore', 'pipe', 'inherit']})
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.once('error', reject)
    child.once('close', () => {
      try {
        const r = JSON.parse(out)
        if (r.error) throw new Error(`echo bench against port ${port}: ${r.error.message}`)
        resolve({
          messagesPerSec: Math.round(r.messagesPerSecond),
          p50Us: r.latencyMicros.p50,
          p99Us: r.latencyMicros.p99,
          serverCpuUsPerMessage: r.server.cpuMicrosPerMessage,
          clientCpuUsPerMessage: r.client.cpuMicrosPerMessage,
          errors: r.errors.total,
          firstError: r.firstError,
        })
      } catch (error) {
        reject(error)
      }
    })
  })
}

async function stopServer(child) {
  child.kill('SIGTERM')
  await new Promise((resolve) => child.once('close', resolve))
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const results = {}  // server -> "size/conns" -> [runs]
const ratios = {}  // paired mode: server -> "size/conns" -> [server CPU ratio to the baseline]
const baselineRuns = {}  // paired mode: server -> "size/conns" -> [the baseline's runs beside it]
const sizes = options.sizes.split(',').map(Number)
const connCounts = options.conns.split(',').map(Number)
if (options.paired && !servers[options.paired]) fail(`--paired: unknown server ${options.paired}; known: ${Object.keys(servers).join(', ')}`)
for (const name of chosen) if (!servers[name]) fail(`unknown server ${name}; known: ${Object.keys(servers).join(', ')}`)
const measured = options.paired ? chosen.filter((name) => name !== options.paired) : chosen

async function sequentialRun(name, size, conns, round) {
  const {child, port} = await startServer(servers[name])
  child.removeAllListeners('exit')
  try {
    const r = await runClient(port, child.pid, conns, size)
    ;((results[name] ??= {})[`${size}/${conns}`] ??= []).push(r)
    process.stderr.write(`round ${round + 1} ${name} ${size} B × ${conns}: ${r.messagesPerSec} msg/s, server ${r.serverCpuUsPerMessage} µs/msg, client ${r.clientCpuUsPerMessage} µs/msg${r.errors ? `, ${r.errors} errors: ${r.firstError}` : ''}\n`)
  } finally {
    await stopServer(child)
  }
}

async function pairedRun(name, size, conns, round) {
  const order = round % 2 ? [options.paired, name] : [name, options.paired]
  const started = []
  try {
    for (const n of order) {
      const s = await startServer(servers[n])
      s.child.removeAllListeners('exit')
      started.push({name: n, ...s})
    }
    const runs = await Promise.all(started.map((s) => runClient(s.port, s.child.pid, conns, size)))
    const r = runs[order.indexOf(name)]
    const base = runs[order.indexOf(options.paired)]
    ;((results[name] ??= {})[`${size}/${conns}`] ??= []).push(r)
    ;((baselineRuns[name] ??= {})[`${size}/${conns}`] ??= []).push(base)
    const ratio = r.serverCpuUsPerMessage / base.serverCpuUsPerMessage
    ;((ratios[name] ??= {})[`${size}/${conns}`] ??= []).push(ratio)
    const errors = r.errors + base.errors
    process.stderr.write(`round ${round + 1} ${size} B × ${conns}: ${name} ${r.serverCpuUsPerMessage} µs/msg (${r.messagesPerSec} msg/s) vs ${options.paired} ${base.serverCpuUsPerMessage} µs/msg (${base.messagesPerSec} msg/s): ${ratio.toFixed(3)}${errors ? `, ${errors} errors` : ''}\n`)
  } finally {
    for (const s of started) await stopServer(s.child)
  }
}

try {
  // Innermost loop over servers: runs compared with each other are seconds apart, so slow changes in
  // background load hit them alike.
  for (let round = 0; round < options.repeat; round++) {
    for (const size of sizes) {
      for (const conns of connCounts) {
        for (const name of measured) {
          if (options.paired) await pairedRun(name, size, conns, round)
          else await sequentialRun(name, size, conns, round)
        }
      }
    }
  }
} finally {
  rmSync(work, {recursive: true, force: true})
}

const rows = []
for (const size of sizes) {
  for (const conns of connCounts) {
    for (const name of options.paired ? measured : chosen) {
      const runs = results[name][`${size}/${conns}`]
      const row = {
        server: name, size, conns,
        messagesPerSec: Math.round(median(runs.map((r) => r.messagesPerSec))),
        p50Us: Number(median(runs.map((r) => r.p50Us)).toFixed(1)),
        p99Us: Number(median(runs.map((r) => r.p99Us)).toFixed(1)),
        cpuUsPerMessage: Number(median(runs.map((r) => r.serverCpuUsPerMessage)).toFixed(2)),
        cpuUsPerMessageRuns: runs.map((r) => r.serverCpuUsPerMessage),
        clientCpuUsPerMessage: Number(median(runs.map((r) => r.clientCpuUsPerMessage)).toFixed(2)),
        errors: runs.reduce((n, r) => n + r.errors, 0),
      }
      if (options.paired) {
        const q = ratios[name][`${size}/${conns}`]
        const base = baselineRuns[name][`${size}/${conns}`]
        Object.assign(row, {
          baseline: options.paired,
          baselineCpuUsPerMessage: Number(median(base.map((r) => r.serverCpuUsPerMessage)).toFixed(2)),
          cpuRatio: Number(median(q).toFixed(3)), cpuRatioMin: Number(Math.min(...q).toFixed(3)), cpuRatioMax: Number(Math.max(...q).toFixed(3)),
          cpuRatios: q.map((x) => Number(x.toFixed(3))),
        })
      }
      rows.push(row)
    }
  }
}
if (options.json) {
  console.log(JSON.stringify({machine: {cpu: cpus()[0]?.model, cpus: cpus().length}, options, rows}, null, 2))
} else if (options.paired) {
  console.log(`| size | conns | server | server CPU ÷ ${options.paired}'s, same run (median [min–max]) | server CPU µs/msg | ${options.paired} µs/msg | messages/s | errors |`)
  console.log(`|---:|---:|---|---|---:|---:|---:|---:|`)
  for (const r of rows) {
    const pct = Math.round((r.cpuRatio - 1) * 100)
    console.log(`| ${r.size} | ${r.conns} | ${r.server} | **${r.cpuRatio.toFixed(2)}** (${pct > 0 ? '+' : ''}${pct} %) [${r.cpuRatioMin.toFixed(2)}–${r.cpuRatioMax.toFixed(2)}] | ${r.cpuUsPerMessage.toFixed(2)} | ${r.baselineCpuUsPerMessage.toFixed(2)} | ${r.messagesPerSec} | ${r.errors} |`)
  }
} else {
  console.log(`| size | conns | server | messages/s | p50 µs | p99 µs | server CPU µs/msg (median; runs) | client CPU µs/msg | errors |`)
  console.log(`|---:|---:|---|---:|---:|---:|---|---:|---:|`)
  for (const r of rows) {
    console.log(`| ${r.size} | ${r.conns} | ${r.server} | ${r.messagesPerSec} | ${r.p50Us} | ${r.p99Us} | **${r.cpuUsPerMessage.toFixed(2)}** (${r.cpuUsPerMessageRuns.map((x) => x.toFixed(2)).join(', ')}) | ${r.clientCpuUsPerMessage.toFixed(2)} | ${r.errors} |`)
  }
}
