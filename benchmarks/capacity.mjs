#!/usr/bin/env node
// Capacity benchmark: what a connection costs, and how many this machine holds. Three parts:
//
//   node benchmarks/capacity.mjs idle   [--servers io_uring,epoll,c-epoll,liburing] [--connections 18000] [--repeat 3] [--json]
//   node benchmarks/capacity.mjs hold   [--servers 12] [--per-server 17000] [--addresses 40] [--message-rate 0.2]
//                                       [--connect-rate 1000] [--warmup 5] [--duration 30] [--backend io_uring] [--json]
//   node benchmarks/capacity.mjs matrix [--repeat 3] [--duration 5]      (echo.mjs --paired at 50, 500, 5000, 18000)
//
// idle: each server in turn (one thread) holds --connections idle connections (`echo bench --message-rate 0`);
//   reports the server's RSS growth per connection (user space) and the kernel's: slab growth per
//   connection (socket, file, inode and epoll/io_uring structures of BOTH ends, since it is loopback) and
//   TCP buffer pages, as medians over --repeat rounds.
// hold: --servers `echo serve --reuse-port` processes (one engine thread each) sharing one port, since a
//   process here may hold at most 20,000 fds; the kernel's SO_REUSEPORT hash spreads the connections over
//   them. As many `echo bench` processes, each opening --per-server connections to that port
//   spread over 127.0.0.1-127.0.0.<--addresses>, every connection echoed --message-rate times a second
//   (0.2: every 5 s). Reports connections held to the end, server RSS per connection, kernel memory per
//   connection, the host's MemAvailable drop per connection (everything: both ends, client and server),
//   echo latency p50/p99 and errors.
// matrix: server CPU per message at 50, 500, 5000 and 18,000 busy connections, each server paired with
//   the liburing reference (and our epoll with the C epoll reference), via benchmarks/echo.mjs --paired.
//
// idle and hold run inside a network namespace of their own (root and `ip netns` needed) with per-namespace
// sysctls raised there only: net.core.somaxconn, net.ipv4.tcp_max_syn_backlog, net.ipv4.ip_local_port_range.
// No host-wide sysctl is touched: fs.file-max (2.4 M here) and net.ipv4.tcp_mem (global: 2.2 GiB here;
// idle sockets hold no buffer pages) are large enough for the counts above, and the script checks them
// first. Every process it starts is bounded in time and killed at the end; the namespace is deleted.
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {cpus, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const runJs = join(root, 'bin', 'run.js')

const [part, ...rest] = process.argv.slice(2)
const defaults = {
  idle: {servers: 'io_uring,epoll,c-epoll,liburing', connections: 18000, repeat: 3, json: false},
  hold: {servers: 12, perServer: 17000, addresses: 40, messageRate: 0.2, connectRate: 1000, warmup: 5, duration: 30, backend: 'io_uring', json: false},
  matrix: {repeat: 3, duration: 5},
}
function fail(message) {
  process.stderr.write(`benchmarks/capacity.mjs: ${message}\n`)
  process.exit(2)
}
if (!defaults[part]) fail(`say which part to run: idle, hold or matrix (got ${part ?? 'nothing'})`)
const options = {...defaults[part]}
for (let i = 0; i < rest.length; i++) {
  const key = rest[i].replace(/^--/, '').replace(/-(.)/g, (_, c) => c.toUpperCase())
  if (!(key in options)) fail(`unknown option ${rest[i]} for ${part}; known: ${Object.keys(options).map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(' ')}`)
  if (typeof options[key] === 'boolean') options[key] = true
  else options[key] = typeof options[key] === 'number' ? Number(rest[++i]) : rest[++i]
}

if (part === 'matrix') {
  // Two paired runs: everything against liburing, and our epoll against the C epoll server.
  const common = ['--sizes', '128', '--conns', '50,500,5000,18000', '--connect-rate', '6000', '--timeout', '30', '--repeat', String(options.repeat), '--duration', String(options.duration)]
  for (const args of [['--paired', 'liburing', '--servers', 'io_uring,epoll,c-epoll'], ['--paired', 'c-epoll', '--servers', 'epoll']]) {
    process.stderr.write(`node benchmarks/echo.mjs ${[...args, ...common].join(' ')}\n`)
    const r = spawnSync(process.execPath, [join(here, 'echo.mjs'), ...args, ...common], {stdio: 'inherit'})
    if (r.status !== 0) process.exit(r.status ?? 1)
  }
  process.exit(0)
}

// --- a network namespace of our own --------------------------------------------------------------------

if (process.getuid?.() !== 0) fail('idle and hold need root: they run in a network namespace of their own (ip netns add)')
const namespace = `uringctl-capacity-${process.pid}`
const inside = (argv) => ['ip', 'netns', 'exec', namespace, ...argv]
const children = new Set()
const work = mkdtempSync(join(tmpdir(), 'uringctl-capacity-'))
let namespaceMade = false

function cleanup() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  if (namespaceMade) spawnSync('ip', ['netns', 'del', namespace])
  namespaceMade = false
  rmSync(work, {recursive: true, force: true})
}
process.once('SIGINT', () => {
  cleanup()
  process.exit(130)
})

