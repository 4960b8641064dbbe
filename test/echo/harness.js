// Test helpers: start `uringctl echo serve --json --port 0` for real and talk to it over loopback.
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import net from 'node:net'
import {createInterface} from 'node:readline'

import {root, runJs} from '../helpers/cli.js'

function ioUringDisabled() {
  try {
    return readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8').trim() !== '0'
  } catch {
    return false
  }
}

/**
 * Waits while another suite on this machine has io_uring switched off host-wide (probe's sysctl test
 * toggles kernel.io_uring_disabled), so that cannot fail an unrelated test here.
 */
export async function whileIoUringDisabledElsewhere() {
  for (let waited = 0; ioUringDisabled() && waited < 60_000; waited += 200) await new Promise((r) => setTimeout(r, 200))
}

/** Spawns the server (options: wrap, env, port, default 0); resolves once its "listening" line arrived. */
export async function startServer(args = [], options = {}) {
  for (let attempt = 0; ; attempt++) {
    await whileIoUringDisabledElsewhere()
    try {
      return await spawnServer(args, options)
    } catch (error) {
      // Exit 6 (io_uring unavailable) because the sysctl flipped meanwhile: wait and try again.
      if (!(error.exitCode === 6 && /io_uring_disabled/.test(error.message)) || attempt >= 5) throw error
    }
  }
}

async function spawnServer(args, {wrap = [], env = {}, port = 0}) {
  const argv = [...wrap, process.execPath, runJs, 'echo', 'serve', '--json', '--port', String(port), ...args]
  const child = spawn(argv[0], argv.slice(1), {cwd: root, env: {...process.env, NO_COLOR: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  const server = {child, events: [], stderr: '', exit: null, waiters: []}
  child.stderr.on('data', (d) => { server.stderr += d })
  createInterface({input: child.stdout}).on('line', (line) => {
    let event
    try {
      event = JSON.parse(line)
    } catch {
      event = {event: 'unparsed', line}
    }
    server.events.push(event)
    for (const w of server.waiters.splice(0)) w()
  })
  server.exited = new Promise((resolve) => child.on('close', (code, signal) => {
    server.exit = {code, signal}
    for (const w of server.waiters.splice(0)) w()
    resolve(server.exit)
  }))
  server.next = (name, after = 0) => new Promise((resolve, reject) => {
    const check = () => {
      const found = server.events.slice(after).find((e) => e.event === name)
      if (found) return resolve(found)
      if (server.exit) {
        const error = new Error(`server exited (${JSON.stringify(server.exit)}) before "${name}": ${server.stderr}${server.events.map((e) => e.line ?? '').join('')}`)
        error.exitCode = server.exit.code
        return reject(error)
      }
      server.waiters.push(check)
    }
    check()
  })
  server.stop = async (signal = 'SIGTERM') => {
    child.kill(signal)
    const summary = await server.next('summary')
    await server.exited
    return summary
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
  server.exited.then(() => clearTimeout(timer))
  server.listening = await server.next('listening')
  server.port = server.listening.port
  return server
}

export function connect(port, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const socket = net.connect({port, host})
    socket.once('connect', () => {
      socket.off('error', reject)
      // Resets the tests provoke arrive as 'error' events; readBytes reports the ones that matter.
      socket.on('error', () => {})
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

/** Reads until `length` bytes arrived (or the peer ended); returns them. */
export function readBytes(socket, length) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let got = 0
    const finish = () => {
      socket.off('data', onData)
      socket.off('end', finish)
      socket.off('error', reject)
      resolve(Buffer.concat(chunks))
    }
    const onData = (d) => {
      chunks.push(d)
      got += d.length
      if (got >= length) finish()
    }
    socket.on('data', onData)
    socket.once('end', finish)
    socket.once('error', reject)
  })
}

/** A small seeded PRNG, so a failing random case can be replayed from its seed. */
export function prng(seed) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function randomPayload(random, length) {
  const b = Buffer.allocUnsafe(length)
  for (let i = 0; i < length; i++) b[i] = (random() * 256) | 0
  return b
}

/** Writes `payload` in random-sized pieces (1 byte up to maxWrite), honouring backpressure. */
export async function writeInPieces(socket, payload, random, maxWrite) {
  for (let at = 0; at < payload.length;) {
    const n = Math.min(payload.length - at, 1 + Math.floor(random() ** 3 * maxWrite))
    if (!socket.write(payload.subarray(at, at + n))) await new Promise((r) => socket.once('drain', r))
    at += n
  }
}

export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(status.match(/^VmRSS:\s+(\d+) kB/m)[1]) * 1024
}
