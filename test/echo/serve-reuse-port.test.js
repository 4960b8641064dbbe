// --reuse-port: several echo serve processes share one port (SO_REUSEPORT across processes) and the kernel
// spreads connections over them; without the flag a held port is still refused with exit 3.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {startServer} from './harness.js'

for (const backend of ['io_uring', 'epoll']) {
  test(`${backend}: two servers with --reuse-port share one port; both accept, every byte is echoed`, {timeout: 120_000}, async () => {
    const flags = ['--reuse-port', '--threads', '1', '--backend', backend, '--host', '127.0.0.1']
    const first = await startServer(flags)
    let second
    try {
      second = await startServer(flags, {port: first.port})
      assert.equal(second.port, first.port)
      const refused = await runCli(['echo', 'serve', '--host', '127.0.0.1', '--port', String(first.port), '--backend', backend, '--json'])
      assert.equal(refused.code, 3, 'without --reuse-port a shared port is still in use')
      assert.equal(refused.json().error.code, 'ADDRESS_IN_USE')
      assert.match(refused.json().error.message, /--reuse-port/)
      // 64 connections: the kernel's hash sends all of them to one of two listeners with odds of 2^-63.
      const bench = await runCli(['echo', 'bench', '--host', '127.0.0.1', '--port', String(first.port), '--connections', '64', '--duration', '1', '--warmup', '0', '--json'])
      assert.equal(bench.code, 0, bench.stderr)
      const measured = bench.json()
      assert.ok(measured.messages > 0)
      assert.equal(measured.target.destinations[0].established, 64)
      const summaries = [await first.stop(), await second.stop()]
      second = undefined
      for (const summary of summaries) {
        assert.ok(summary.connectionsServed > 0, `each server accepted connections: ${summaries.map((s) => s.connectionsServed)}`)
        assert.equal(summary.bytesOut, summary.bytesIn)
      }
      assert.equal(summaries[0].connectionsServed + summaries[1].connectionsServed, 64)
    } finally {
      if (second) await second.stop()
      if (first.exit === null) await first.stop()
    }
  })
}

test('--reuse-port on a port held by a server without it: exit 3 naming the holder that does not share', {timeout: 90_000}, async () => {
  const holder = await startServer(['--threads', '1', '--host', '127.0.0.1'])
  try {
    const r = await runCli(['echo', 'serve', '--reuse-port', '--host', '127.0.0.1', '--port', String(holder.port)])
    assert.equal(r.code, 3)
    assert.match(r.stderr, /held by a process that does not share it \(started without --reuse-port, or by another user\) \(EADDRINUSE\)/)
    assert.equal(r.stderr.trim().split('\n').length, 1)
  } finally {
    await holder.stop()
  }
})
