import assert from 'node:assert/strict'
import {test} from 'node:test'

import {runCli} from '../helpers/cli.js'

test('--help lists the commands', async () => {
  const r = await runCli(['--help'])
  assert.equal(r.code, 0)
  assert.match(r.stdout, /uringctl/)
})

test('an unknown command fails with a non-zero exit code and no stack trace', async () => {
  const r = await runCli(['no-such-command'])
  assert.notEqual(r.code, 0)
  assert.doesNotMatch(r.stderr, /\n\s+at /)
})

test('a bad flag value is a usage error on one line that names the reason, in both output modes', async () => {
  const human = await runCli(['echo', 'serve', '--port', '99999'])
  assert.equal(human.code, 2)
  assert.equal(human.stderr.trim().split('\n').length, 1)
  assert.match(human.stderr, /^Error: --port 99999: must be from 0 to 65535 \(see: uringctl echo serve --help\)$/m)
  const json = await runCli(['echo', 'serve', '--port', '99999', '--json'])
  assert.equal(json.code, 2)
  assert.deepEqual(Object.keys(json.json().error).sort(), ['code', 'exitCode', 'message'])
  assert.equal(json.json().error.exitCode, 2)
  assert.equal(json.json().error.code, 'USAGE')
})
