// A uid with no passwd entry (a container run as `--user 12345`, `setpriv --reuid`) and an environment
// without HOME or SHELL (a bare `env -i`, many CI runners): every command still runs. oclif asked the
// passwd database for the shell and clean-stack for the home directory, and both threw a SystemError
// before any command ran (CI saw it as "uv_os_get_passwd returned ENOENT").
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {runCli} from '../helpers/cli.js'

const uid = '61235'
const nobody = {
  wrap: ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--'],
  env: {HOME: undefined, SHELL: undefined, USER: undefined, LOGNAME: undefined},
}
const asRoot = {skip: process.getuid() !== 0 && 'needs root to switch user'}
const noSystemError = (text) => assert.doesNotMatch(text, /SystemError|uv_os_|ERR_SYSTEM_ERROR|\n\s+at /)

test('a uid with no passwd entry, no HOME, no SHELL: probe --json answers', asRoot, async () => {
  const r = await runCli(['probe', '--json'], nobody)
  noSystemError(r.stderr)
  assert.equal(r.json().schemaVersion, 1)
  assert.ok([0, 3, 4, 5, 6, 7, 8].includes(r.code), r.stderr)
})

test('a uid with no passwd entry: ulimit --json, a mistyped command and --help behave as for anyone', asRoot, async () => {
  const limits = await runCli(['ulimit', '--json'], nobody)
  noSystemError(limits.stderr)
  assert.equal(limits.code, 0, limits.stderr)
  assert.equal(typeof limits.json().limits, 'object')

  const typo = await runCli(['prob'], nobody)
  noSystemError(typo.stderr)
  assert.equal(typo.code, 2)
  assert.match(typo.stderr, /did you mean "uringctl probe"/)

  const help = await runCli(['--help'], nobody)
  noSystemError(help.stderr)
  assert.equal(help.code, 0, help.stderr)
  assert.match(help.stdout, /echo serve/)
})

test('a uid with no passwd entry: echo serve runs and stops with its summary', asRoot, async () => {
  const r = await runCli(['echo', 'serve', '--port', '0', '--host', '127.0.0.1', '--duration', '1', '--threads', '1', '--json'], nobody)
  noSystemError(r.stderr)
  assert.equal(r.code, 0, r.stderr)
  const events = r.stdout.trim().split('\n').map((line) => JSON.parse(line))
  assert.equal(events.at(-1).event, 'summary')
  assert.equal(events.at(-1).stopReason, 'duration')
})
