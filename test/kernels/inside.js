// Runs inside the test VM (see vm.js): the kernel-facing checks of uringctl, each recorded as one JSON
// line {check, command, exitCode, signal, stdout, stderr, seconds} on the results channel (argv[2], the
// VM's second serial port). The host-side test (debian-6.1.test.js) asserts on these records.
import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, openSync, writeSync} from 'node:fs'
import net from 'node:net'
import {release} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

const root = join(import.meta.dirname, '..', '..')
const runJs = join(root, 'bin', 'run.js')
const channel = openSync(process.argv[2] ?? '/dev/stdout', 'w')

function record(entry) {
  writeSync(channel, JSON.stringify(entry) + '\n')
  console.log(`uringctl-vm: ${entry.check}: exit ${entry.exitCode} (${entry.seconds ?? '-'} s)`)
}

function describe(args) {
  return ['uringctl', ...args].join(' ')
}

/** Runs `uringctl ...args` to completion (killed after timeoutMs) and records it. */
function check(name, args, timeoutMs = 120_000) {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [runJs, ...args], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    const timer = setTimeout(() => {
      stderr += `\n[inside.js: killed after ${timeoutMs} ms]`
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer)
      const entry = {check: name, command: describe(args), exitCode, signal, stdout, stderr, seconds: (Date.now() - started) / 1000}
      record(entry)
      resolve(entry)
    })
  })
}

