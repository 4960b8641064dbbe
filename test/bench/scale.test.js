// echo bench for many connections: spreading over several addresses (inside a network namespace of our own
// whose ephemeral port range holds only 200 ports per destination), the connect ramp, --message-rate, and
// the up-front refusals (open files, memory, absurd rates, an empty --host). Counts and bytes, never time.
import assert from 'node:assert/strict'
import {execFileSync, spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {createInterface} from 'node:readline'
import {after, before, test} from 'node:test'

import {root, runCli, runJs} from '../helpers/cli.js'
import {assertSchema} from '../helpers/schemas.js'
import {faultyServer, nodeServer, startServer} from './servers.js'

let server
before(async () => { server = await startServer(nodeServer, ['--port', '0', '--host', '0.0.0.0']) })
after(async () => { await server?.stop() })

const bench = (args, options) => runCli(['echo', 'bench', '--port', String(server.port), '--warmup', '0', ...args], options)

test('--message-rate R sends R messages/s on each connection and reports the connections held to the end', async () => {
  const r = await bench(['--message-rate', '2', '--connections', '10', '--duration', '2', '--json'])
  assert.equal(r.code, 0, r.stderr)
  const report = r.json()
  assertSchema('echo-bench', report, 'BenchReport')
  assert.equal(report.config.messageRate, 2)
  assert.equal(report.openLoop.targetRate, 20)
  assert.equal(report.connections.aliveAtEnd, 10)
  // The schedule holds at most 2 per connection per second (plus the one due at the window's start):
  // a closed loop would send thousands.
  assert.ok(report.messages > 0 && report.messages <= 10 * 2 * 2 + 10, `messages ${report.messages}`)
  const table = await bench(['--message-rate', '2', '--connections', '10', '--duration', '1'])
  assert.match(table.stdout, /open loop at 2 msg\/s per connection/)
  assert.match(table.stdout, /10 of 10 up, 10 held to the end/)
})

test('--message-rate 0 holds the connections idle: nothing sent, all held, and that is a success', async () => {
  const r = await bench(['--message-rate', '0', '--connections', '20', '--duration', '1', '--server-pid', String(server.pid), '--json'])
  assert.equal(r.code, 0, r.stderr)
  const report = r.json()
  assert.equal(report.messages, 0)
  assert.equal(report.verifiedBytes, 0)
  assert.equal(report.connections.aliveAtEnd, 20)
  assert.equal(report.openLoop, null)
  assert.equal(report.verdict, 'ok')
  assert.equal(typeof report.server.rssBytesPerConnection, 'number')
})

test('--message-rate and --rate exclude each other; rates must be positive numbers', async () => {
  for (const args of [['--message-rate', '1', '--rate', '10'], ['--message-rate', '-1'], ['--message-rate', 'x'], ['--connect-rate', '0'], ['--connect-rate', '-5']]) {
    const r = await bench([...args, '--duration', '1'])
    assert.equal(r.code, 2, args.join(' '))
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  }
})

test('--connect-rate ramps connections up: stopped after the first few arrive, most were never opened', async () => {
  const child = spawn(process.execPath, [faultyServer, 'echo'], {stdio: ['ignore', 'pipe', 'inherit']})
  const lines = createInterface({input: child.stdout})
  const port = await new Promise((resolve) => lines.once('line', (line) => resolve(JSON.parse(line).port)))
  let arrived = 0
  let onFifth
  const fifth = new Promise((resolve) => { onFifth = resolve })
  lines.on('line', (line) => { if (line.includes('"connection"') && ++arrived === 5) onFifth() })
  try {
    const b = spawn(process.execPath, [runJs, 'echo', 'bench', '--port', String(port), '--connections', '100', '--connect-rate', '10', '--duration', '1', '--warmup', '0', '--json'])
    let stdout = ''
    b.stdout.on('data', (d) => { stdout += d })
    await fifth
    b.kill('SIGINT')
    const code = await new Promise((resolve) => b.once('exit', resolve))
    assert.equal(code, 0)
    const report = JSON.parse(stdout)
    assert.equal(report.stopped, true)
    assert.equal(report.config.connectRate, 10)
    assert.ok(report.connections.established >= 5, `established ${report.connections.established}`)
    // All at once, the server would have seen 100 before the bench read its first line of output.
    assert.ok(report.connections.established < 100, `established ${report.connections.established}`)
    assert.equal(report.errors.connect, 0)
  } finally {
    child.kill('SIGTERM')
  }
})

test('with a ramp every connection comes up, counted per destination', async () => {
  const r = await bench(['--connections', '30', '--connect-rate', '1000', '--messages', '300', '--host', '127.0.0.1,127.0.0.2,[::ffff:127.0.0.3]', '--json'])
  assert.equal(r.code, 0, r.stderr)
  const report = r.json()
  assert.equal(report.connections.established, 30)
  assert.deepEqual(report.target.destinations.map((d) => d.address), ['127.0.0.1', '127.0.0.2', '::ffff:127.0.0.3'])
  assert.deepEqual(report.target.destinations.map((d) => d.established), [10, 10, 10])
})

test('--connections beyond the open-files limit is refused up front with the fix (exit 2, nothing connected)', async () => {
  const r = await bench(['--connections', '400', '--duration', '1'], {wrap: ['prlimit', '--nofile=300:300']})
  assert.equal(r.code, 2, r.stderr)
  assert.match(r.stderr, /^Error: --connections 400 needs \d+ open files .* but this process may open 300 \(nofile\): .*(prlimit --pid \d+ --nofile=\d+:\d+|ulimit -Hn \d+).*, or run several bench processes with at most \d+ connections each/)
  assert.equal(r.stderr.trim().split('\n').length, 1)
  const json = await bench(['--connections', '400', '--duration', '1', '--json'], {wrap: ['prlimit', '--nofile=300:300']})
  assert.equal(json.code, 2)
  assert.match(json.json().error.message, /open files/)
})

test('a load whose tables cannot be allocated is refused, not aborted (exit 2)', async () => {
  const r = await bench(['--connections', '1000000', '--pipeline', '1024', '--duration', '1'])
  assert.equal(r.code, 2, r.stderr)
  // On a host with more than 31 GiB free the open-files check refuses it instead.
  assert.match(r.stderr, /^Error: --connections 1000000 (with --pipeline 1024 needs [\d.]+ GiB for the load generator's tables|needs \d+ open files)/)
})

test('--rate beyond any client is refused; a huge rate still runs bounded and reports its backlog', async () => {
  const refused = await bench(['--rate', '1000000000000', '--duration', '1'])
  assert.equal(refused.code, 2)
  assert.match(refused.stderr, /--rate 1000000000000: must be from 1 to 1000000000/)
  const r = await bench(['--rate', '1000000000', '--duration', '1', '--connections', '2', '--json'])
  assert.equal(r.code, 0, r.stderr)
  assert.ok(r.json().openLoop.backlogAtEnd > 0)
})

test("--host '' and malformed lists are one usage line (exit 2)", async () => {
  for (const host of ['', ' ', '127.0.0.1,,127.0.0.2', '127.0.0.9-127.0.0.1', 'bad host!', '10.0.0.0-10.1.0.0']) {
    const r = await bench(['--host', host, '--duration', '1'])
    assert.equal(r.code, 2, `${JSON.stringify(host)}: ${r.stderr}`)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr, /^Error: --host /)
  }
})

test('--server-pid adds the server RSS per connection; the kernel socket figures before and while held', async () => {
  const r = await bench(['--messages', '400', '--connections', '40', '--server-pid', String(server.pid), '--json'])
  assert.equal(r.code, 0, r.stderr)
  const {server: s, kernel} = r.json()
  assert.ok(s.rssBytesBefore > 0 && s.rssBytesHeld > 0)
  assert.equal(typeof s.rssBytesPerConnection, 'number')
  assert.ok(kernel.before.tcpSockets >= 0 && kernel.held.slabBytes > 0)
  assert.equal(typeof kernel.perConnection.slabBytes, 'number')
})

// --- inside a network namespace of our own --------------------------------------------------------

const namespace = `uringctl-scale-${process.pid}`
function netnsSkipReason() {
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace'
  try {
    execFileSync('ip', ['netns', 'add', namespace], {stdio: 'pipe'})
  } catch (error) {
    return `ip netns is unavailable here: ${String(error.stderr ?? error.message).trim()}`
  }
  return null
}

test('spread over 4 addresses, 600 connections pass a namespace whose port range holds 200 per destination', async (t) => {
  const skip = netnsSkipReason()
  if (skip) return t.skip(skip)
  const hostRange = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
  const inside = ['ip', 'netns', 'exec', namespace]
  let serve
  try {
    execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up'])
    execFileSync('ip', ['netns', 'exec', namespace, 'sysctl', '-qw', 'net.ipv4.ip_local_port_range=40000 40199'])
    assert.equal(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'), hostRange, 'the host range is untouched')
    serve = spawn(inside[0], [...inside.slice(1), process.execPath, runJs, 'echo', 'serve', '--port', '0', '--host', '0.0.0.0', '--threads', '1', '--stats', '0', '--json'], {cwd: root, stdio: ['ignore', 'pipe', 'inherit']})
    const port = await new Promise((resolve, reject) => {
      serve.once('exit', (code) => reject(new Error(`echo serve exited with ${code}`)))
      createInterface({input: serve.stdout}).once('line', (line) => resolve(JSON.parse(line).port))
    })
    const run = (args) => runCli(['echo', 'bench', '--port', String(port), '--warmup', '0', '--connections', '600', ...args], {wrap: inside})

    const one = await run(['--messages', '600'])
    assert.equal(one.code, 2, one.stderr)
    assert.match(one.stderr, /needs 600 source ports per destination but net\.ipv4\.ip_local_port_range \(40000-40199\) allows 200: spread them over 3 or more addresses with --host/)

    const spread = await run(['--host', '127.0.0.1-127.0.0.4', '--messages', '1200', '--json'])
    assert.equal(spread.code, 0, spread.stderr)
    const report = spread.json()
    assert.equal(report.connections.established, 600)
    assert.equal(report.connections.aliveAtEnd, 600)
    assert.deepEqual(report.target.destinations, ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'].map((address) => ({address, established: 150})))
    assert.equal(report.errors.total, 0)
    assert.equal(report.messages, 1200)
    // The namespace's own count of sockets in use: both ends of every loopback connection.
    assert.equal(report.kernel.held.tcpInUse - report.kernel.before.tcpInUse, 1200, JSON.stringify(report.kernel))
    assert.equal(report.kernel.perConnection.tcpSockets, 2)
  } finally {
    serve?.kill('SIGTERM')
    if (serve && serve.exitCode === null) await new Promise((resolve) => serve.once('exit', resolve))
    execFileSync('ip', ['netns', 'del', namespace])
  }
})
