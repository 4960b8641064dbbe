// echo bench at a real terminal (a pseudo-terminal, 80 columns): Ctrl-C typed as a keyboard types it
// prints what was measured and exits with the run's own code (0 without errors); a server started by
// --compare never outlives the bench, whether it is stopped by Ctrl-C or killed with SIGKILL.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'

import {whileIoUringDisabledElsewhere} from '../echo/harness.js'
import {alive, childrenOf, ctrlC, eventually, startPty} from '../helpers/pty.js'
import {nodeServer, startServer} from './servers.js'

const commandLine = (pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')

/** The server --compare started: a child of the bench running `echo serve`. */
async function compareServer(benchPid) {
  let server = null
  await eventually(() => {
    server = childrenOf(benchPid).find((pid) => { try { return commandLine(pid).includes('echo serve') } catch { return false } }) ?? null
    return server !== null
  })
  assert.ok(server, 'the bench started a server')
  return server
}

test('Ctrl-C during a run: the measurement so far is printed, marked stopped early, exit 0', async () => {
  const server = await startServer(nodeServer, ['--port', '0'])
  try {
    const session = startPty(['echo', 'bench', '--port', String(server.port), '--connections', '2', '--duration', '60', '--warmup', '0'], {timeoutMs: 40000})
    await session.waitFor(/measuring [\d.]+ s/, 'the measuring progress line')
    session.type(ctrlC)
    const r = await session.done
    assert.equal(r.signal, null, 'ended by its own exit, not killed by SIGINT')
    assert.equal(r.code, 0, r.output)
    const screen = r.screen.join('\n')
    assert.match(screen, /\(stopped\s+early\)/)
    assert.match(screen, /messages\/s/)
    assert.match(screen, /verified/)
    assert.doesNotMatch(screen, /measuring [\d.]+ s/, 'the progress line was erased')
  } finally {
    await server.stop()
  }
})

test('--compare, Ctrl-C: the run so far is printed, exit 0, and the server it started is stopped', async () => {
  await whileIoUringDisabledElsewhere()
  const session = startPty(['echo', 'bench', '--compare', '--connections', '2', '--duration', '60', '--warmup', '0'], {timeoutMs: 60000})
  const benchPid = await session.pid
  await session.waitFor(/io_uring: measuring/, 'the io_uring server being measured')
  const serverPid = await compareServer(benchPid)
  session.type(ctrlC)
  const r = await session.done
  assert.equal(r.signal, null, r.output)
  assert.equal(r.code, 0, r.output)
  const screen = r.screen.join('\n')
  assert.match(screen, /stopped\s+early/)
  assert.match(screen, /^[│|] io_uring +[│|] [\d,]+ /m, 'the io_uring row with its messages/s')
  assert.doesNotMatch(screen, /^[│|] epoll /m, 'epoll never ran')
  assert.equal(alive(serverPid), false, `server pid ${serverPid} is gone`)
})

test('--compare killed with SIGKILL: the kernel ends the server it started (parent-death signal)', async () => {
  await whileIoUringDisabledElsewhere()
  const session = startPty(['echo', 'bench', '--compare', '--connections', '2', '--duration', '60', '--warmup', '0'], {timeoutMs: 60000})
  const benchPid = await session.pid
  await session.waitFor(/io_uring: measuring/, 'the io_uring server being measured')
  const serverPid = await compareServer(benchPid)
  process.kill(benchPid, 'SIGKILL')
  const r = await session.done
  assert.equal(r.signal, 'SIGKILL')
  assert.ok(await eventually(() => !alive(serverPid)), `server pid ${serverPid} outlived its bench`)
})

test('--compare, Ctrl-C while the first server starts: nothing measured, exit 130, the server stopped', async () => {
  await whileIoUringDisabledElsewhere()
  const session = startPty(['echo', 'bench', '--compare', '--connections', '2', '--duration', '60', '--warmup', '0'], {timeoutMs: 60000})
  const benchPid = await session.pid
  await session.waitFor(/io_uring: starting/, 'the io_uring server starting')
  session.type(ctrlC)
  const r = await session.done
  assert.equal(r.signal, null, r.output)
  assert.equal(r.code, 130, r.output)
  assert.match(r.screen.join('\n'), /stopped by Ctrl-C \(SIGINT\) before any server was measured/)
  assert.doesNotMatch(r.output, /could not connect/)
  assert.deepEqual(childrenOf(benchPid), [])
})
