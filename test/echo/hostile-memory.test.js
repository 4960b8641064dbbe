// Hostile clients against the server's memory, on both backends: clients that send and never read,
// an allocation failure under a data limit, and memory given back once the attackers are gone.
// Every assertion is on bytes (the server's own counters) or on memory (/proc/PID), never on time.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'

import {connect, prng, randomPayload, readBytes, rssBytes, startServer} from './harness.js'

const MiB = 1 << 20
// Under npm run test:sanitize (an ASan build) memory is not the allocator's to give back (ASan keeps
// freed blocks in quarantine and reports a failed allocation as an error): these tests measure the
// real allocator only.
const sanitized = Boolean(process.env.URINGCTL_TEST_ADDON)
const skip = sanitized ? 'memory figures and allocation failures are the sanitizer allocator\'s under AddressSanitizer' : false
const bufferSize = 16384

/** Echoes `payload` on a fresh connection and returns what came back. */
async function echo(port, payload) {
  const socket = await connect(port)
  const reading = readBytes(socket, payload.length)
  socket.write(payload)
  const echoed = await reading
  socket.destroy()
  return echoed
}

/**
 * A client that sends and never reads: pushes 1 MiB writes until the server stops taking them (no
 * drain for a second) or `limit` bytes. Resolves with the socket (still open) and what it wrote.
 */
async function neverReader(port, limit = 64 * MiB) {
  const socket = await connect(port)
  socket.pause()
  const chunk = Buffer.alloc(MiB, 0x5a)
  let written = 0
  while (written < limit && !socket.destroyed) {
    if (!socket.write(chunk)) {
      const drained = await Promise.race([
        new Promise((resolve) => socket.once('drain', () => resolve(true))),
        new Promise((resolve) => socket.once('close', () => resolve(false))),
        new Promise((resolve) => setTimeout(() => resolve(false), 1000)),
      ])
      if (!drained) break
    }
    written += chunk.length
  }
  return {socket, written}
}

/** The next stats event whose totals stop moving (two in a row with the same bytesIn and bytesOut). */
async function settledStats(server) {
  let previous = await server.next('stats', server.events.length)
  for (;;) {
    const stats = await server.next('stats', server.events.length)
    if (stats.totals.bytesIn === previous.totals.bytesIn && stats.totals.bytesOut === previous.totals.bytesOut) return stats
    previous = stats
  }
}

/** Waits for a stats event with no open connection left. */
async function noConnectionsLeft(server) {
  for (;;) {
    const stats = await server.next('stats', server.events.length)
    if (stats.connections === 0) return stats
  }
}

/**
 * A client that sends `size` bytes, reads nothing for a while, then reads its echo back: the server
 * holds up to --max-pending for it and frees it all again (as a busy server does before any attack).
 */
async function slowReader(port, size) {
  const payload = randomPayload(prng(size), size)
  const socket = await connect(port)
  socket.pause()
  socket.write(payload)
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const reading = readBytes(socket, size)
  socket.resume()
  const echoed = await reading
  socket.destroy()
  assert.ok(echoed.equals(payload), 'the slow reader gets its bytes back')
}

function vmData(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(status.match(/^VmData:\s+(\d+) kB/m)[1]) * 1024
}

