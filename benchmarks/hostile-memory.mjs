#!/usr/bin/env node
// What clients that send and never read make the server hold: for each backend, starts `uringctl echo
// serve --threads 1`, echoes one slow reader's --warm MiB (as a server that has worked before, so the
// allocator is not fresh), then sends --waves waves of --clients clients that each write until the
// server stops reading them (no drain for a second). Per wave it reports the bytes held per client
// (the server's bytesIn - bytesOut over the wave, from its stats), the growth of its RSS over the
// baseline at the peak (and as a ratio to the bytes held), and the RSS left once the clients are gone.
//
//   node benchmarks/hostile-memory.mjs [--backends io_uring,epoll] [--clients 50] [--waves 3]
//        [--max-pending 2097152] [--warm 8] [--cli bin/run.js] [--extra 'flags for echo serve'] [--json]
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import net from 'node:net'
import {dirname, join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const MiB = 1 << 20

function parseArgs(argv) {
  const o = {backends: 'io_uring,epoll', clients: 50, waves: 3, maxPending: 2 * MiB, warm: 8, cli: join(root, 'bin', 'run.js'), extra: '', json: false}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => argv[++i]
    if (a === '--backends') o.backends = next()
    else if (a === '--clients') o.clients = Number(next())
    else if (a === '--waves') o.waves = Number(next())
    else if (a === '--max-pending') o.maxPending = Number(next())
    else if (a === '--warm') o.warm = Number(next())
    else if (a === '--cli') o.cli = next()
    else if (a === '--extra') o.extra = next()
    else if (a === '--json') o.json = true
    else {
      process.stderr.write(`benchmarks/hostile-memory.mjs: unknown argument ${a}\n`)
      process.exit(2)
    }
  }
  return o
}
const options = parseArgs(process.argv.slice(2))
const rss = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)[1]) * 1024
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function startServer(backend) {
  const argv = [options.cli, 'echo', 'serve', '--json', '--port', '0', '--host', '127.0.0.1', '--threads', '1', '--stats', '1',
    '--backend', backend, '--max-pending', String(options.maxPending), ...options.extra.split(' ').filter(Boolean)]
  const child = spawn(process.execPath, argv, {stdio: ['ignore', 'pipe', 'inherit']})
  const server = {child, stats: [], waiters: []}
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`echo serve exited with ${code}`)))
    createInterface({input: child.stdout}).on('line', (line) => {
      const event = JSON.parse(line)
      if (event.event === 'listening') {
        server.port = event.port
        server.pid = event.pid
        resolve(server)
      } else if (event.event === 'stats') {
        server.stats.push(event)
        for (const w of server.waiters.splice(0)) w()
      }
    })
  })
}
const nextStats = (server) => new Promise((resolve) => {
  const n = server.stats.length
  server.waiters.push(() => resolve(server.stats[n]))
})
async function statsUntil(server, done) {
  let previous = null
  for (;;) {
    const s = await nextStats(server)
    if (done(s, previous)) return s
    previous = s
  }
}
const settled = (server) => statsUntil(server, (s, p) => p && s.totals.bytesIn === p.totals.bytesIn && s.totals.bytesOut === p.totals.bytesOut)
const empty = (server) => statsUntil(server, (s) => s.connections === 0)

function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({port, host: '127.0.0.1'}, () => resolve(socket))
    socket.once('error', reject)
  })
}
async function neverReader(port) {
  const socket = await connect(port)
  socket.on('error', () => {})
  socket.pause()
  const chunk = Buffer.alloc(MiB, 0x5a)
  for (let written = 0; written < 256 * MiB; written += chunk.length) {
    if (socket.write(chunk)) continue
    const drained = await Promise.race([new Promise((r) => socket.once('drain', () => r(true))), sleep(1000).then(() => false)])
    if (!drained) break
  }
  return socket
}
async function slowReader(port, size) {
  const socket = await connect(port)
  socket.pause()
  socket.write(Buffer.alloc(size, 7))
  await sleep(1500)
  let got = 0
  socket.resume()
  await new Promise((resolve) => socket.on('data', (d) => { got += d.length; if (got >= size) resolve() }))
  socket.destroy()
}

async function measure(backend) {
  const server = await startServer(backend)
  server.child.removeAllListeners('exit')
  try {
    if (options.warm) await slowReader(server.port, options.warm * MiB)
    await empty(server)
    let before = await settled(server)
    const baseline = rss(server.pid)
    const waves = []
    for (let w = 0; w < options.waves; w++) {
      const clients = await Promise.all(Array.from({length: options.clients}, () => neverReader(server.port)))
      const s = await settled(server)
      const held = (s.totals.bytesIn - s.totals.bytesOut) - (before.totals.bytesIn - before.totals.bytesOut)
      const peak = rss(server.pid) - baseline
      for (const c of clients) c.destroy()
      before = await empty(server)
      await settled(server)
      waves.push({heldPerClient: held / options.clients, peakGrowth: peak, peakPerHeld: peak / held, leftAfter: rss(server.pid) - baseline, allocFailures: s.errors.allocFailures})
      process.stderr.write(`${backend} wave ${w + 1}: held ${(held / options.clients / MiB).toFixed(3)} MiB per client, RSS +${(peak / MiB).toFixed(1)} MiB at the peak (${(peak / held).toFixed(2)}× held), +${((rss(server.pid) - baseline) / MiB).toFixed(1)} MiB once they are gone\n`)
    }
    return {backend, baseline, waves}
  } finally {
    server.child.kill('SIGTERM')
    await new Promise((resolve) => server.child.once('close', resolve))
  }
}

const results = []
for (const backend of options.backends.split(',')) results.push(await measure(backend))
if (options.json) {
  console.log(JSON.stringify({options, results}, null, 2))
} else {
  console.log(`${options.clients} never-reading clients per wave, --max-pending ${options.maxPending}`)
  console.log('| backend | wave | held per client | RSS growth at the peak (× held) | RSS above baseline once they are gone |')
  console.log('|---|---:|---:|---:|---:|')
  for (const r of results) {
    r.waves.forEach((w, i) => console.log(`| ${r.backend} | ${i + 1} | ${(w.heldPerClient / MiB).toFixed(3)} MiB | +${(w.peakGrowth / MiB).toFixed(1)} MiB (${w.peakPerHeld.toFixed(2)}×) | ${(w.leftAfter / MiB).toFixed(1)} MiB |`))
  }
}
