// The example unit in docs/systemd.md is one systemd accepts (`systemd-analyze verify`).
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'

import {root, runJs} from '../helpers/cli.js'

const analyze = spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0

test('docs/systemd.md: the example unit verifies, and its ExecStart flags are real', {skip: analyze ? false : 'systemd-analyze is not installed (Debian: systemd)'}, () => {
  const doc = readFileSync(join(root, 'docs', 'systemd.md'), 'utf8')
  const unit = /```ini\n([\s\S]*?)```/.exec(doc)[1]
  assert.match(unit, /^Type=notify$/m)
  assert.match(unit, /^LimitNOFILE=/m)
  assert.match(unit, /^AmbientCapabilities=CAP_NET_BIND_SERVICE$/m)
  const execStart = /^ExecStart=\/usr\/local\/bin\/uringctl (.*)$/m.exec(unit)[1]
  // The binary is this checkout's (verify wants it to exist); the flags are the documented ones.
  const help = spawnSync(process.execPath, [runJs, 'echo', 'serve', '--help'], {encoding: 'utf8'}).stdout
  for (const flag of execStart.match(/--[a-z-]+/g)) assert.ok(help.includes(flag), `${flag} is an echo serve flag`)
  const dir = mkdtempSync(join(tmpdir(), 'uringctl-unit-'))
  try {
    const path = join(dir, 'uringctl-echo.service')
    writeFileSync(path, unit.replace('/usr/local/bin/uringctl', runJs))
    const result = spawnSync('systemd-analyze', ['verify', path], {encoding: 'utf8'})
    assert.equal(result.status, 0, result.stderr)
    assert.equal(result.stderr.trim(), '', 'no complaints')
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})
