#!/usr/bin/env node
// Server memory per idle connection: starts `uringctl echo serve --threads 1` for each backend, opens
// --conns connections to it from a separate client process (each echoes one short message, then stays
// open and silent), and reports the growth of the server's RSS (/proc/PID/status VmRSS) divided by
// the connections, as the median over --repeat rounds with the range. Kernel socket memory is not in a
// process's RSS and is not measured here.
//
//   node benchmarks/idle-memory.mjs [--backends io_uring,epoll] [--conns 18000] [--repeat 3] [--cli bin/run.js]
//        [--extra 'flags for echo serve'] [--json]
//
// A process here may hold at most 20,000 fds (hard limit), so server and client are separate processes,
// each started with its soft nofile raised to the hard limit; --conns must stay below that.
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

function parseArgs(argv) {
  const o = {backends: 'io_uring,epoll', conns: 18000, repeat: 3, cli: join(root, 'bin', 'run.js'), extra: '', json: false}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => argv[++i]
    if (a === '--backends') o.backends = next()
    else if (a === '--conns') o.conns = Number(next())
    else if (a === '--repeat') o.repeat = Number(next())
    else if (a === '--cli') o.cli = next()
    else if (a === '--extra') o.extra = next()
    else if (a === '--json') o.json = true
    else {
      process.stderr.write(`benchmarks/idle-memory.mjs: unknown argument ${a}\n`)
      process.exit(2)
    }
  }
  return o
}

const options = parseArgs(process.argv.slice(2))
const hardNofile = Number(readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+\d+\s+(\d+)/m)?.[1] ?? 1024)
if (!(options.conns > 0 && options.conns + 100 <= hardNofile)) {
  process.stderr.write(`benchmarks/idle-memory.mjs: --conns ${options.conns} needs more fds than the hard limit ${hardNofile} allows; use at most ${hardNofile - 100}\n`)
  process.exit(2)
}
const nofile = `--nofile=${hardNofile}:${hardNofile}`

const rss = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)[1]) * 1024
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
// The server is a Node process: its JavaScript heap settles (garbage collection) for a few seconds after
// any activity, by more than the engine's own memory. Wait until RSS holds still for 2 s.
async function settledRss(pid) {
  let previous = rss(pid)
  for (let i = 0; i < 30; i++) {
    await sleep(1000)
    const now = rss(pid)
    if (Math.abs(now - previous) < 16384) {
      await sleep(1000)
      const again = rss(pid)
      if (Math.abs(again - now) < 16384) return again
    }
    previous = now
  }
  return previous
}

// The client: opens `conns` connections in batches, echoes "x" on each, then reports and waits.
const clientSource = `
const net = require('node:net')
const [port, conns] = process.argv.slice(1).map(Number)
const sockets = []
function one() {
  return new Promise((resolve, reject) => {
    const s = net.connect({port, host: '127.0.0.1'}, () => {
      s.once('data', () => resolve(s))
      s.write('x')
    })
    s.once('error', reject)
  })
}
;(async () => {
  for (let at = 0; at < conns; at += 250) {
    const batch = []
    for (let i = at; i < Math.min(conns, at + 250); i++) batch.push(one())
    sockets.push(...await Promise.all(batch))
  }
  process.stdout.write('ready ' + sockets.length + '\\n')
  process.stdin.on('end', () => process.exit(0))
  process.stdin.resume()
})().catch((error) => { process.stdout.write('error ' + error.message + '\\n'); process.exit(1) })
`

function startServer(backend) {
  // --no-memory-reducer: V8 would otherwise shrink its heap by megabytes some seconds after start-up,
  // in the middle of the measurement.
  const argv = [nofile, process.execPath, '--no-memory-reducer', options.cli, 'echo', 'serve', '--json', '--port', '0', '--host', '127.0.0.1',
    '--threads', '1', '--stats', '0', '--backend', backend, ...options.extra.split(' ').filter(Boolean)]
  return new Promise((resolve, reject) => {
    const child = spawn('prlimit', argv, {stdio: ['ignore', 'pipe', 'inherit']})
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`echo serve exited with ${code}`)))
    createInterface({input: child.stdout}).once('line', (line) => resolve({child, port: JSON.parse(line).port, pid: JSON.parse(line).pid}))
  })
}

function startClient(port, conns) {
  return new Promise((resolve, reject) => {
    const child = spawn('prlimit', [nofile, process.execPath, '-e', clientSource, String(port), String(conns)], {stdio: ['pipe', 'pipe', 'inherit']})
    child.once('error', reject)
    createInterface({input: child.stdout}).once('line', (line) => {
      if (line.startsWith('ready')) resolve(child)
      else reject(new Error(`client: ${line}`))
    })
  })
}

async function measure(backend) {
  const server = await startServer(backend)
  server.child.removeAllListeners('exit')
  try {
    // Warm: 2500 connections that echo once and close, so first-use costs are not counted per
    // connection (the echoes cycle through io_uring's whole buffer ring, whose pages are touched once).
    const warm = await startClient(server.port, 2500)
    warm.stdin.end()
    await new Promise((resolve) => warm.once('close', resolve))
    const before = await settledRss(server.pid)
    const client = await startClient(server.port, options.conns)
    const after = await settledRss(server.pid)
    client.stdin.end()
    await new Promise((resolve) => client.once('close', resolve))
    return {bytesPerConn: (after - before) / options.conns, rssBefore: before, rssAfter: after}
  } finally {
    server.child.kill('SIGTERM')
    await new Promise((resolve) => server.child.once('close', resolve))
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const runs = {}
for (let round = 0; round < options.repeat; round++) {
  for (const backend of options.backends.split(',')) {
    const r = await measure(backend)
    ;(runs[backend] ??= []).push(r)
    process.stderr.write(`round ${round + 1} ${backend}: ${r.bytesPerConn.toFixed(1)} B of server RSS per idle connection (${options.conns} connections)\n`)
  }
}
const rows = Object.entries(runs).map(([backend, rs]) => {
  const b = rs.map((r) => r.bytesPerConn)
  return {backend, conns: options.conns, bytesPerConn: Math.round(median(b)), min: Math.round(Math.min(...b)), max: Math.round(Math.max(...b))}
})
if (options.json) {
  console.log(JSON.stringify({options, rows, runs}, null, 2))
} else {
  console.log('| backend | idle connections | server RSS per connection (median [min–max]) |')
  console.log('|---|---:|---:|')
  for (const r of rows) console.log(`| ${r.backend} | ${r.conns} | **${r.bytesPerConn} B** [${r.min}–${r.max}] |`)
}