function makeNamespace() {
  execFileSync('ip', ['netns', 'add', namespace])
  namespaceMade = true
  execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up'])
  for (const setting of ['net.core.somaxconn=65535', 'net.ipv4.tcp_max_syn_backlog=65535', 'net.ipv4.ip_local_port_range=1024 65535']) {
    execFileSync('ip', ['netns', 'exec', namespace, 'sysctl', '-qw', setting])
  }
}

const readNumber = (file) => Number(readFileSync(file, 'utf8').trim().split(/\s+/)[0])
const meminfo = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'))[1]) * 1024
/** Slab caches (/proc/slabinfo, root only): objects and bytes of each. */
function slabCaches() {
  const caches = new Map()
  for (const line of readFileSync('/proc/slabinfo', 'utf8').split('\n').slice(2)) {
    const [name, , objects, size] = line.trim().split(/\s+/)
    if (name) caches.set(name, {objects: Number(objects), bytes: Number(objects) * Number(size)})
  }
  return caches
}

/**
 * Kernel memory of one end of an idle TCP connection, from this kernel's slab object sizes (with each slab's
 * packing: pages per slab / objects per slab): the socket (TCP), its inode (sock_inode_cache), file (filp,
 * lsm_file_cache), dentry, and what watches it: an armed multishot receive (io_kiocb) or an epoll item
 * (eventpoll_epi). The measured slab growth is too noisy on a shared host to give this directly at 18,000
 * connections (other work opens and closes thousands of sockets meanwhile); the hold run checks it at scale.
 */
function kernelPerEnd(watcher) {
  const sizes = new Map()
  for (const line of readFileSync('/proc/slabinfo', 'utf8').split('\n').slice(2)) {
    const f = line.trim().split(/\s+/)
    if (f[0]) sizes.set(f[0], {objsize: Number(f[3]), effective: Math.round((Number(f[5]) * 4096) / Number(f[4]))})
  }
  const parts = ['TCP', 'sock_inode_cache', 'filp', 'lsm_file_cache', 'dentry', watcher].filter((name) => sizes.has(name))
  return {bytes: parts.reduce((n, name) => n + sizes.get(name).effective, 0), parts: parts.map((name) => `${name} ${sizes.get(name).effective} B`)}
}
const watcherOf = {io_uring: 'io_kiocb', liburing: 'io_kiocb', epoll: 'eventpoll_epi', 'c-epoll': 'eventpoll_epi'}

/** TCP sockets in use in the namespace of `pid` (sockstat is per namespace), the host's TCP pages, slab and caches. */
function kernelNow(pid) {
  const sockstat = readFileSync(`/proc/${pid}/net/sockstat`, 'utf8')
  const field = (name) => Number(new RegExp(`^TCP:.*\\b${name} (\\d+)`, 'm').exec(sockstat)[1])
  return {tcpInUse: field('inuse'), tcpPages: field('mem'), slab: meminfo('Slab'), memAvailable: meminfo('MemAvailable'), caches: slabCaches()}
}

/** The TCP counters of the namespace of `pid` that tell why echoes were late: drops, retransmissions, memory pressure. */
const tcpCounterNames = ['ListenOverflows', 'ListenDrops', 'TCPMemoryPressures', 'TCPAbortOnMemory', 'TCPTimeouts', 'TCPSynRetrans', 'RetransSegs']
function tcpCounters(pid) {
  const counters = {}
  for (const file of ['netstat', 'snmp']) {
    const lines = readFileSync(`/proc/${pid}/net/${file}`, 'utf8').split('\n')
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const names = lines[i].split(/\s+/)
      const values = lines[i + 1].split(/\s+/)
      names.forEach((name, j) => { if (tcpCounterNames.includes(name)) counters[name] = Number(values[j]) })
    }
  }
  return counters
}

