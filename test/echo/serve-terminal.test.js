// echo serve at a real terminal (a pseudo-terminal, 80 columns): Ctrl-C typed as a keyboard types it
// ends the server the orderly way (summary, exit 0, no spinner line left), and the spinner appears
// only where a person watches it.
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'

import {execFileSync} from 'node:child_process'

import {childrenOf, ctrlC, eventually, startPty} from '../helpers/pty.js'
import {connect} from './harness.js'

// epoll: the signal path is the same for both engines, and io_uring may be switched off host-wide by another suite.
const serve = ['echo', 'serve', '--backend', 'epoll', '--host', '127.0.0.1', '--port', '0', '--threads', '1']
const spinnerFrames = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/

test('Ctrl-C at a terminal: summary, exit 0, the spinner line erased and nothing left running', async () => {
  const session = startPty(serve, {timeoutMs: 30000})
  const pid = await session.pid
  await session.waitFor(/waiting for connections/, 'the spinner')
  assert.match(session.output(), spinnerFrames)
  session.type(ctrlC)
  const r = await session.done
  assert.equal(r.signal, null, 'ended by its own exit, not killed by SIGINT')
  assert.equal(r.code, 0, r.output)
  const screen = r.screen.join('\n')
  assert.match(screen, /^listening on 127\.0\.0\.1:\d+ \(epoll, 1 thread\)$/m)
  assert.match(screen, /summary \(epoll, 1 thread, [\d.]+ s, stopped by signal\)/)
  assert.match(screen, /connections served/)
  assert.doesNotMatch(screen, /waiting for connections|msg\/s ·/, 'no spinner or stats line left on the screen')
  assert.doesNotMatch(screen, spinnerFrames)
  // The line discipline echoed ^C: the terminal was in its normal (cooked) mode, not raw.
  assert.match(r.output, /\^C/)
  assert.deepEqual(childrenOf(pid), [])
})

test('stdout redirected to a file at a terminal: no spinner drawn, Ctrl-C still ends with the summary in the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'uringctl-serve-'))
  try {
    const log = join(dir, 'log')
    const session = startPty(serve, {timeoutMs: 30000, stdoutTo: log})
    await session.pid
    assert.ok(await eventually(() => existsSync(log) && readFileSync(log, 'utf8').includes('listening on')), 'the ready line in the file')
    // A spinner redraws every 100 ms: give it a few frames' time to show itself (it must not).
    await new Promise((r) => setTimeout(r, 600))
    session.type(ctrlC)
    const r = await session.done
    assert.equal(r.code, 0, r.output)
    assert.doesNotMatch(r.output, spinnerFrames)
    assert.doesNotMatch(r.output, /waiting for connections/)
    const written = readFileSync(log, 'utf8')
    assert.match(written, /^listening on 127\.0\.0\.1:\d+/)
    assert.match(written, /stopped by signal/)
    assert.doesNotMatch(written, spinnerFrames)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('NO_COLOR at a terminal: the spinner and the summary carry no colour codes', async () => {
  const session = startPty(serve, {timeoutMs: 30000, env: {NO_COLOR: '1'}})
  await session.waitFor(/waiting for connections/, 'the spinner')
  session.type(ctrlC)
  const r = await session.done
  assert.equal(r.code, 0, r.output)
  assert.doesNotMatch(r.output, /\x1b\[[0-9;]*m/)
})

test('a terminal that reports 0 columns: no spinner (it could not draw one), and Ctrl-C still ends with the summary', async () => {
  const session = startPty(serve, {cols: 0, timeoutMs: 30000})
  await session.waitFor(/listening on/, 'the ready line')
  await new Promise((r) => setTimeout(r, 600))
  session.type(ctrlC)
  const r = await session.done
  assert.equal(r.code, 0, r.output)
  assert.doesNotMatch(r.output, spinnerFrames)
  assert.match(r.output, /stopped by signal/)
})

// The server socket's receive queue (ss Recv-Q): above 0 once reads paused, i.e. echo bytes are pending.
function serverRecvQueue(port) {
  const lines = execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`], {encoding: 'utf8'}).trim().split('\n')
  return lines.filter(Boolean).reduce((most, line) => Math.max(most, Number(line.trim().split(/\s+/)[0])), 0)
}

test('Ctrl-C twice at a terminal while --grace waits on a client that never reads: the second ends it, summary, exit 0', async () => {
  const session = startPty([...serve, '--grace', '600000'], {timeoutMs: 60000})
  await session.pid
  await session.waitFor(/listening on 127\.0\.0\.1:\d+/, 'the ready line')
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(session.output())[1])
  const client = await connect(port)
  try {
    client.pause()
    client.write(Buffer.alloc(32 << 20))
    assert.ok(await eventually(() => serverRecvQueue(port) > 0), 'the server paused its reads (echo bytes pending)')
    session.type(ctrlC)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    assert.match(session.output(), /\^C/)
    assert.doesNotMatch(session.output(), /summary \(/, 'a ten-minute grace is still running after the first Ctrl-C')
    session.type(ctrlC)
    const r = await session.done
    assert.equal(r.signal, null, 'ended by its own exit')
    assert.equal(r.code, 0, r.output)
    const screen = r.screen.join('\n')
    assert.match(screen, /summary \(epoll, 1 thread, [\d.]+ s, stopped by signal\)/)
    assert.match(screen, /aborted\s*│?\s*1\b/)
  } finally {
    client.destroy()
  }
})
