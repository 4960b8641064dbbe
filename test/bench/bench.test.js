// echo bench end to end against a correct echo server (our shipped Node net server): counts, verified
// bytes, the --json schema, both client engines, random sizes, pipelining and open loop.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {after, before, test} from 'node:test'

import {runCli, runJs} from '../helpers/cli.js'
import {assertSchema} from '../helpers/schemas.js'
import {nodeServer, startFaulty, startServer} from './servers.js'

let server
before(async () => { server = await startServer(nodeServer, ['--port', '0']) })
after(async () => { await server?.stop() })

const bench = (args, options) => runCli(['echo', 'bench', '--port', String(server.port), '--warmup', '0', ...args], options)


for (const backend of ['io_uring', 'epoll']) {
  test(`--messages with the ${backend} client: exactly that many measured, every byte verified, the documented --json`, async () => {
    const r = await bench(['--messages', '3000', '--connections', '20', '--size', '200', '--client-backend', backend, '--json'])
    assert.equal(r.code, 0, r.stderr)
    const report = r.json()
    assertSchema('echo-bench', report, 'BenchReport')
    assert.equal(report.client.backend, backend)
    assert.equal(report.messages, 3000)
    assert.equal(report.bytes, 3000 * 200)
    assert.ok(report.verifiedBytes >= report.bytes)
    assert.equal(report.errors.total, 0)
    assert.equal(report.connections.established, 20)
    assert.equal(report.connections.aliveAtEnd, 20)
    assert.equal(report.verdict, 'ok')
    assert.ok(report.latencyMicros.p50 <= report.latencyMicros.p99 && report.latencyMicros.p99 <= report.latencyMicros.max)
    assert.ok(report.client.cpuMicrosPerMessage > 0)
  })
}

test('random sizes, pipelining and two threads: sizes stay in range and every echo verifies', async () => {
  const r = await bench(['--messages', '4000', '--connections', '16', '--size', '1-4096', '--pipeline', '8', '--threads', '2', '--json'])
  assert.equal(r.code, 0, r.stderr)
  const report = r.json()
  assert.equal(report.messages, 4000)
  const mean = report.bytes / report.messages
  assert.ok(mean > 1 && mean < 4096, `mean size ${mean}`)
  assert.equal(report.config.threads, 2)
  assert.equal(report.errors.total, 0)
})

test('--duration runs for the window asked, and the table names what was measured', async () => {
  const r = await bench(['--duration', '1', '--connections', '4', '--pin', '0'])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /echo bench 127\.0\.0\.1:\d+: 4 connections · 128 B · pipeline 1 · 1 s/)
  for (const row of ['messages/s', 'latency p50 / p90', 'latency p99 / p99.9', 'errors', 'client CPU', 'verified']) assert.match(r.stdout, new RegExp(row))
  assert.match(r.stdout, /\| errors +\| none/)
  assert.match(r.stdout, /on CPU 0/)
  assert.equal(r.stderr, '')
})

test('--rate runs open loop: the achieved rate and the backlog are reported', async () => {
  const r = await bench(['--duration', '1', '--rate', '2000', '--connections', '10', '--json'])
  assert.equal(r.code, 0, r.stderr)
  const report = r.json()
  assert.equal(report.config.rate, 2000)
  assert.equal(typeof report.openLoop.achievedRate, 'number')
  assert.equal(typeof report.openLoop.backlogAtEnd, 'number')
  assert.deepEqual(Object.keys(report.openLoop.sendLagMicros).sort(), ['max', 'p50', 'p99'])
  // An open-loop run at 2000/s for one second sends about 2000 messages, not as many as the server can take.
  assert.ok(report.messages > 0 && report.messages <= 2100, `messages ${report.messages}`)
})

test('SIGINT stops the run early and still reports what was measured', async () => {
  const echo = await startFaulty('echo')
  const child = spawn(process.execPath, [runJs, 'echo', 'bench', '--port', String(echo.port), '--duration', '60', '--warmup', '0', '--connections', '4', '--json'])
  let stdout = ''
  child.stdout.on('data', (d) => { stdout += d })
  await echo.connected
  await new Promise((r) => setTimeout(r, 300))
  child.kill('SIGINT')
  const code = await new Promise((resolve) => child.once('exit', resolve))
  await echo.stop()
  assert.equal(code, 0)
  const report = JSON.parse(stdout)
  assert.equal(report.stopped, true)
  assert.ok(report.windowSeconds < 60)
})

test('IPv6: --host ::1 reaches a server listening on ::1', async () => {
  const v6 = await startServer(nodeServer, ['--host', '::1', '--port', '0'])
  try {
    const r = await runCli(['echo', 'bench', '--host', '::1', '--port', String(v6.port), '--messages', '1000', '--warmup', '0', '--connections', '4', '--json'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.json().target.address, '::1')
    assert.equal(r.json().messages, 1000)
  } finally {
    await v6.stop()
  }
})

test('auto picks the epoll client for messages over 16 KiB, and says why', async () => {
  const r = await bench(['--messages', '200', '--connections', '2', '--size', '20000', '--json'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.json().client.backend, 'epoll')
  assert.match(r.json().client.backendNote, /over 16 KiB/)
})

test('--server-pid reports that process CPU time per message; a pid that does not exist is a usage error', async () => {
  const r = await bench(['--messages', '2000', '--connections', '4', '--server-pid', String(server.pid), '--json'])
  assert.equal(r.code, 0, r.stderr)
  const report = r.json()
  assert.equal(report.server.pid, server.pid)
  assert.ok(report.server.cpuSeconds >= 0)
  assert.ok(report.server.cpuSeconds < 0.05 ? report.server.cpuMicrosPerMessage === null : report.server.cpuMicrosPerMessage > 0)
  const table = await bench(['--duration', '1', '--connections', '4', '--server-pid', String(server.pid)])
  assert.match(table.stdout, /\| server CPU +\| [\d.]+ µs\/msg \(\d+% of a CPU\)/)
  const missing = await bench(['--messages', '10', '--server-pid', '4194304'])
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /--server-pid 4194304: no such process/)
})
