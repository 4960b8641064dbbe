// echo bench against our own `echo serve` (both backends), and --compare: our servers and Node's net
// server, each started, pinned apart from the client, measured with its CPU time from /proc, and stopped.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {runCli, runJs} from '../helpers/cli.js'
import {assertSchema} from '../helpers/schemas.js'
import {isAlive, startServer} from './servers.js'


test('--compare --with-node --json: one run per server, the same load, server CPU per message, servers stopped', async () => {
  const r = await runCli(['echo', 'bench', '--compare', '--with-node', '--messages', '3000', '--warmup', '0', '--connections', '10', '--json'], {timeoutMs: 90000})
  const report = r.json()
  assertSchema('echo-bench', report, 'CompareReport')
  assert.deepEqual(report.runs.map((run) => run.server), ['io_uring', 'epoll', 'node'])
  assert.equal(report.cpus.server.length, 1)
  assert.ok(!report.cpus.client.includes(report.cpus.server[0]), 'client and server on different CPUs')
  for (const run of report.runs) {
    assert.equal(run.error, null, `${run.server}: ${run.error}`)
    assert.equal(run.bench.messages, 3000)
    assert.equal(run.bench.errors.total, 0)
    assert.deepEqual(run.bench.config.pin, report.cpus.client)
    assert.equal(run.bench.server.pid, run.pid)
    assert.ok(run.bench.server.cpuSeconds >= 0)
    // 3000 messages take less server CPU than /proc's 5-tick minimum for a per-message figure
    assert.ok(run.bench.server.cpuSeconds < 0.05 ? run.bench.server.cpuMicrosPerMessage === null : run.bench.server.cpuMicrosPerMessage > 0)
    assert.deepEqual(run.serverExit, {code: 0, signal: null}, `${run.server} stopped cleanly by SIGTERM`)
    assert.equal(isAlive(run.pid), false, `${run.server} (pid ${run.pid}) is gone`)
  }
  assert.match(report.runs[0].command, /^node bin\/run\.js echo serve --backend io_uring --port 0 --host 127\.0\.0\.1 --threads 1/)
  assert.equal(r.code, 0, r.stderr)
  assert.equal(report.exitCode, 0)
})

test('--compare prints one side-by-side table with ratios against the first server that ran', async () => {
  const r = await runCli(['echo', 'bench', '--compare', '--with-node', '--duration', '1', '--warmup', '0', '--connections', '8'], {timeoutMs: 90000})
  assert.equal(r.code, 0, r.stderr)
  const base = 'io_uring'
  assert.match(r.stdout, /^echo bench --compare: 8 connections · 128 B · pipeline 1 · 1 s each · server on CPU \d+, client on CPU [\d,]+/)
  for (const column of ['server', 'msg/s', 'p50 µs', 'p99 µs', 'server CPU µs/msg', 'client CPU µs/msg', `msg/s vs ${base}`, `server CPU vs ${base}`]) {
    assert.ok(r.stdout.includes(column), column)
  }
  for (const server of ['io_uring', 'epoll', 'node']) assert.match(r.stdout, new RegExp(`\\| ${server} +\\| [\\d,]+ +\\|`))
  // A second of load: enough server CPU time for a per-message figure, and for its ratio.
  assert.match(r.stdout, new RegExp(`\\| ${base} +\\| [\\d,]+ +\\|.*\\| [\\d.]+ +\\| [\\d.]+ +\\| none +\\| 1\\.00× +\\| 1\\.00× +\\|`))
  assert.equal(r.stderr, '')
})

for (const backend of ['io_uring', 'epoll']) {
  test(`our echo serve --backend ${backend}: random sizes, pipelining, every byte verified, server CPU read`, async () => {
    const server = await startServer(runJs, ['echo', 'serve', '--backend', backend, '--port', '0', '--host', '127.0.0.1', '--threads', '1', '--stats', '0', '--json'])
    try {
      const r = await runCli(['echo', 'bench', '--port', String(server.port), '--messages', '5000', '--warmup', '0', '--connections', '20',
        '--size', '1-8192', '--pipeline', '4', '--server-pid', String(server.pid), '--json'])
      assert.equal(r.code, 0, r.stderr)
      const report = r.json()
      assert.equal(report.messages, 5000)
      assert.equal(report.errors.total, 0)
      assert.ok(report.verifiedBytes >= report.bytes)
      assert.equal(report.server.pid, server.pid)
    } finally {
      await server.stop()
    }
  })
}