/** Starts `echo serve --json`; resolves once its listening line arrived (or it ended without one). */
function startServer(backend, extra) {
  const args = ['echo', 'serve', '--json', '--host', '127.0.0.1', '--port', '0', '--backend', backend, '--threads', '2', '--stats', '0', ...extra]
  const child = spawn(process.execPath, [runJs, ...args], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']})
  const server = {args, child, started: Date.now(), stdout: '', stderr: '', listening: null}
  child.stderr.on('data', (d) => { server.stderr += d })
  server.closed = new Promise((resolve) => child.on('close', (exitCode, signal) => resolve({exitCode, signal})))
  const ready = new Promise((resolve) => {
    createInterface({input: child.stdout}).on('line', (line) => {
      server.stdout += line + '\n'
      try {
        const event = JSON.parse(line)
        if (event.event === 'listening') {
          server.listening = event
          resolve()
        }
      } catch {}
    })
    server.closed.then(resolve)
    setTimeout(resolve, 120_000)
  })
  return ready.then(() => server)
}

async function stopServer(server, name) {
  server.child.kill('SIGTERM')
  const timer = setTimeout(() => {
    server.stderr += '\n[inside.js: no exit 60 s after SIGTERM; killed]'
    server.child.kill('SIGKILL')
  }, 60_000)
  const {exitCode, signal} = await server.closed
  clearTimeout(timer)
  record({check: name, command: describe(server.args), exitCode, signal, stdout: server.stdout, stderr: server.stderr, seconds: (Date.now() - server.started) / 1000})
}

/**
 * Half-close with large messages (echo bench caps a message at 64 KiB): each connection writes 1-4
 * messages of 1 B-1 MiB back to back, shuts its write side, and must get back exactly what it sent,
 * then EOF from the server.
 */
async function halfClose(name, port, connections = 16) {
  const started = Date.now()
  const one = (i) => new Promise((resolve) => {
    const sizes = Array.from({length: 1 + Math.floor(Math.random() * 4)}, () => 1 + Math.floor(Math.random() * 1024 * 1024))
    const payload = randomBytes(sizes.reduce((a, b) => a + b, 0))
    const received = []
    let receivedBytes = 0
    const socket = net.connect(port, '127.0.0.1')
    const done = (problem) => {
      socket.destroy()
      resolve({connection: i, sizes, sent: payload.length, received: receivedBytes, problem})
    }
    socket.setTimeout(60_000, () => done('no data or EOF for 60 s'))
    socket.on('error', (error) => done(`socket error ${error.code ?? error.message}`))
    socket.on('data', (d) => {
      received.push(d)
      receivedBytes += d.length
    })
    socket.on('end', () => {
      const echoed = Buffer.concat(received)
      if (echoed.length !== payload.length) return done(`echoed ${echoed.length} bytes of ${payload.length} before EOF`)
      if (!echoed.equals(payload)) return done(`echoed bytes differ from those sent (first at ${echoed.findIndex((b, k) => b !== payload[k])})`)
      done(null)
    })
    socket.on('connect', () => {
      let offset = 0
      for (const size of sizes) {
        socket.write(payload.subarray(offset, offset + size))
        offset += size
      }
      socket.end()
    })
  })
  const results = await Promise.all(Array.from({length: connections}, (_, i) => one(i)))
  const failed = results.filter((r) => r.problem)
  const summary = {
    connections,
    messages: results.reduce((n, r) => n + r.sizes.length, 0),
    largestMessage: Math.max(...results.flatMap((r) => r.sizes)),
    bytesSent: results.reduce((n, r) => n + r.sent, 0),
    bytesEchoed: results.reduce((n, r) => n + r.received, 0),
    failed,
  }
  record({
    check: name,
    command: `half-close client (test/kernels/inside.js): ${connections} connections to 127.0.0.1:${port}, 1-4 pipelined messages of 1 B-1 MiB each, then shutdown(SHUT_WR)`,
    exitCode: failed.length === 0 ? 0 : 1,
    signal: null,
    stdout: JSON.stringify(summary),
    stderr: failed.map((r) => `connection ${r.connection}: ${r.problem}`).join('\n'),
    seconds: (Date.now() - started) / 1000,
  })
}

record({check: 'environment', command: 'inside.js', exitCode: 0, signal: null, stdout: JSON.stringify({
  release: release(),
  node: process.version,
  ioUringDisabledSysctl: existsSync('/proc/sys/kernel/io_uring_disabled'),
}), stderr: ''})

await check('probe', ['probe', '--json'])
await check('probe-functional', ['probe', '--functional', '--json'])
await check('probe-table', ['probe'])
await check('probe-require', ['probe', '--require', 'multishot-recv,defer-taskrun,recv-bundle,zcrx', '--format', 'env'])

const bench = (port, client, load) => ['echo', 'bench', '--port', port, ...load, '--warmup', '0', '--timeout', '60', '--client-backend', client, '--json']
// Random sizes up to echo bench's 64 KiB cap, pipelined; then many connections with small messages.
const large = ['--connections', '32', '--size', '1-65536', '--pipeline', '4', '--messages', '1000']
const many = ['--connections', '400', '--size', '1-4096', '--pipeline', '8', '--messages', '8000']

// The io_uring server with --batch-wait: 6.1 lacks IORING_FEAT_MIN_TIMEOUT, so the engine must run without it.
for (const [backend, extra] of [['io_uring', []], ['epoll', []], ['io_uring', ['--batch-wait', '100']]]) {
  const name = [backend, ...extra].join(' ')
  const server = await startServer(backend, extra)
  if (server.listening) {
    const port = String(server.listening.port)
    const clients = extra.length ? ['io_uring'] : ['io_uring', 'epoll']
    for (const client of clients) {
      await check(`echo-bench ${name} / ${client} large`, bench(port, client, large), 300_000)
      if (!extra.length) await check(`echo-bench ${name} / ${client} many`, bench(port, client, many), 300_000)
    }
    if (!extra.length) await halfClose(`half-close ${name}`, server.listening.port)
  }
  await stopServer(server, `echo-serve ${name}`)
}

await check('ulimit', ['ulimit', '--json'])
await check('ulimit-plan-1000', ['ulimit', '--connections', '1000', '--json'])
await check('ulimit-plan-10000', ['ulimit', '--connections', '10000', '--json'])
await check('tcp-data-split', ['tcp-data-split', 'check', '--json'])
record({check: 'done', command: 'inside.js', exitCode: 0, signal: null, stdout: '', stderr: ''})
