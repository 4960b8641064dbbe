// echo serve as a log: timestamped stats lines off a terminal, a stats line on SIGUSR1 (as dd does),
// and the wall-clock time on every NDJSON event.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {test} from 'node:test'

import {root, runJs} from '../helpers/cli.js'
import {connect, readBytes, startServer, whileIoUringDisabledElsewhere} from './harness.js'

const isoTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
const statsLine = /^(\S+) (\d+) connections · \S+ msg\/s · .+\/s · \S+ messages echoed$/

/** Human `echo serve` with stdout a pipe (as under systemd or `> log`); `lines()` is what it printed so far. */
function humanServer(args) {
  const child = spawn(process.execPath, [runJs, 'echo', 'serve', '--port', '0', '--host', '127.0.0.1', ...args], {cwd: root, env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  const waiters = []
  child.stdout.on('data', (d) => {
    stdout += d
    for (const w of waiters.splice(0)) w()
  })
  child.stderr.on('data', (d) => { stderr += d })
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)))
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  exited.then(() => clearTimeout(timer))
  const lines = () => stdout.split('\n').filter(Boolean)
  const until = (match) => new Promise((resolve) => {
    const check = () => (lines().filter(match).length > 0 ? resolve(lines().filter(match)) : waiters.push(check))
    check()
  })
  return {child, exited, lines, until, stderr: () => stderr}
}

test('off a terminal, human echo serve prints one timestamped stats line every --stats seconds', {timeout: 60_000}, async () => {
  await whileIoUringDisabledElsewhere()
  const server = humanServer(['--stats', '1', '--duration', '3'])
  assert.equal(await server.exited, 0, server.stderr())
  const lines = server.lines()
  assert.match(lines[0], /^listening on 127\.0\.0\.1:\d+ \(io_uring, \d+ threads?\)$/)
  const stats = lines.filter((l) => statsLine.test(l))
  assert.ok(stats.length >= 2, lines.join('\n'))
  for (const line of stats) assert.match(statsLine.exec(line)[1], isoTime)
  const times = stats.map((l) => Date.parse(statsLine.exec(l)[1]))
  assert.deepEqual([...times].sort((a, b) => a - b), times, 'in order')
  assert.ok(lines.some((l) => l.startsWith('summary (io_uring')))
})

test('SIGUSR1 prints a stats line at once and the server keeps serving; SIGTERM then stops it with exit 0', {timeout: 60_000}, async () => {
  await whileIoUringDisabledElsewhere()
  const server = humanServer(['--stats', '0', '--threads', '1'])
  const [ready] = await server.until((l) => l.startsWith('listening on'))
  const port = Number(/:(\d+) /.exec(ready)[1])
  const socket = await connect(port, '127.0.0.1')
  const echoed = readBytes(socket, 3)
  socket.write('abc')
  await echoed
  server.child.kill('SIGUSR1')
  const [line] = await server.until((l) => statsLine.test(l))
  assert.equal(statsLine.exec(line)[2], '1', 'one connection open')
  assert.match(line, / 1 messages echoed$/)
  // Still serving after the signal.
  const again = readBytes(socket, 3)
  socket.write('def')
  assert.equal(String(await again), 'def')
  socket.destroy()
  server.child.kill('SIGTERM')
  assert.equal(await server.exited, 0)
  assert.ok(server.lines().some((l) => l.startsWith('summary (io_uring, 1 thread,')), server.lines().join('\n'))
  assert.equal(server.stderr(), '')
})

test('every NDJSON event carries schemaVersion, an ISO-8601 time and seconds; SIGUSR1 adds a stats event under --json', {timeout: 60_000}, async () => {
  const before = Date.now()
  const server = await startServer(['--stats', '0', '--threads', '1'])
  server.child.kill('SIGUSR1')
  await server.next('stats')
  const summary = await server.stop()
  assert.equal(server.exit.code, 0)
  assert.deepEqual(server.events.map((e) => e.event), ['listening', 'stats', 'summary'])
  for (const event of server.events) {
    assert.equal(event.schemaVersion, 1)
    assert.match(event.time, isoTime)
    assert.ok(Date.parse(event.time) >= before - 1000 && Date.parse(event.time) <= Date.now() + 1000, event.time)
    assert.equal(typeof event.seconds, 'number')
  }
  assert.ok(Date.parse(summary.time) >= Date.parse(server.listening.time))
})
