// Hostile clients against both backends: slowloris (with and without --idle-timeout), a connect-and-reset
// flood, fd exhaustion under a low nofile, clients killed mid-transfer and SIGTERM mid-transfer. During
// each, a good client keeps getting byte-exact echoes; afterwards the server holds no more connections,
// fds or memory than the attack's bounds. Every attack is bounded in count; assertions are on bytes,
// counters, fds and memory, never on time. (Never-reading clients have their own tests.)
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {once} from 'node:events'
import {describe, test} from 'node:test'

import {connect, prng, randomPayload, readBytes, rssBytes, startServer, writeInPieces} from './harness.js'

const MiB = 1 << 20

/** A good client echoing random payloads on one connection until stopped; every echo must match exactly. */
function goodClient(port, seed) {
  let stop = false
  const random = prng(seed)
  const done = (async () => {
    const socket = await connect(port, '127.0.0.1')
    let rounds = 0
    let bytes = 0
    try {
      while (!stop || rounds === 0) {
        const payload = randomPayload(random, 1 + Math.floor(random() * 65536))
        const echo = readBytes(socket, payload.length)
        await writeInPieces(socket, payload, random, 16384)
        const got = await echo
        assert.ok(got.equals(payload), `good client round ${rounds} (seed ${seed}): ${got.length} of ${payload.length} bytes, differing`)
        rounds++
        bytes += payload.length
      }
    } finally {
      socket.destroy()
    }
    return {rounds, bytes}
  })()
  return {
    async stop() {
      stop = true
      return done
    },
  }
}

const fdCount = (pid) => readdirSync(`/proc/${pid}/fd`).length

/** Waits for stats in which the server holds at most `connections` connections; returns them. */
async function settled(server, connections) {
  let stats
  do stats = await server.next('stats', server.events.length)
  while (stats.connections > connections)
  return stats
}

/** Fresh connections, `count` at a time in parallel; resolves once all are connected. */
async function connectMany(port, count) {
  const sockets = []
  for (let i = 0; i < count; i += 100) {
    sockets.push(...(await Promise.all(Array.from({length: Math.min(100, count - i)}, () => connect(port, '127.0.0.1')))))
  }
  return sockets
}