/** Samples kernelNow(pid) every `ms` and keeps the sample with the most TCP sockets in use. */
function peakSampler(pid, ms, onSample = () => {}) {
  let peak = kernelNow(pid)
  const timer = setInterval(() => {
    const now = kernelNow(pid)
    if (now.tcpInUse >= peak.tcpInUse) peak = now
    onSample(now)
  }, ms)
  return {stop: () => (clearInterval(timer), peak)}
}

/**
 * Kernel memory per connection between two samples, from the slab caches that grew with the connections
 * (at least one object per two connections: TCP, sock_inode_cache, filp, dentry, io_kiocb, eventpoll_epi ...);
 * caches other work on the host churns stay below that and out of the sum. Both ends: it is loopback.
 */
function kernelPerConnection(before, peak) {
  const connections = (peak.tcpInUse - before.tcpInUse) / 2
  const grew = []
  for (const [name, now] of peak.caches) {
    const then = before.caches.get(name) ?? {objects: 0, bytes: 0}
    const objects = (now.objects - then.objects) / connections
    if (objects >= 0.5) grew.push({cache: name, objectsPerConnection: Math.round(objects * 100) / 100, bytesPerConnection: Math.round((now.bytes - then.bytes) / connections)})
  }
  grew.sort((a, b) => b.bytesPerConnection - a.bytesPerConnection)
  return {
    connections,
    slabBytesBothEnds: grew.reduce((n, c) => n + c.bytesPerConnection, 0),
    caches: grew,
    tcpBufferBytes: Math.round(((peak.tcpPages - before.tcpPages) * 4096) / connections),
    memAvailableDropBytes: Math.round((before.memAvailable - peak.memAvailable) / connections),
  }
}

function checkHostCeilings(sockets) {
  const fileMax = readNumber('/proc/sys/fs/file-max')
  const fileNr = readNumber('/proc/sys/fs/file-nr')
  if (fileMax - fileNr < sockets * 1.2) fail(`fs.file-max (${fileMax}, ${fileNr} in use) is too low for ${sockets} sockets; this script never changes host-wide sysctls`)
}

/** Starts argv (inside the namespace) and resolves {child, line} with its first stdout line; child.lastLine keeps its last. */
function startListening(argv, timeoutMs = 20000) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {stdio: ['ignore', 'pipe', 'inherit'], cwd: root})
    children.add(child)
    const timer = setTimeout(() => reject(new Error(`${argv.join(' ')} printed nothing within ${timeoutMs} ms`)), timeoutMs)
    child.once('exit', (code) => reject(new Error(`${argv.join(' ')} exited with ${code}`)))
    let first = true
    createInterface({input: child.stdout}).on('line', (line) => {
      child.lastLine = line
      if (!first) return
      first = false
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolve({child, line})
    })
  })
}

/** Runs argv to completion within timeoutMs; resolves with its JSON report. */
function runJson(argv, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {stdio: ['ignore', 'pipe', 'pipe'], cwd: root})
    children.add(child)
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('close', (code) => {
      clearTimeout(timer)
      children.delete(child)
      try {
        const r = JSON.parse(out)
        if (r.error) throw new Error(r.error.message)
        resolve(r)
      } catch (error) {
        reject(new Error(`${argv.slice(4, 8).join(' ')}... exited ${code}: ${error.message} ${err.trim()}`))
      }
    })
  })
}

