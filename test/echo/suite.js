// The behaviour every backend must have, end to end over loopback: run by serve-<backend>.test.js.
import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'

import {connect, prng, randomPayload, readBytes, rssBytes, startServer, writeInPieces} from './harness.js'

/** Sends payload in random pieces while reading the echo; returns what came back. */
async function echoOnce(port, payload, random, maxWrite, host) {
  const socket = await connect(port, host)
  const reading = readBytes(socket, payload.length)
  await writeInPieces(socket, payload, random, maxWrite)
  const echoed = await reading
  socket.destroy()
  return echoed
}

export function backendSuite(backend, extraArgs = []) {
  describe(`echo serve --backend ${backend}`, () => {
    let server
    before(async () => {
      server = await startServer(['--backend', backend, '--threads', '2', ...extraArgs])
    })
    after(async () => {
      if (server && !server.exit) await server.stop()
    })

    test('the listening line names the backend, real port, pid and features', () => {
      const l = server.listening
      assert.equal(l.backend, backend)
      assert.equal(l.host, '0.0.0.0')
      assert.ok(l.port > 0 && l.port < 65536)
      assert.equal(l.pid, server.child.pid)
      assert.equal(l.threads, 2)
      assert.ok(Array.isArray(l.features) && l.features.length > 0)
    })

    test('echoes random payloads byte for byte, from 1 byte to 6 MiB, in random write sizes', {timeout: 60_000}, async () => {
      const seed = Date.now() & 0xffff
      const random = prng(seed)
      const sizes = [1, 2, 127, 4096, 65537, 1 << 20, 6 << 20]
      await Promise.all(sizes.map(async (size) => {
        const payload = randomPayload(random, size)
        const echoed = await echoOnce(server.port, payload, random, 256 * 1024)
        assert.ok(echoed.equals(payload), `size ${size} (seed ${seed}): got ${echoed.length} bytes, differing`)
      }))
    })

    test('keeps order under heavy pipelining of 1-byte writes', {timeout: 60_000}, async () => {
      const random = prng(7)
      const payload = randomPayload(random, 20000)
      const socket = await connect(server.port)
      socket.setNoDelay(true)
      const reading = readBytes(socket, payload.length)
      for (let i = 0; i < payload.length; i++) socket.write(payload.subarray(i, i + 1))
      assert.ok((await reading).equals(payload))
      socket.destroy()
    })

    test('serves 1200 connections at once', {timeout: 60_000}, async () => {
      const sockets = []
      try {
        for (let i = 0; i < 1200; i++) sockets.push(connect(server.port))
        const open = await Promise.all(sockets)
        const echoes = await Promise.all(open.map(async (socket, i) => {
          const message = Buffer.from(`connection ${i} says hello\n`)
          const reading = readBytes(socket, message.length)
          socket.write(message)
          return (await reading).equals(message)
        }))
        assert.equal(echoes.filter(Boolean).length, 1200)
        const stats = await server.next('stats', server.events.length)
        assert.ok(stats.connections >= 1200, `stats report ${stats.connections} connections`)
      } finally {
        for (const s of await Promise.allSettled(sockets)) s.value?.destroy()
      }
    })

    test('half-close: everything sent before the client shut its write side comes back, then EOF', {timeout: 60_000}, async () => {
      const payload = randomPayload(prng(11), 3 << 20)
      const socket = await connect(server.port)
      const reading = readBytes(socket, Number.POSITIVE_INFINITY)
      socket.end(payload)
      const echoed = await reading
      assert.equal(echoed.length, payload.length)
      assert.ok(echoed.equals(payload))
      await new Promise((resolve) => socket.once('close', resolve))
    })

    test('survives clients that reset their connections, and counts the resets', {timeout: 60_000}, async () => {
      const before = (await server.next('stats', server.events.length)).errors.resets
      for (let i = 0; i < 20; i++) {
        const socket = await connect(server.port)
        const reading = readBytes(socket, 1000)
        socket.write(Buffer.alloc(1000, i))
        await reading
        socket.pause()
        // Unread data, then an RST: the server's pending receive fails with ECONNRESET.
        socket.write(Buffer.alloc(100000, i))
        await new Promise((resolve) => setTimeout(resolve, 20))
        socket.resetAndDestroy()
      }
      const payload = randomPayload(prng(3), 100000)
      assert.ok((await echoOnce(server.port, payload, prng(4), 9000)).equals(payload), 'still echoing after resets')
      let stats
      do stats = await server.next('stats', server.events.length)
      while (stats.connections > 0)
      assert.ok(stats.errors.resets > before, `resets counted: ${stats.errors.resets}`)
    })

    test('a client that never reads cannot grow the server without bound', {timeout: 60_000}, async () => {
      const rssBefore = rssBytes(server.child.pid)
      const hog = await connect(server.port)
      hog.pause()
      const chunk = Buffer.alloc(1 << 20, 0x5a)
      let written = 0
      // Push until the server stops reading (no drain for a second) or 256 MiB, whichever first.
      while (written < 256 << 20) {
        if (hog.write(chunk)) {
          written += chunk.length
          continue
        }
        const drained = await Promise.race([
          new Promise((resolve) => hog.once('drain', () => resolve(true))),
          new Promise((resolve) => setTimeout(() => resolve(false), 1000)),
        ])
        if (!drained) break
        written += chunk.length
      }
      const grown = rssBytes(server.child.pid) - rssBefore
      assert.ok(written < 256 << 20, `the server kept reading all ${written} bytes`)
      assert.ok(grown < 64 << 20, `server RSS grew by ${grown} bytes`)
      const stats = await server.next('stats', server.events.length)
      assert.ok(stats.errors.readPauses >= 1)
      // Others are still served meanwhile.
      const payload = randomPayload(prng(5), 50000)
      assert.ok((await echoOnce(server.port, payload, prng(6), 5000)).equals(payload))
      hog.destroy()
    })

    test('IPv6 loopback', {timeout: 60_000}, async () => {
      const v6 = await startServer(['--backend', backend, '--host', '::1', '--threads', '1', ...extraArgs])
      try {
        assert.equal(v6.listening.host, '::1')
        const payload = randomPayload(prng(9), 200000)
        assert.ok((await echoOnce(v6.port, payload, prng(10), 30000, '::1')).equals(payload))
      } finally {
        await v6.stop()
      }
    })

    test('SIGINT stops it cleanly with a summary of what was echoed', {timeout: 60_000}, async () => {
      const own = await startServer(['--backend', backend, '--threads', '1', '--stats', '0', ...extraArgs])
      const payload = randomPayload(prng(12), 300000)
      for (let i = 0; i < 3; i++) assert.ok((await echoOnce(own.port, payload, prng(i), 20000)).equals(payload))
      // Accepted for sure (it echoed once), then idle when the signal comes.
      const idle = await connect(own.port)
      const hello = readBytes(idle, 5)
      idle.write('hello')
      await hello
      idle.resume()
      const closedByServer = new Promise((resolve) => idle.once('close', resolve))
      const summary = await own.stop('SIGINT')
      assert.equal(own.exit.code, 0)
      assert.equal(summary.backend, backend)
      assert.equal(summary.stopReason, 'signal')
      assert.equal(summary.connectionsServed, 4)
      assert.equal(summary.bytesIn, 3 * payload.length + 5)
      assert.equal(summary.bytesOut, 3 * payload.length + 5)
      assert.ok(summary.messages >= 3)
      assert.equal(typeof summary.errors.resets, 'number')
      await closedByServer
    })
  })
}
