// echo serve --pid-file: written once listening, removed at exit, refused while it names a live process.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {startServer} from './harness.js'

const dir = mkdtempSync(join(tmpdir(), 'uringctl-pidfile-'))
after(() => rmSync(dir, {recursive: true, force: true}))

test('written with the server\'s pid once it listens, removed when SIGTERM or --duration stops it', {timeout: 90_000}, async () => {
  const path = join(dir, 'serve.pid')
  const server = await startServer(['--pid-file', path])
  assert.equal(readFileSync(path, 'utf8'), `${server.child.pid}\n`)
  await server.stop('SIGTERM')
  assert.equal(server.exit.code, 0)
  assert.ok(!existsSync(path), 'removed at exit')

  const timed = await runCli(['echo', 'serve', '--port', '0', '--pid-file', path, '--duration', '1', '--json'])
  assert.equal(timed.code, 0, timed.stderr)
  assert.ok(!existsSync(path))
})

test('a pid file naming a running process: exit 8, one line with the pid and the fix, the file untouched, nothing listening', async () => {
  const path = join(dir, 'held.pid')
  writeFileSync(path, `${process.pid}\n`)
  const result = await runCli(['echo', 'serve', '--port', '0', '--pid-file', path])
  assert.equal(result.code, 8, result.stderr)
  assert.match(result.stderr, new RegExp(`^Error: --pid-file .*held\\.pid holds pid ${process.pid}, a running process \\(.*\\); stop it first, or remove the file`))
  assert.equal(result.stderr.trim().split('\n').length, 1)
  assert.equal(result.stdout, '', 'never listened')
  assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`)
  const json = await runCli(['echo', 'serve', '--port', '0', '--pid-file', path, '--json'])
  assert.equal(json.code, 8)
  assert.equal(json.json().error.code, 'PID_FILE')
})

test('a pid file left by a process that is gone is taken over', {timeout: 90_000}, async () => {
  const path = join(dir, 'stale.pid')
  const gone = spawnSync('true').pid
  writeFileSync(path, `${gone}\n`)
  const server = await startServer(['--pid-file', path])
  assert.equal(readFileSync(path, 'utf8'), `${server.child.pid}\n`)
  await server.stop()
  assert.ok(!existsSync(path))
})

test('a pid file in a missing directory, or a directory: exit 8 naming the fix', async () => {
  for (const [path, reason] of [[join(dir, 'missing', 'serve.pid'), /cannot write in .*missing \(ENOENT\); create the directory/], [dir, /is a directory; name a file/]]) {
    const result = await runCli(['echo', 'serve', '--port', '0', '--pid-file', path])
    assert.equal(result.code, 8, result.stderr)
    assert.match(result.stderr, reason)
    assert.equal(result.stdout, '')
  }
})
