// What bad input and bad conditions get: one line, a documented exit code, nothing left running.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'

import {root, runCli} from '../helpers/cli.js'
import {connect, readBytes, startServer} from './harness.js'

const noStack = (text) => assert.doesNotMatch(text, /\n\s+at /)

test('a port already in use: exit 3 and one line, also under --json', {timeout: 30_000}, async () => {
  const first = await startServer(['--threads', '1'])
  try {
    const human = await runCli(['echo', 'serve', '--port', String(first.port)])
    assert.equal(human.code, 3)
    assert.match(human.stderr, /already in use \(EADDRINUSE\).*--port/)
    assert.equal(human.stderr.trim().split('\n').length, 1)
    const json = await runCli(['echo', 'serve', '--port', String(first.port), '--backend', 'epoll', '--json'])
    assert.equal(json.code, 3)
    assert.equal(json.json().error.code, 'ADDRESS_IN_USE')
  } finally {
    await first.stop()
  }
})

test('an address that is not this machine\'s, or not an address: exit 5', {timeout: 30_000}, async () => {
  const foreign = await runCli(['echo', 'serve', '--host', '192.0.2.1', '--port', '0'])
  assert.equal(foreign.code, 5)
  assert.match(foreign.stderr, /EADDRNOTAVAIL/)
  const garbage = await runCli(['echo', 'serve', '--host', 'no such host!', '--json'])
  assert.equal(garbage.code, 5)
  assert.equal(garbage.json().error.code, 'BAD_ADDRESS')
  noStack(foreign.stderr + garbage.stderr)
})

test('a privileged port as an unprivileged user: exit 4', {timeout: 30_000, skip: process.getuid() !== 0 && 'needs root to switch user'}, async () => {
  const r = await runCli(['echo', 'serve', '--port', '80', '--host', '127.0.0.1'], {
    wrap: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all'],
    env: {HOME: '/tmp'},
  })
  assert.equal(r.code, 4)
  assert.match(r.stderr, /permission denied \(EACCES\)/)
})

test('bad flag values are usage errors (exit 2)', async () => {
  assert.equal((await runCli(['echo', 'serve', '--buffers', '1000'])).code, 2)
  assert.equal((await runCli(['echo', 'serve', '--port', '70000'])).code, 2)
  assert.equal((await runCli(['echo', 'serve', '--backend', 'select'])).code, 2)
})

test('io_uring blocked by seccomp: exit 6 naming the cause and --backend epoll, which then works', {timeout: 30_000}, async () => {
  const dir = join(root, 'test', '.tmp')
  mkdirSync(dir, {recursive: true})
  const helper = join(dir, 'no-io-uring')
  execFileSync('cc', ['-O2', '-o', helper, join(root, 'test', 'native', 'no-io-uring.c')])
  const r = await runCli(['echo', 'serve', '--port', '0'], {wrap: [helper]})
  assert.equal(r.code, 6)
  assert.match(r.stderr, /io_uring is unavailable: blocked by a seccomp filter .*--backend epoll/)
  noStack(r.stderr)
  const epoll = await startServer(['--backend', 'epoll', '--threads', '1'], {wrap: [helper]})
  const socket = await connect(epoll.port)
  const reading = readBytes(socket, 4)
  socket.write('ping')
  assert.equal(String(await reading), 'ping')
  socket.destroy()
  await epoll.stop()
})

for (const backend of ['io_uring', 'epoll']) {
  test(`${backend}: --max-conns refuses connections beyond the cap and counts them`, {timeout: 30_000}, async () => {
    const server = await startServer(['--backend', backend, '--threads', '1', '--max-conns', '2'])
    const kept = [await connect(server.port), await connect(server.port)]
    for (const s of kept) {
      const r = readBytes(s, 2)
      s.write('ok')
      assert.equal(String(await r), 'ok')
    }
    const third = await connect(server.port)
    const closed = readBytes(third, 1).catch(() => Buffer.alloc(0))  // EOF, or a reset if 'x' arrived first
    third.write('x')
    assert.equal((await closed).length, 0, 'the third connection is closed without an echo')
    for (const s of [...kept, third]) s.destroy()
    const summary = await server.stop()
    assert.equal(summary.errors.rejected, 1)
  })

  test(`${backend}: --idle-timeout closes silent connections`, {timeout: 30_000}, async () => {
    const server = await startServer(['--backend', backend, '--threads', '1', '--idle-timeout', '1'])
    const socket = await connect(server.port)
    socket.resume()
    await new Promise((resolve) => socket.once('close', resolve))
    const summary = await server.stop()
    assert.equal(summary.errors.idleTimeouts, 1)
  })

  test(`${backend}: EMFILE on accept backs off, warns once per burst, and recovers`, {timeout: 60_000}, async () => {
    // The server's own fd limit is lowered (prlimit on the child only): nothing host-wide changes.
    const server = await startServer(['--backend', backend, '--threads', '1', '--stats', '1'], {wrap: ['prlimit', '--nofile=60:60']})
    const sockets = []
    try {
      for (let i = 0; i < 80; i++) sockets.push(await connect(server.port))
      let stats
      do stats = await server.next('stats', server.events.length)
      while (stats.errors.acceptFdLimit === 0)
      assert.equal(stats.errors.acceptFdLimitBursts, 1)
      const served = stats.totals.accepted
      assert.ok(served < 80, `accepted ${served} of 80 under a 60-fd limit`)
      // A spinning accept loop would count millions of failures; backoff keeps it to a handful.
      const later = await server.next('stats', server.events.length)
      assert.ok(later.errors.acceptFdLimit < 1000, `${later.errors.acceptFdLimit} accept failures`)
      // Free plenty of fds: every waiting connection is taken and served.
      for (const s of sockets.splice(0, 60)) s.destroy()
      const last = sockets.at(-1)
      const r = readBytes(last, 4)
      last.write('back')
      assert.equal(String(await r), 'back')
      assert.equal(server.stderr.match(/open-file limit/g)?.length, 1, server.stderr)
    } finally {
      for (const s of sockets) s.destroy()
      await server.stop()
    }
  })

  test(`${backend}: --duration stops by itself; without --json a ready line and a summary table`, {timeout: 30_000}, async () => {
    const r = await runCli(['echo', 'serve', '--backend', backend, '--port', '0', '--threads', '1', '--duration', '1'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^listening on 0\\.0\\.0\\.0:\\d+ \\(${backend}, 1 thread\\)\\n`))
    assert.match(r.stdout, /summary \(.*stopped by duration\)/)
    assert.match(r.stdout, /connections served/)
  })

  test(`${backend}: --json stats lines carry rates, totals and errors`, {timeout: 30_000}, async () => {
    const server = await startServer(['--backend', backend, '--threads', '1', '--stats', '1'])
    const socket = await connect(server.port)
    const r = readBytes(socket, 3)
    socket.write('abc')
    await r
    const stats = await server.next('stats', server.events.length)
    for (const key of ['seconds', 'connections', 'messagesPerSec', 'bytesPerSec']) assert.equal(typeof stats[key], 'number', key)
    assert.equal(stats.connections, 1)
    assert.deepEqual(Object.keys(stats.totals), ['accepted', 'closed', 'messages', 'bytesIn', 'bytesOut'])
    assert.equal(stats.totals.bytesIn, 3)
    assert.equal(typeof stats.errors.resets, 'number')
    socket.destroy()
    await server.stop()
  })
}
