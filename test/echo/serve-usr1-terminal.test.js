// SIGUSR1 at a real terminal (a pseudo-terminal, 80 columns): the stats line stays on the screen above
// the spinner, the server keeps running, and Ctrl-C still ends it with the summary.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {ctrlC, startPty} from '../helpers/pty.js'

const serve = ['echo', 'serve', '--backend', 'epoll', '--host', '127.0.0.1', '--port', '0', '--threads', '1', '--stats', '0']
const statsLine = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z 0 connections · 0 msg\/s · 0 B\/s · 0 messages echoed$/m

test('SIGUSR1 at a terminal: a timestamped stats line that stays, the spinner redrawn, Ctrl-C ends with exit 0', async () => {
  const session = startPty(serve, {timeoutMs: 30000})
  const pid = await session.pid
  await session.waitFor(/waiting for connections/, 'the spinner')
  process.kill(pid, 'SIGUSR1')
  await session.waitFor(/Z 0 connections · /, 'the stats line')
  // The spinner is drawn again after (under) it.
  await session.waitFor(/Z 0 connections · [^]*waiting for connections/, 'the spinner after the line')
  session.type(ctrlC)
  const r = await session.done
  assert.equal(r.code, 0, r.output)
  const screen = r.screen.join('\n')
  assert.match(screen, statsLine, screen)
  assert.match(screen, /summary \(epoll, 1 thread, [\d.]+ s, stopped by signal\)/)
})