for (const backend of ['io_uring', 'epoll']) {
  describe(`echo serve --backend ${backend} against hostile clients' memory`, () => {
    test('never-reading clients: each holds at most --max-pending plus one receive buffer, and RSS grows by about what is held', {timeout: 180_000}, async () => {
      const clients = 24
      const maxPending = 2 * MiB
      const buffers = 1024
      const ringArgs = backend === 'io_uring' ? ['--buffers', String(buffers)] : []
      const server = await startServer(['--backend', backend, '--threads', '1', '--max-pending', String(maxPending), '--buffer-size', String(bufferSize), ...ringArgs])
      try {
        await slowReader(server.port, 8 * MiB)
        const before = await settledStats(server)
        const rssBefore = rssBytes(server.child.pid)
        const hogs = await Promise.all(Array.from({length: clients}, () => neverReader(server.port)))
        const stats = await settledStats(server)
        const held = (stats.totals.bytesIn - stats.totals.bytesOut) - (before.totals.bytesIn - before.totals.bytesOut)
        const grown = rssBytes(server.child.pid) - rssBefore
        const perClient = held / clients
        // Bounded: never more than the limit plus one receive buffer per client...
        assert.ok(perClient <= maxPending + bufferSize, `held ${perClient} bytes per client, limit ${maxPending} + ${bufferSize}`)
        // ...and really pushed to it (the bound above is not vacuous).
        assert.ok(perClient >= maxPending / 2, `held only ${perClient} bytes per client`)
        assert.ok(stats.errors.readPauses >= clients, `readPauses ${stats.errors.readPauses}`)
        // Memory follows the bytes held: no doubling of buffer capacity. (io_uring's shared receive
        // buffers, --buffers x --buffer-size, are a fixed cost that a burst may touch for the first time.)
        const ring = backend === 'io_uring' ? buffers * bufferSize : 0
        if (!sanitized) assert.ok(grown <= held * 1.1 + ring + 4 * MiB, `RSS grew by ${grown} bytes for ${held} bytes held`)
        // A good client is still echoed byte for byte meanwhile.
        const other = randomPayload(prng(22), 300_000)
        assert.ok((await echo(server.port, other)).equals(other))
        for (const h of hogs) h.socket.destroy()
      } finally {
        await server.stop()
      }
    })

    test('an allocation failure closes that connection only, counted as allocFailures; the server and a good client go on', {timeout: 180_000, skip}, async () => {
      // The server's own data limit (prlimit on the child only): its pending bytes run out of memory
      // long before the clients below stop sending.
      const probe = await startServer(['--backend', backend, '--threads', '1'])
      const baseline = vmData(probe.child.pid)
      await probe.stop()
      const limit = baseline + 96 * MiB
      const server = await startServer(['--backend', backend, '--threads', '1', '--max-pending', String(16 * MiB)], {wrap: ['prlimit', `--data=${limit}`]})
      const hogs = []
      try {
        const payload = randomPayload(prng(23), 200_000)
        assert.ok((await echo(server.port, payload)).equals(payload))
        let stats
        for (let wave = 0; wave < 4; wave++) {
          hogs.push(...await Promise.all(Array.from({length: 8}, () => neverReader(server.port, 48 * MiB))))
          stats = await settledStats(server)
          if (stats.errors.allocFailures > 0) break
        }
        assert.ok(stats.errors.allocFailures >= 1, `no allocation failed: ${JSON.stringify(stats.errors)}`)
        assert.equal(server.exit, null, 'the server is still running')
        // The connections that could not be given memory were closed; the good client is served.
        assert.ok(stats.totals.closed >= stats.errors.allocFailures)
        for (const h of hogs.splice(0)) h.socket.destroy()
        await noConnectionsLeft(server)
        for (let i = 0; i < 3; i++) {
          const other = randomPayload(prng(24 + i), 1 << 20)
          assert.ok((await echo(server.port, other)).equals(other), `echo ${i} after the allocation failures`)
        }
        const summary = await server.stop()
        assert.equal(server.exit.code, 0)
        assert.ok(summary.errors.allocFailures >= 1, 'the summary counts them')
      } finally {
        for (const h of hogs) h.socket.destroy()
        if (!server.exit) await server.stop()
      }
    })

    test('memory is given back after waves of never-reading clients', {timeout: 180_000, skip}, async () => {
      // A small buffer ring (1 MiB) so that the ring's own pages, touched once, stay a small part of RSS.
      const ringArgs = backend === 'io_uring' ? ['--buffers', '64'] : []
      const server = await startServer(['--backend', backend, '--threads', '1', '--max-pending', String(2 * MiB), ...ringArgs])
      try {
        const payload = randomPayload(prng(25), 100_000)
        await slowReader(server.port, 8 * MiB)
        await noConnectionsLeft(server)
        const baseline = rssBytes(server.child.pid)
        let peak = 0
        for (let wave = 0; wave < 3; wave++) {
          const hogs = await Promise.all(Array.from({length: 24}, () => neverReader(server.port)))
          await settledStats(server)
          peak = Math.max(peak, rssBytes(server.child.pid) - baseline)
          for (const h of hogs) h.socket.destroy()
          await noConnectionsLeft(server)
        }
        await settledStats(server)
        const left = rssBytes(server.child.pid) - baseline
        assert.ok(peak >= 24 * MiB, `the waves grew RSS by only ${peak} bytes`)
        assert.ok(left <= 8 * MiB, `RSS stayed ${left} bytes above its baseline after the waves (peak +${peak})`)
        assert.ok((await echo(server.port, payload)).equals(payload))
      } finally {
        await server.stop()
      }
    })
  })
}
