// echo bench --compare: our servers (once `echo serve` exists) and Node's net server, each started,
// pinned apart from the client, measured with its CPU time from /proc, and stopped.
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'

import {root, runCli} from '../helpers/cli.js'
import {assertShape, benchReportSchema} from './schema.js'
import {isAlive} from './servers.js'

const haveEchoServe = existsSync(join(root, 'dist', 'commands', 'echo', 'serve.js'))
const compareSchema = {
  config: benchReportSchema.config,
  cpus: {server: 'array', client: 'array'},
  runs: 'array',
  exitCode: 'number',
}
const runSchema = {server: 'string', command: 'string', pid: 'number|null', bench: 'object|null', error: 'string|null', serverExit: 'object|null'}

test('--compare --with-node --json: one run per server, the same load, server CPU per message, servers stopped', async () => {
  const r = await runCli(['echo', 'bench', '--compare', '--with-node', '--messages', '3000', '--warmup', '0', '--connections', '10', '--json'], {timeoutMs: 90000})
  const report = r.json()
  assertShape(report, compareSchema)
  assert.deepEqual(report.runs.map((run) => run.server), ['io_uring', 'epoll', 'node'])
  assert.equal(report.cpus.server.length, 1)
  assert.ok(!report.cpus.client.includes(report.cpus.server[0]), 'client and server on different CPUs')
  for (const run of report.runs) {
    assertShape(run, runSchema, run.server)
    if (run.server === 'node' || haveEchoServe) {
      assert.equal(run.error, null, `${run.server}: ${run.error}`)
      assertShape(run.bench, benchReportSchema, run.server)
      assert.equal(run.bench.messages, 3000)
      assert.equal(run.bench.errors.total, 0)
      assert.deepEqual(run.bench.config.pin, report.cpus.client)
      assert.equal(run.bench.server.pid, run.pid)
      assert.ok(run.bench.server.cpuSeconds >= 0)
      assert.equal(typeof run.bench.server.cpuMicrosPerMessage, 'number')
      assert.deepEqual(run.serverExit, {code: 0, signal: null}, `${run.server} stopped cleanly by SIGTERM`)
      assert.equal(isAlive(run.pid), false, `${run.server} (pid ${run.pid}) is gone`)
    } else {
      assert.equal(run.bench, null)
      assert.match(run.error, /echo serve|echo:serve/)
    }
  }
  assert.equal(r.code, haveEchoServe ? 0 : 8)
  assert.equal(report.exitCode, r.code)
})

test('--compare prints one side-by-side table with ratios against the first server that ran', async () => {
  const r = await runCli(['echo', 'bench', '--compare', '--with-node', '--duration', '1', '--warmup', '0', '--connections', '8'], {timeoutMs: 90000})
  assert.equal(r.code, haveEchoServe ? 0 : 8, r.stderr)
  const base = haveEchoServe ? 'io_uring' : 'node'
  assert.match(r.stdout, /^echo bench --compare: 8 connections · 128 B · pipeline 1 · 1 s each · server on CPU \d+, client on CPU [\d,]+/)
  for (const column of ['server', 'msg/s', 'p50 µs', 'p99 µs', 'server CPU µs/msg', 'client CPU µs/msg', `msg/s vs ${base}`, `server CPU vs ${base}`]) {
    assert.ok(r.stdout.includes(column), column)
  }
  assert.match(r.stdout, /\| node +\| [\d,]+ +\|/)
  assert.match(r.stdout, new RegExp(`\\| ${base} +\\|.*\\| 1\\.00× +\\| 1\\.00× +\\|`))
  if (!haveEchoServe) assert.match(r.stderr, /^Error: io_uring: .*echo:serve not found/m)
})
