#!/usr/bin/env node
// Echo server benchmark: each server pinned to one CPU, `uringctl echo bench` (closed loop, pipeline 1,
// every echoed byte verified) pinned to another, for each message size and connection count.
// Reports messages/s, p50/p99 latency, the server's CPU time per message (utime+stime from
// /proc/PID/stat over the measured window, read by echo bench --server-pid) and the client's own, as
// medians over --repeat rounds. Each run starts a fresh server; servers take turns for every size and
// connection count, so noise spreads evenly. The Node server is the one `echo bench --compare
// --with-node` uses (dist/bench/node-echo-server.js); c-epoll is a plain C epoll echo server.
//
//   node benchmarks/echo.mjs [--servers io_uring,epoll,node,c-epoll] [--sizes 128,512] [--conns 50,500]
//        [--warmup 1] [--duration 5] [--repeat 3] [--server-cpu 1] [--client-cpu 0]
//        [--variant 'name=extra uringctl flags'] ... [--nice N] [--json]
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
  const o = {servers: 'io_uring,epoll,node,c-epoll', sizes: '128,512', conns: '50,500', warmup: 1, duration: 5, repeat: 3, serverCpu: 1, clientCpu: 0, variants: [], json: false, nice: process.getuid?.() === 0 ? -19 : 0}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => argv[++i]
    if (a === '--servers') o.servers = next()
    else if (a === '--sizes') o.sizes = next()
    else if (a === '--conns') o.conns = next()
    else if (a === '--warmup') o.warmup = Number(next())
    else if (a === '--duration') o.duration = Number(next())
    else if (a === '--repeat') o.repeat = Number(next())
    else if (a === '--server-cpu') o.serverCpu = Number(next())
    else if (a === '--client-cpu') o.clientCpu = Number(next())
    else if (a === '--variant') o.variants.push(next())
    else if (a === '--nice') o.nice = Number(next())
    else if (a === '--json') o.json = true
    else throw new Error(`unknown argument ${a}`)
  }
  return o
}

const options = parseArgs(process.argv.slice(2))
const work = mkdtempSync(join(tmpdir(), 'uringctl-bench-'))
const reference = join(work, 'reference-epoll-echo')
execFileSync('cc', ['-O2', '-o', reference, join(here, 'reference-epoll-echo.c')])

const uringctl = (extra) => ({
  argv: [process.execPath, join(root, 'bin', 'run.js'), 'echo', 'serve', '--json', '--port', '0', '--host', '127.0.0.1', '--threads', '1', '--stats', '0', ...extra],
  port: (line) => JSON.parse(line).port,
})
const servers = {
  io_uring: uringctl([]),
  epoll: uringctl(['--backend', 'epoll']),
  node: {argv: [process.execPath, join(root, 'dist', 'bench', 'node-echo-server.js'), '--host', '127.0.0.1', '--port', '0'], port: (line) => JSON.parse(line).port},
  'c-epoll': {argv: [reference], port: Number},
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
  const argv = [process.execPath, join(root, 'bin', 'run.js'), 'echo', 'bench', '--host', '127.0.0.1', '--port', String(port),
    '--connections', String(conns), '--size', String(size), '--warmup', String(options.warmup), '--duration', String(options.duration),
    '--pin', String(options.clientCpu), '--server-pid', String(pid), '--json']
  let out
  try {
    out = execFileSync('nice', ['-n', String(options.nice), ...argv])
  } catch (error) {
    out = error.stdout // a run with errors (exit codes 3-7) still prints its report
  }
  const r = JSON.parse(String(out))
  if (r.error) throw new Error(`echo bench against port ${port}: ${r.error.message}`)
  return {
    messagesPerSec: Math.round(r.messagesPerSecond),
    p50Us: r.latencyMicros.p50,
    p99Us: r.latencyMicros.p99,
    serverCpuUsPerMessage: r.server.cpuMicrosPerMessage,
    clientCpuUsPerMessage: r.client.cpuMicrosPerMessage,
    errors: r.errors.total,
    firstError: r.firstError,
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const results = {}  // server -> "size/conns" -> [runs]
const sizes = options.sizes.split(',').map(Number)
const connCounts = options.conns.split(',').map(Number)
try {
  // Innermost loop over servers: runs compared with each other are seconds apart, so slow changes in
  // background load hit them alike.
  for (let round = 0; round < options.repeat; round++) {
    for (const size of sizes) {
      for (const conns of connCounts) {
        for (const name of chosen) {
          const {child, port} = await startServer(servers[name])
          child.removeAllListeners('exit')
          try {
            const r = runClient(port, child.pid, conns, size)
            ;((results[name] ??= {})[`${size}/${conns}`] ??= []).push(r)
            process.stderr.write(`round ${round + 1} ${name} ${size} B × ${conns}: ${r.messagesPerSec} msg/s, server ${r.serverCpuUsPerMessage} µs/msg, client ${r.clientCpuUsPerMessage} µs/msg${r.errors ? `, ${r.errors} errors: ${r.firstError}` : ''}\n`)
          } finally {
            child.kill('SIGTERM')
            await new Promise((resolve) => child.once('close', resolve))
          }
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
    for (const name of chosen) {
      const runs = results[name][`${size}/${conns}`]
      rows.push({
        server: name, size, conns,
        messagesPerSec: Math.round(median(runs.map((r) => r.messagesPerSec))),
        p50Us: Number(median(runs.map((r) => r.p50Us)).toFixed(1)),
        p99Us: Number(median(runs.map((r) => r.p99Us)).toFixed(1)),
        cpuUsPerMessage: Number(median(runs.map((r) => r.serverCpuUsPerMessage)).toFixed(2)),
        cpuUsPerMessageRuns: runs.map((r) => r.serverCpuUsPerMessage),
        clientCpuUsPerMessage: Number(median(runs.map((r) => r.clientCpuUsPerMessage)).toFixed(2)),
        errors: runs.reduce((n, r) => n + r.errors, 0),
      })
    }
  }
}
if (options.json) {
  console.log(JSON.stringify({machine: {cpu: cpus()[0]?.model, cpus: cpus().length}, options, rows}, null, 2))
} else {
  console.log(`| size | conns | server | messages/s | p50 µs | p99 µs | server CPU µs/msg (median; runs) | client CPU µs/msg | errors |`)
  console.log(`|---:|---:|---|---:|---:|---:|---|---:|---:|`)
  for (const r of rows) {
    console.log(`| ${r.size} | ${r.conns} | ${r.server} | ${r.messagesPerSec} | ${r.p50Us} | ${r.p99Us} | **${r.cpuUsPerMessage.toFixed(2)}** (${r.cpuUsPerMessageRuns.map((x) => x.toFixed(2)).join(', ')}) | ${r.clientCpuUsPerMessage.toFixed(2)} | ${r.errors} |`)
  }
}
