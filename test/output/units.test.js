// One units convention in every command (README "Units"): binary byte units and rates, thousands
// separators on measured counts, IPv6 addresses in brackets — serve and bench agree on the same traffic.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {createInterface} from 'node:readline'
import {test} from 'node:test'

import {root, runCli, runJs} from '../helpers/cli.js'

test('serve and bench on [::1]: both write [::1]:port, bytes/s in binary units, counts with separators', async () => {
  const serve = spawn(process.execPath, [runJs, 'echo', 'serve', '--backend', 'epoll', '--host', '::1', '--port', '0', '--threads', '1', '--stats', '0'], {
    cwd: root, env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  serve.stdout.on('data', (d) => { stdout += d })
  const ended = new Promise((resolve) => serve.once('close', resolve))
  try {
    const ready = await new Promise((resolve, reject) => {
      createInterface({input: serve.stdout}).once('line', resolve)
      serve.once('exit', (code) => reject(new Error(`echo serve exited with ${code}`)))
    })
    const listening = /^listening on \[::1\]:(\d+) \(epoll, 1 thread\)$/.exec(ready)
    assert.ok(listening, ready)
    const bench = await runCli(['echo', 'bench', '--host', '::1', '--port', listening[1], '--messages', '5000', '--warmup', '0', '--connections', '2'])
    assert.equal(bench.code, 0, bench.stderr)
    assert.match(bench.stdout, new RegExp(`^echo bench \\[::1\\]:${listening[1]}: 2 connections`))
    assert.match(bench.stdout, /\| throughput +\| [\d.]+ (B|KiB|MiB|GiB)\/s echoed/)
    assert.match(bench.stdout, /\| messages +\| 5,000 in /)
    assert.doesNotMatch(bench.stdout, /\bMB\/s/)
  } finally {
    serve.kill('SIGTERM')
    await ended
  }
  assert.match(stdout, /\| messages echoed +\| \d{1,3}(,\d{3})+ +\|/)
  assert.match(stdout, /\| bytes echoed +\| \d{1,3}(,\d{3})+ \([\d.]+ (KiB|MiB)\) +\|/)
})
