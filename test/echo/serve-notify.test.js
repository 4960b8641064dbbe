// systemd's notify protocol, against a real unix datagram socket standing in for systemd: READY=1 once
// listening, STATUS= on each stats tick, WATCHDOG=1 at half of WATCHDOG_USEC, STOPPING=1 at SIGTERM.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {test} from 'node:test'

import {connect, readBytes, startServer} from './harness.js'

/** Binds the notify socket; `messages` collects each datagram as it arrives. */
async function notifySocket(path) {
  const child = spawn('python3', [join(import.meta.dirname, '..', 'helpers', 'notify-socket.py'), path], {stdio: ['ignore', 'pipe', 'inherit']})
  const socket = {messages: [], waiters: [], stop: () => child.kill('SIGKILL')}
  const bound = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`notify socket helper exited ${code}`)))
    createInterface({input: child.stdout}).on('line', (line) => {
      const value = JSON.parse(line)
      if (typeof value === 'object') return resolve()
      socket.messages.push(value)
      for (const w of socket.waiters.splice(0)) w()
    })
  })
  /** Resolves with the first datagram (after index `from`) that `match` accepts. */
  socket.next = (match, from = 0) => new Promise((resolve) => {
    const check = () => {
      const found = socket.messages.slice(from).find(match)
      if (found !== undefined) return resolve(found)
      socket.waiters.push(check)
    }
    check()
  })
  await bound
  return socket
}

for (const kind of ['path', 'abstract']) {
  test(`NOTIFY_SOCKET (${kind}): READY=1 when accepting, STATUS= each tick, WATCHDOG=1, STOPPING=1 at SIGTERM`, {timeout: 90_000}, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'uringctl-notify-'))
    const path = kind === 'path' ? join(dir, 'notify.sock') : `@uringctl-test-notify-${process.pid}`
    const systemd = await notifySocket(path)
    let server
    try {
      server = await startServer(['--host', '127.0.0.1', '--threads', '2', '--stats', '1'], {env: {NOTIFY_SOCKET: path, WATCHDOG_USEC: '400000'}})
      const ready = await systemd.next((m) => m.includes('READY=1'))
      assert.equal(systemd.messages[0], ready, 'READY=1 is the first message')
      const fields = Object.fromEntries(ready.split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)))
      assert.equal(fields.MAINPID, String(server.child.pid))
      assert.equal(fields.STATUS, `listening on 127.0.0.1:${server.port} (io_uring, 2 threads)`)
      // Ready means accepting: an echo works right away.
      const socket = await connect(server.port, '127.0.0.1')
      const echoed = readBytes(socket, 5)
      socket.write('hello')
      assert.equal(String(await echoed), 'hello')
      socket.destroy()
      const status = await systemd.next((m) => /^STATUS=\d+ connections · /.test(m))
      assert.doesNotMatch(status, /\n/, 'one line')
      await systemd.next((m) => m === 'WATCHDOG=1')
      const before = systemd.messages.length
      const summary = await server.stop('SIGTERM')
      assert.equal(summary.stopReason, 'signal')
      assert.match(await systemd.next((m) => m.startsWith('STOPPING=1'), before), /^STOPPING=1\nSTATUS=stopping$/)
      assert.equal(server.exit.code, 0)
    } finally {
      if (server && !server.exit) await server.stop()
      systemd.stop()
      rmSync(dir, {recursive: true, force: true})
    }
  })
}

test('WATCHDOG_PID of another process: no watchdog pings; an unreachable NOTIFY_SOCKET: one warning, the server runs', {timeout: 90_000}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uringctl-notify-'))
  const path = join(dir, 'notify.sock')
  const systemd = await notifySocket(path)
  try {
    const server = await startServer(['--stats', '1'], {env: {NOTIFY_SOCKET: path, WATCHDOG_USEC: '100000', WATCHDOG_PID: '1'}})
    await systemd.next((m) => m.includes('READY=1'))
    // Three stats ticks: at 50 ms a watchdog ping would have come 60 times by now.
    await server.next('stats')
    await systemd.next((m) => m.startsWith('STATUS='), 1)
    const index = systemd.messages.length
    await systemd.next((m) => m.startsWith('STATUS='), index)
    assert.ok(!systemd.messages.includes('WATCHDOG=1'), systemd.messages.join(' | '))
    await server.stop()

    const lost = await startServer(['--stats', '1'], {env: {NOTIFY_SOCKET: join(dir, 'nobody-listens.sock')}})
    await lost.next('stats')
    await lost.next('stats', lost.events.indexOf(await lost.next('stats')) + 1)
    const summary = await lost.stop()
    assert.equal(lost.exit.code, 0)
    assert.equal(summary.event, 'summary')
    assert.equal(lost.stderr.trim().split('\n').length, 1, lost.stderr)
    assert.match(lost.stderr, /^warning: cannot notify systemd at NOTIFY_SOCKET=.*nobody-listens\.sock \(ENOENT\)/)
  } finally {
    systemd.stop()
    rmSync(dir, {recursive: true, force: true})
  }
})
