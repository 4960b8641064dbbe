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
