// Thread creation failure (EAGAIN under RLIMIT_NPROC) is a documented exit with one line, never an abort
// from a C++ exception crossing into Node: `echo serve` exits 7, `echo bench` exits 9.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {startServer, whileIoUringDisabledElsewhere} from './harness.js'

// RLIMIT_NPROC counts every thread of a real uid and binds only without CAP_SYS_RESOURCE/CAP_SYS_ADMIN:
// a uid of its own (nothing else runs as it) under a limit Node fits in but 64 more threads do not.
const uid = '61234'
const limited = {
  wrap: ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', 'prlimit', '--nproc=30', '--'],
  env: {HOME: '/nonexistent'},
  timeoutMs: 60_000,
}
const asRoot = {skip: process.getuid() !== 0 && 'needs root to switch user'}
const noStack = (text) => assert.doesNotMatch(text, /\n\s+at |terminate called|Aborted/)

for (const backend of ['io_uring', 'epoll']) {
  test(`echo serve --backend ${backend} --threads 64 under a process limit: exit 7, one line`, asRoot, async () => {
    await whileIoUringDisabledElsewhere()
    const r = await runCli(['echo', 'serve', '--backend', backend, '--threads', '64', '--port', '0', '--duration', '1'], limited)
    assert.equal(r.signal, null, r.stderr)
    assert.equal(r.code, 7, r.stderr)
    assert.match(r.stderr, /^Error: cannot start 64 engine threads \(EAGAIN, \d+ of 64 threads started\); lower --threads, or raise the process limit \(ulimit -u\)/)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.equal(r.stdout, '')
    noStack(r.stderr)

    const json = await runCli(['echo', 'serve', '--backend', backend, '--threads', '64', '--port', '0', '--duration', '1', '--json'], limited)
    assert.equal(json.code, 7, json.stderr)
    assert.equal(json.json().error.code, 'RESOURCES')
  })
}

test('echo bench --threads 64 under a process limit: exit 9, one line, even with a server listening', asRoot, async () => {
  await whileIoUringDisabledElsewhere()
  const server = await startServer(['--backend', 'epoll', '--threads', '1', '--host', '127.0.0.1'])
  try {
    for (const client of ['epoll', 'io_uring']) {
      const r = await runCli(['echo', 'bench', '--port', String(server.port), '--threads', '64', '--connections', '64', '--messages', '640', '--client-backend', client], limited)
      assert.equal(r.signal, null, r.stderr)
      assert.equal(r.code, 9, `${client}: ${r.stderr}`)
      assert.match(r.stderr, /^Error: could not start 64 load generator threads \(EAGAIN, \d+ started\): lower --threads, or raise the process limit \(ulimit -u\)/)
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
      noStack(r.stderr)
    }
    const json = await runCli(['echo', 'bench', '--port', String(server.port), '--threads', '64', '--connections', '64', '--messages', '640', '--json'], limited)
    assert.equal(json.code, 9, json.stderr)
    assert.equal(json.json().error.code, 'RESOURCES')
  } finally {
    await server.stop()
  }
})

test('the stats and the summary list engine threads that gave up (none here)', async () => {
  await whileIoUringDisabledElsewhere()
  const server = await startServer(['--threads', '2', '--host', '127.0.0.1', '--stats', '1'])
  const stats = await server.next('stats')
  const summary = await server.stop()
  assert.equal(stats.errors.threadsFailed, 0)
  assert.equal(summary.errors.threadsFailed, 0)
})
