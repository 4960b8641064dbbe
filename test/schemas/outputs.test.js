// Every command's --json output, from real runs, is valid against its schema in schemas/ (ajv, strict:
// no key the schema does not name), and the schemas are the ones generated from the result types.
import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {describe, test} from 'node:test'

import {root, runCli} from '../helpers/cli.js'
import {assertSchema, schemaErrors} from '../helpers/schemas.js'
import {startServer} from '../echo/harness.js'

/** Runs `uringctl ...args --json` and returns its parsed stdout, whatever the exit code. */
async function jsonOf(args) {
  const result = await runCli([...args, '--json'], {timeoutMs: 120_000})
  assert.notEqual(result.stdout, '', `${args.join(' ')} printed nothing: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

test('schemas/ are what `npm run schemas` generates from the result types', {timeout: 180_000}, () => {
  const result = spawnSync(process.execPath, ['scripts/schemas.js', '--check'], {cwd: root, encoding: 'utf8'})
  assert.equal(result.status, 0, result.stderr)
})

describe('probe --json', () => {
  for (const args of [['probe'], ['probe', '--functional'], ['probe', '--no-such-flag']]) {
    test(args.join(' '), {timeout: 120_000}, async () => assertSchema('probe', await jsonOf(args)))
  }
})

describe('ulimit --json', () => {
  for (const args of [['ulimit'], ['ulimit', '--connections', '10000'], ['ulimit', '--connections', '5000', '--role', 'client', '--require', 'nofile>=99999999'], ['ulimit', '--self']]) {
    test(args.join(' '), async () => assertSchema('ulimit', await jsonOf(args)))
  }

  test('ulimit --pid PID --nofile SOFT:HARD (a child of this test)', async () => {
    const child = spawn('sleep', ['60'])
    try {
      const output = await jsonOf(['ulimit', '--pid', String(child.pid), '--nofile', '1000:2000'])
      assert.equal(output.change.after.soft, 1000)
      assertSchema('ulimit', output)
    } finally {
      child.kill()
    }
  })

  test('"unlimited" stands for Infinity wherever a limit is a number', () => {
    const output = {schemaVersion: 1, target: {}, change: {resource: 'memlock', pid: 1, requested: {soft: 'unlimited'}, before: {soft: 'unlimited', hard: 'unlimited'}, after: {soft: 'unlimited', hard: 'unlimited'}}}
    const errors = schemaErrors('ulimit', output, 'UlimitChange')
    assert.ok(!errors.some((e) => e.startsWith('/change/before')), errors.join('\n'))
  })
})

describe('tcp-data-split check --json', () => {
  for (const args of [['tcp-data-split', 'check'], ['tcp-data-split', 'check', 'lo', '--zcrx'], ['tcp-data-split', 'check', 'nosuch0']]) {
    test(args.join(' '), async () => assertSchema('tcp-data-split-check', await jsonOf(args)))
  }
})

describe('echo serve and echo bench --json', () => {
  test('every NDJSON event of a server with --metrics, SIGUSR1 and load; bench reports against it', {timeout: 180_000}, async () => {
    const server = await startServer(['--host', '127.0.0.1', '--threads', '2', '--stats', '1', '--metrics', '127.0.0.1:0'])
    try {
      server.child.kill('SIGUSR1')
      await server.next('stats')
      const target = ['echo', 'bench', '--host', '127.0.0.1', '--port', String(server.port), '--duration', '1', '--connections', '4']
      assertSchema('echo-bench', await jsonOf(target), 'BenchReport')
      assertSchema('echo-bench', await jsonOf([...target, '--rate', '2000', '--server-pid', String(server.child.pid)]), 'BenchReport')
      assertSchema('echo-bench', await jsonOf([...target, '--pipeline', '0']))
    } finally {
      await server.stop()
    }
    assert.deepEqual([...new Set(server.events.map((e) => e.event))], ['listening', 'stats', 'summary'])
    for (const event of server.events) assertSchema('echo-serve', event)
  })

  test('echo serve errors: a port in use', {timeout: 90_000}, async () => {
    const server = await startServer(['--threads', '1'])
    try {
      const output = await jsonOf(['echo', 'serve', '--port', String(server.port)])
      assert.equal(output.error.code, 'ADDRESS_IN_USE')
      assertSchema('echo-serve', output)
    } finally {
      await server.stop()
    }
  })

  test('echo bench --compare, and a bench that cannot connect', {timeout: 180_000}, async () => {
    const compare = await jsonOf(['echo', 'bench', '--compare', '--duration', '1', '--warmup', '0', '--connections', '4'])
    assert.equal(compare.runs.length, 2)
    assertSchema('echo-bench', compare, 'CompareReport')
    const refused = await jsonOf(['echo', 'bench', '--host', '127.0.0.1', '--port', '1', '--duration', '1'])
    assertSchema('echo-bench', refused, 'ErrorOutput')
  })

  test('the serve schema is strict: an unknown key, a missing time or a time not in ISO 8601 is refused', () => {
    const stats = {event: 'stats', schemaVersion: 1, time: '2026-11-30T23:52:31.690Z', seconds: 1, connections: 0, messagesPerSec: 0, bytesPerSec: 0, totals: {accepted: 0, closed: 0, messages: 0, bytesIn: 0, bytesOut: 0}, errors: {}}
    const {errors: _errors, ...withoutErrors} = stats
    assert.notDeepEqual(schemaErrors('echo-serve', withoutErrors), [])
    const valid = (event) => schemaErrors('echo-serve', event).length === 0
    const listening = {event: 'listening', schemaVersion: 1, time: '2026-11-30T23:52:31.690Z', seconds: 0, backend: 'epoll', host: '::1', port: 1, pid: 1, threads: 1, features: [], metrics: null}
    assert.ok(valid(listening), schemaErrors('echo-serve', listening).join('\n'))
    assert.ok(!valid({...listening, extra: 1}))
    assert.ok(!valid({...listening, time: 'yesterday'}))
    assert.ok(!valid({...listening, schemaVersion: 2}))
    const {time: _time, ...untimed} = listening
    assert.ok(!valid(untimed))
  })
})