for (const backend of ['io_uring', 'epoll']) {
  describe(`hostile clients, --backend ${backend}`, {timeout: 120_000}, () => {
    test('slowloris without --idle-timeout: 200 trickling connections are each echoed exactly and cost little', async (t) => {
      const server = await startServer(['--backend', backend, '--threads', '1', '--stats', '1', '--host', '127.0.0.1'])
      try {
        await settled(server, 0)
        const rssBefore = rssBytes(server.child.pid)
        const fdsBefore = fdCount(server.child.pid)
        const good = goodClient(server.port, 11)
        const sockets = await connectMany(server.port, 200)
        const sent = sockets.map(() => [])
        const echoes = sockets.map((s) => readBytes(s, 20))
        // 20 rounds of one byte per connection: the server sees 4000 one-byte messages, never a full request.
        for (let round = 0; round < 20; round++) {
          sockets.forEach((s, i) => {
            const byte = Buffer.from([(i * 31 + round) & 0xff])
            sent[i].push(byte)
            s.write(byte)
          })
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        const got = await Promise.all(echoes)
        got.forEach((echo, i) => assert.ok(echo.equals(Buffer.concat(sent[i])), `connection ${i}: ${echo.toString('hex')}`))
        const during = await server.next('stats', server.events.length)
        assert.equal(during.connections, 201)
        const grown = rssBytes(server.child.pid) - rssBefore
        t.diagnostic(`${backend}: RSS +${(grown / MiB).toFixed(1)} MiB holding 200 slow connections`)
        assert.ok(grown < 32 * MiB, `server RSS grew by ${grown} bytes holding 200 slow connections`)
        const {rounds} = await good.stop()
        assert.ok(rounds > 0)
        for (const s of sockets) s.destroy()
        const after = await settled(server, 0)
        assert.equal(after.totals.accepted, after.totals.closed)
        assert.equal(fdCount(server.child.pid), fdsBefore, 'every connection fd was closed')
      } finally {
        await server.stop()
      }
    })

    test('slowloris with --idle-timeout: silent connections are closed and counted, talking ones kept', async () => {
      const server = await startServer(['--backend', backend, '--threads', '1', '--stats', '1', '--host', '127.0.0.1', '--idle-timeout', '1'])
      try {
        const good = goodClient(server.port, 12)
        const silent = await connectMany(server.port, 100)
        // Each sends a first byte, gets it back, then falls silent: the server must close every one.
        const closed = silent.map((s) => new Promise((resolve) => s.once('close', resolve)))
        const firstEchoes = silent.map((s) => readBytes(s, 1))
        silent.forEach((s) => s.write('x'))
        for (const echo of await Promise.all(firstEchoes)) assert.equal(String(echo), 'x')
        silent.forEach((s) => s.resume())
        await Promise.all(closed)
        const {rounds} = await good.stop()
        assert.ok(rounds > 0, 'the good client, never idle, was served throughout')
        const stats = await settled(server, 0)
        assert.ok(stats.errors.idleTimeouts >= 100, `idleTimeouts ${stats.errors.idleTimeouts}`)
        assert.equal(stats.totals.accepted, stats.totals.closed)
      } finally {
        await server.stop()
      }
    })

    test('a connect-and-reset flood of 2000 connections leaks no connection, fd or memory', async (t) => {
      const server = await startServer(['--backend', backend, '--threads', '1', '--stats', '1', '--host', '127.0.0.1'])
      try {
        await settled(server, 0)
        const fdsBefore = fdCount(server.child.pid)
        const rssBefore = rssBytes(server.child.pid)
        const good = goodClient(server.port, 13)
        const junk = randomPayload(prng(14), 3000)
        for (let wave = 0; wave < 20; wave++) {
          const sockets = await connectMany(server.port, 100)
          // Half reset at once, half after sending data the server may be echoing when the RST lands.
          sockets.forEach((s, i) => {
            if (i % 2) s.write(junk)
            s.resetAndDestroy()
          })
        }
        const {rounds} = await good.stop()
        assert.ok(rounds > 0)
        const stats = await settled(server, 0)
        assert.ok(stats.totals.accepted >= 2000, `accepted ${stats.totals.accepted}`)
        assert.equal(stats.totals.accepted, stats.totals.closed)
        assert.equal(fdCount(server.child.pid), fdsBefore, 'every reset connection\'s fd was closed')
        const grown = rssBytes(server.child.pid) - rssBefore
        t.diagnostic(`${backend}: ${stats.totals.accepted} accepted, ${stats.errors.resets} resets counted, RSS +${(grown / MiB).toFixed(1)} MiB after the flood`)
        assert.ok(grown < 32 * MiB, `server RSS grew by ${grown} bytes after the flood`)
      } finally {
        await server.stop()
      }
    })

    test('fd exhaustion under nofile 64: the server survives, reports it, keeps serving, and recovers', async (t) => {
      // The limit is the server child's only (prlimit on the spawned process), never this shell's.
      const server = await startServer(['--backend', backend, '--threads', '1', '--stats', '1', '--host', '127.0.0.1'], {wrap: ['prlimit', '--nofile=64:64']})
      const sockets = []
      try {
        const good = goodClient(server.port, 15)
        for (let i = 0; i < 150; i++) sockets.push(await connect(server.port, '127.0.0.1'))
        let stats
        do stats = await server.next('stats', server.events.length)
        while (stats.errors.acceptFdLimit === 0)
        assert.ok(stats.totals.accepted < 150, `accepted ${stats.totals.accepted} of 150 under a 64-fd limit`)
        assert.match(server.stderr, /open-file limit/)
        // Exhausted, it still echoes the connection it already holds.
        const {rounds} = await good.stop()
        assert.ok(rounds > 0)
        t.diagnostic(`${backend}: accepted ${stats.totals.accepted} of 150 under nofile 64, ${stats.errors.acceptFdLimit} EMFILE accepts; good client ${rounds} exact echoes`)
        for (const s of sockets.splice(0)) s.destroy()
        await settled(server, 0)
        // Recovered: new connections are accepted and echoed exactly.
        const again = goodClient(server.port, 16)
        assert.ok((await again.stop()).rounds > 0)
        assert.equal(server.exit, null, 'the server is still running')
      } finally {
        for (const s of sockets) s.destroy()
        await server.stop()
      }
    })

    test('clients killed mid-transfer (SIGKILL) are cleaned up; the good client never notices', async () => {
      const server = await startServer(['--backend', backend, '--threads', '1', '--stats', '1', '--host', '127.0.0.1'])
      try {
        await settled(server, 0)
        const fdsBefore = fdCount(server.child.pid)
        const good = goodClient(server.port, 17)
        // Each attacker streams 64 MiB while reading, and is killed once a first echo came back.
        const attacker = `const s=require('net').connect(${server.port},'127.0.0.1');const b=Buffer.alloc(1<<20,7);let n=0;` +
          `s.on('data',()=>{if(!n++)process.stdout.write('streaming\\n')});` +
          `const w=()=>{for(let i=0;i<64;i++)if(!s.write(b))return s.once('drain',w)};s.on('connect',w)`
        for (let i = 0; i < 10; i++) {
          const child = spawn(process.execPath, ['-e', attacker], {stdio: ['ignore', 'pipe', 'inherit']})
          await once(child.stdout, 'data')
          child.kill('SIGKILL')
          await once(child, 'exit')
        }
        const {rounds, bytes} = await good.stop()
        assert.ok(rounds > 0 && bytes > 0)
        const stats = await settled(server, 0)
        assert.equal(stats.totals.accepted, stats.totals.closed)
        assert.equal(fdCount(server.child.pid), fdsBefore)
      } finally {
        await server.stop()
      }
    })

    test('SIGTERM mid-transfer: a summary and exit 0; what came back is an exact prefix of what was sent', async () => {
      const server = await startServer(['--backend', backend, '--threads', '1', '--host', '127.0.0.1', '--grace', '500'])
      const socket = await connect(server.port, '127.0.0.1')
      const payload = randomPayload(prng(18), 32 * MiB)
      const chunks = []
      let received = 0
      const ended = new Promise((resolve) => socket.once('close', resolve))
      socket.on('data', (d) => {
        chunks.push(d)
        received += d.length
      })
      let terminated = false
      const writing = (async () => {
        for (let at = 0; at < payload.length; at += 65536) {
          if (socket.destroyed) break
          if (!socket.write(payload.subarray(at, at + 65536))) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), ended])
          // Mid-transfer: once 1 MiB has come back, the server is told to stop.
          if (!terminated && received >= MiB) {
            terminated = true
            server.child.kill('SIGTERM')
          }
        }
      })()
      const summary = await server.next('summary')
      const exit = await server.exited
      await ended
      await writing
      assert.deepEqual(exit, {code: 0, signal: null}, server.stderr)
      assert.ok(terminated, 'SIGTERM was sent while the transfer ran')
      const echoed = Buffer.concat(chunks)
      assert.ok(echoed.length >= MiB && echoed.length < payload.length, `${echoed.length} bytes came back`)
      assert.ok(echoed.equals(payload.subarray(0, echoed.length)), 'the echo is an exact prefix of the payload')
      assert.ok(summary.bytesOut >= echoed.length, `summary bytesOut ${summary.bytesOut} < ${echoed.length} received`)
      assert.equal(summary.stopReason, 'signal')
    })
  })
}