async function stop(child) {
  if (child.exitCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
  await new Promise((resolve) => child.once('close', resolve))
  clearTimeout(timer)
  children.delete(child)
}

const round1 = (x) => Math.round(x * 10) / 10
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

// --- servers -------------------------------------------------------------------------------------------

function buildReferences() {
  const refs = {}
  refs['c-epoll'] = join(work, 'reference-epoll-echo')
  execFileSync('cc', ['-O2', '-o', refs['c-epoll'], join(here, 'reference-epoll-echo.c')])
  try {
    refs.liburing = join(work, 'reference-liburing-echo')
    execFileSync('cc', ['-O2', '-o', refs.liburing, join(here, 'reference-liburing-echo.c'), '-luring'], {stdio: 'ignore'})
  } catch {
    delete refs.liburing
  }
  return refs
}

function serverArgv(kind, refs) {
  // --no-memory-reducer: V8 would otherwise shrink its heap by megabytes some seconds after start-up, in
  // the middle of the measurement, and the RSS growth per connection would come out below zero.
  const serve = (backend) => [process.execPath, '--no-memory-reducer', runJs, 'echo', 'serve', '--json', '--port', '0', '--host', '0.0.0.0', '--threads', '1', '--stats', '0', '--backend', backend]
  if (kind === 'io_uring' || kind === 'epoll') return {argv: serve(kind), port: (line) => JSON.parse(line).port}
  if (!refs[kind]) fail(`${kind}: the reference server could not be built (liburing-dev installed?)`)
  return {argv: [refs[kind], '0', '0.0.0.0'], port: Number}
}

// --- idle ------------------------------------------------------------------------------------------------

async function idle() {
  const refs = buildReferences()
  const kinds = options.servers.split(',')
  checkHostCeilings(2 * options.connections)
  const runs = Object.fromEntries(kinds.map((k) => [k, []]))
  for (let round = 0; round < options.repeat; round++) {
    for (const kind of kinds) {
      const spec = serverArgv(kind, refs)
      const {child, line} = await startListening(inside(spec.argv))
      const before = kernelNow(child.pid)
      const sampler = peakSampler(child.pid, 400)
      try {
        const report = await runJson(
          inside([process.execPath, runJs, 'echo', 'bench', '--json', '--host', '127.0.0.1', '--port', String(spec.port(line)), '--connections', String(options.connections),
            '--connect-rate', '6000', '--message-rate', '0', '--warmup', '0', '--duration', '2', '--timeout', '30', '--server-pid', String(child.pid)]),
          120000,
        )
        const kernel = kernelPerConnection(before, sampler.stop())
        const r = {
          established: report.connections.established,
          serverRssPerConnection: report.server.rssBytesPerConnection,
          serverRssBefore: report.server.rssBytesBefore,
          slabPerConnection: kernel.slabBytesBothEnds,
          caches: kernel.caches,
          tcpBufferPerConnection: kernel.tcpBufferBytes,
          errors: report.errors.total,
        }
        runs[kind].push(r)
        process.stderr.write(`round ${round + 1} ${kind}: ${r.established} idle connections, server +${r.serverRssPerConnection} B RSS each, kernel +${r.slabPerConnection} B slab each (both ends), ${r.errors} errors\n`)
      } finally {
        sampler.stop()
        await stop(child)
      }
    }
  }
  const rows = kinds.map((kind) => ({
    server: kind,
    connections: median(runs[kind].map((r) => r.established)),
    serverRssBytesPerConnection: median(runs[kind].map((r) => r.serverRssPerConnection)),
    serverRssRuns: runs[kind].map((r) => r.serverRssPerConnection),
    kernelSlabBytesPerConnection: median(runs[kind].map((r) => r.slabPerConnection)),
    kernelSlabRuns: runs[kind].map((r) => r.slabPerConnection),
    tcpBufferBytesPerConnection: median(runs[kind].map((r) => r.tcpBufferPerConnection)),
    caches: runs[kind].at(-1).caches,
    // The client end is echo bench's io_uring client: an armed multishot receive too.
    kernelBytesPerServerEnd: kernelPerEnd(watcherOf[kind]).bytes,
    kernelBytesPerClientEnd: kernelPerEnd('io_kiocb').bytes,
    errors: runs[kind].reduce((n, r) => n + r.errors, 0),
  }))
  if (options.json) return console.log(JSON.stringify({machine: machine(), options, rows}, null, 2))
  console.log('| server | idle connections | server RSS per connection (median; runs) | kernel, server end (slab objects) | kernel, both ends (slab objects) | slab growth measured, both ends (median; runs) | errors |')
  console.log('|---|---:|---|---:|---:|---|---:|')
  for (const r of rows) {
    console.log(`| ${r.server} | ${r.connections} | **${r.serverRssBytesPerConnection} B** (${r.serverRssRuns.join(', ')}) | **${r.kernelBytesPerServerEnd} B** | ${r.kernelBytesPerServerEnd + r.kernelBytesPerClientEnd} B | ${r.kernelSlabBytesPerConnection} B (${r.kernelSlabRuns.join(', ')}) | ${r.errors} |`)
  }
  console.log(`\nkernel per end, from /proc/slabinfo object sizes: io_uring ${kernelPerEnd('io_kiocb').parts.join(' + ')}; epoll ${kernelPerEnd('eventpoll_epi').parts.join(' + ')}`)
  console.log('\nSlab caches that grew with the connections (last round), bytes per connection, both ends:')
  for (const r of rows) console.log(`- ${r.server}: ${r.caches.map((c) => `${c.cache} ${c.bytesPerConnection} B (${c.objectsPerConnection}×)`).join(', ')}`)
}

// --- hold ------------------------------------------------------------------------------------------------

async function hold() {
  const total = options.servers * options.perServer
  checkHostCeilings(2 * total)
  // The kernel's hash gives each server about --per-server connections, a few hundred more or less: leave room.
  if (options.perServer > 18500) fail(`--per-server ${options.perServer}: a process here may hold at most 20,000 fds, and the servers share the connections unevenly; use more --servers`)
  const hosts = `127.0.0.1-127.0.0.${options.addresses}`
  const servers = []
  // One port for all: the first server picks a free one, the others join it with --reuse-port.
  let port = 0
  for (let i = 0; i < options.servers; i++) {
    const spec = serverArgv(options.backend, {})
    const argv = [...spec.argv, '--reuse-port']
    argv[argv.indexOf('--port') + 1] = String(port)
    const {child, line} = await startListening(inside(argv))
    port = spec.port(line)
    servers.push({child, port})
  }
  const before = kernelNow(servers[0].child.pid)
  const countersBefore = tcpCounters(servers[0].child.pid)
  process.stderr.write(`${options.servers} ${options.backend} servers listening on port ${port}; ${options.servers} clients opening ${total} connections over ${hosts} at ${options.connectRate}/s each\n`)
  const rampSeconds = options.perServer / options.connectRate
  const bound = (rampSeconds + options.warmup + options.duration + 120) * 1000
  const sampler = peakSampler(servers[0].child.pid, 5000, (now) => {
    process.stderr.write(`  ${Math.round((now.tcpInUse - before.tcpInUse) / 2)} connections open, TCP buffers ${now.tcpPages} pages, MemAvailable ${(now.memAvailable / 2 ** 30).toFixed(2)} GiB\n`)
  })
  let reports
  let peak
  let countersAfter
  try {
    reports = await Promise.all(
      servers.map((s) =>
        runJson(
          inside([process.execPath, runJs, 'echo', 'bench', '--json', '--host', hosts, '--port', String(s.port), '--connections', String(options.perServer),
            '--connect-rate', String(options.connectRate), '--message-rate', String(options.messageRate), '--warmup', String(options.warmup),
            '--duration', String(options.duration), '--timeout', '30', '--server-pid', String(s.child.pid)]),
          bound,
        ),
      ),
    )
  } finally {
    peak = sampler.stop()
    countersAfter = tcpCounters(servers[0].child.pid)
    for (const s of servers) await stop(s.child)
  }
  const sum = (f) => reports.reduce((n, r) => n + f(r), 0)
  // How the kernel's SO_REUSEPORT hash shared the connections: each server's own count, from its summary.
  const served = servers.map((s) => {
    try {
      return JSON.parse(s.child.lastLine).connectionsServed ?? null
    } catch {
      return null
    }
  })
  const established = sum((r) => r.connections.established)
  const held = sum((r) => r.connections.aliveAtEnd)
  const kernel = kernelPerConnection(before, peak)
  const peakConnections = kernel.connections
  const errorKinds = {}
  for (const r of reports) for (const [k, v] of Object.entries(r.errors)) if (k !== 'total' && v) errorKinds[k] = (errorKinds[k] ?? 0) + v
  const result = {
    machine: machine(),
    options,
    connections: {requested: total, established, heldToEnd: held, peakOpenInNamespace: peakConnections, servedByEachServer: served},
    messages: sum((r) => r.messages),
    messagesPerSecond: Math.round(sum((r) => r.messagesPerSecond)),
    targetMessagesPerSecond: Math.round(total * options.messageRate),
    // How late the clients sent (part of the latency): large means the clients (or the CPUs) fell behind.
    sendLagMicrosP50Median: round1(median(reports.map((r) => r.openLoop.sendLagMicros.p50))),
    backlogAtEnd: sum((r) => r.openLoop.backlogAtEnd),
    clientCpuMicrosPerMessage: round1(median(reports.map((r) => r.client.cpuMicrosPerMessage ?? 0))),
    // Each bench measures one server (--server-pid), but its connections reach every server: all servers' CPU over all echoes.
    serverCpuMicrosPerMessage: round1((sum((r) => r.server.cpuSeconds) * 1e6) / Math.max(1, sum((r) => r.messages))),
    latencyMicros: {
      p50Median: round1(median(reports.map((r) => r.latencyMicros.p50))),
      p50Range: [round1(Math.min(...reports.map((r) => r.latencyMicros.p50))), round1(Math.max(...reports.map((r) => r.latencyMicros.p50)))],
      p99Median: round1(median(reports.map((r) => r.latencyMicros.p99))),
      p99Max: round1(Math.max(...reports.map((r) => r.latencyMicros.p99))),
    },
    // Each server measured once (one bench per server), so the sum of their growth is all servers' memory.
    serverRssBytesPerConnection: Math.round(sum((r) => r.server.rssBytesHeld - r.server.rssBytesBefore) / established),
    serverRssBytesHeld: sum((r) => r.server.rssBytesHeld),
    kernelPerConnection: {slabBytesBothEnds: kernel.slabBytesBothEnds, tcpBufferBytes: kernel.tcpBufferBytes, caches: kernel.caches},
    hostMemAvailableDropPerConnection: kernel.memAvailableDropBytes,
    errors: {total: sum((r) => r.errors.total), ...errorKinds},
    // What the namespace's TCP went through during the run (its own counters: nothing else runs there).
    tcpCounters: Object.fromEntries(tcpCounterNames.map((name) => [name, (countersAfter?.[name] ?? 0) - (countersBefore[name] ?? 0)])),
    tcpBufferPagesAtPeak: peak.tcpPages,
    firstError: reports.map((r) => r.firstError).find(Boolean) ?? null,
  }
  if (options.json) return console.log(JSON.stringify(result, null, 2))
  const n = (x) => Math.round(x).toLocaleString('en-US')
  console.log(`hold: ${options.servers} ${options.backend} servers sharing one port (--reuse-port), ${n(options.perServer)} connections per server over ${hosts}, ${options.messageRate} echo/s each, ${options.duration} s measured`)
  console.log(`| connections requested | established | held to the end | peak open | echoes/s (target) | p50 µs (median [range] over clients) | p99 µs (median; max) | server RSS / conn | kernel slab / conn (both ends) | MemAvailable drop / conn | errors |`)
  console.log('|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---|')
  const l = result.latencyMicros
  console.log(`| ${n(total)} | ${n(established)} | **${n(held)}** | ${n(peakConnections)} | ${n(result.messagesPerSecond)} (${n(result.targetMessagesPerSecond)}) | ${l.p50Median} [${l.p50Range.join('–')}] | ${l.p99Median}; ${l.p99Max} | ${n(result.serverRssBytesPerConnection)} B | ${n(result.kernelPerConnection.slabBytesBothEnds)} B | ${n(result.hostMemAvailableDropPerConnection)} B | ${result.errors.total ? JSON.stringify(result.errors) : 'none'} |`)
  console.log(`connections served by each server (one shared port): ${served.map((c) => (c === null ? '?' : n(c))).join(', ')}`)
  console.log(`TCP in the namespace during the run: ${Object.entries(result.tcpCounters).map(([k, v]) => `${k} ${n(v)}`).join(', ')}; TCP buffer pages host-wide at the peak: ${n(peak.tcpPages)} (net.ipv4.tcp_mem: ${readFileSync('/proc/sys/net/ipv4/tcp_mem', 'utf8').trim().split(/\s+/).join(' / ')})`)
  console.log(`send lag p50 (median over clients): ${result.sendLagMicrosP50Median} µs; due but unsent at the end: ${n(result.backlogAtEnd)}; CPU per echo: server (all servers over all echoes) ${result.serverCpuMicrosPerMessage} µs, client (median over processes) ${result.clientCpuMicrosPerMessage} µs`)
  console.log(`kernel slab caches that grew, per connection (both ends): ${kernel.caches.map((c) => `${c.cache} ${c.bytesPerConnection} B (${c.objectsPerConnection}×)`).join(', ')}`)
  if (result.firstError) console.log(`first error: ${result.firstError}`)
}

function machine() {
  return {cpu: cpus()[0]?.model, cpus: cpus().length, memTotal: meminfo('MemTotal'), kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}
}

try {
  makeNamespace()
  await (part === 'idle' ? idle() : hold())
} catch (error) {
  process.stderr.write(`benchmarks/capacity.mjs: ${error.message}\n`)
  process.exitCode = 1
} finally {
  cleanup()
}
