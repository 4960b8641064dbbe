// The grace period of a stop, with a client that sends and never reads its echo (so echo bytes stay
// pending and the grace runs its full length): the server waits without using the CPU, and a second
// SIGINT/SIGTERM ends the grace at once, closing what is pending (counted as aborted).
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'

import {connect, startServer} from './harness.js'

const ticks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return Number(fields[11]) + Number(fields[12]) // utime + stime
}

for (const backend of ['io_uring', 'epoll']) {
  test(`${backend}: a stop waiting out --grace sleeps, and a second signal ends the grace with the pending echo aborted`, {timeout: 90_000}, async () => {
    // A ten-minute grace: if the second signal did not end it, the test would time out.
    const server = await startServer(['--backend', backend, '--threads', '1', '--host', '127.0.0.1', '--grace', '600000', '--stats', '0.2'])
    const client = await connect(server.port)
    client.pause()
    client.write(Buffer.alloc(32 << 20))
    // The server has read more than the kernel's buffers on both sides can hold: echo bytes are pending.
    for (let after = 0; ; ) {
      const stats = await server.next('stats', after)
      after = server.events.indexOf(stats) + 1
      if (stats.errors.readPauses > 0) break
    }
    const pid = server.child.pid
    server.child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 300))
    const before = ticks(pid)
    const wall = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const used = ticks(pid) - before
    const elapsedTicks = ((Date.now() - wall) / 1000) * 100
    // A thread spinning through the grace would use every tick (epoll did, on its unread wake-up fd).
    assert.ok(used < elapsedTicks / 4, `${used} CPU ticks in ${Math.round(elapsedTicks)} ticks of waiting`)
    assert.equal(server.exit, null, 'still in its grace period')

    server.child.kill('SIGTERM')
    const summary = await server.next('summary')
    const exit = await server.exited
    client.destroy()
    assert.equal(exit.code, 0)
    assert.equal(summary.stopReason, 'signal')
    assert.equal(summary.errors.aborted, 1)
    assert.ok(summary.bytesIn > summary.bytesOut, 'bytes were still pending')
  })
}
