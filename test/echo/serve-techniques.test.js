// Each io_uring fallback path (as on an older kernel) and each optional technique echoes exactly:
// the techniques are switched off with the hidden --without flag on this kernel, which has them all.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {connect, prng, randomPayload, readBytes, startServer, writeInPieces} from './harness.js'

const variants = [
  {args: ['--without', 'multishot-accept,multishot-recv,buffer-ring'], features: ['accept', 'recv'], absent: ['buffer-ring']},
  {args: ['--without', 'multishot-recv'], features: ['buffer-ring', 'recv']},
  {args: ['--without', 'defer-taskrun,registered-ring-fd,sendmsg-batch'], features: ['coop-taskrun'], absent: ['defer-taskrun', 'registered-ring-fd']},
  {args: ['--without', 'defer-taskrun,coop-taskrun'], absent: ['defer-taskrun', 'coop-taskrun']},
  {args: ['--buffer-size', '4096'], features: ['recv-bundle', 'multishot-recv']},
  {args: ['--without', 'recv-bundle', '--batch-wait', '50'], features: ['batched-wait'], absent: ['recv-bundle']},
  {args: ['--buffers', '16', '--buffer-size', '1024'], features: ['buffer-ring']},
  {args: ['--sqpoll'], features: ['sqpoll']},
  {args: ['--backend', 'epoll', '--epoll-mode', 'edge'], features: ['edge-triggered']},
]

for (const {args, features = [], absent = []} of variants) {
  test(`echo serve ${args.join(' ')}: byte-exact, pipelined, half-closed`, {timeout: 90_000}, async () => {
    const server = await startServer(['--threads', '1', ...args])
    try {
      for (const f of features) assert.ok(server.listening.features.includes(f), `${f} in ${server.listening.features}`)
      for (const f of absent) assert.ok(!server.listening.features.includes(f), `${f} not in ${server.listening.features}`)
      const random = prng(args.length)
      const payloads = [1, 1000, 70000, 3 << 20].map((n) => randomPayload(random, n))
      await Promise.all(payloads.map(async (payload) => {
        const socket = await connect(server.port)
        const reading = readBytes(socket, Number.POSITIVE_INFINITY)
        await writeInPieces(socket, payload, random, 100000)
        socket.end()
        const echoed = await reading
        assert.equal(echoed.length, payload.length)
        assert.ok(echoed.equals(payload))
      }))
      // Many connections at once draw on the shared buffers (ENOBUFS with --buffers 16 re-arms).
      const many = await Promise.all(Array.from({length: 100}, () => connect(server.port)))
      await Promise.all(many.map(async (socket, i) => {
        const payload = randomPayload(prng(i), 20000)
        const reading = readBytes(socket, payload.length)
        socket.write(payload)
        assert.ok((await reading).equals(payload))
        socket.destroy()
      }))
    } finally {
      const summary = await server.stop()
      assert.equal(summary.errors.otherErrors, 0, `last error ${summary.lastError}`)
    }
  })
}

// Receive bundles start on a connection only once one receive has filled a whole buffer: its first,
// single-buffer multishot receive is cancelled and re-armed with bundles in the middle of the stream.
// Small echoes before, a bulk burst that switches it, small echoes after: every byte, in order.
test('io_uring: a connection that turns from small messages to bulk data and back stays byte-exact', {timeout: 90_000}, async () => {
  const server = await startServer(['--threads', '1', '--buffer-size', '4096'])
  try {
    assert.ok(server.listening.features.includes('recv-bundle'), `${server.listening.features}`)
    const random = prng(7)
    const socket = await connect(server.port)
    const roundTrip = async (payload) => {
      const reading = readBytes(socket, payload.length)
      await writeInPieces(socket, payload, random, 100000)
      const echoed = await reading
      assert.equal(echoed.length, payload.length)
      assert.ok(echoed.equals(payload))
    }
    for (let i = 0; i < 20; i++) await roundTrip(randomPayload(random, 1 + Math.floor(random() * 200)))
    await roundTrip(randomPayload(random, 2 << 20))
    for (let i = 0; i < 20; i++) await roundTrip(randomPayload(random, 1 + Math.floor(random() * 200)))
    await roundTrip(randomPayload(random, 300_000))
    socket.destroy()
  } finally {
    const summary = await server.stop()
    assert.equal(summary.errors.otherErrors, 0, `last error ${summary.lastError}`)
    assert.equal(summary.errors.aborted, 0)
  }
})
