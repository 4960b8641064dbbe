// A process may name itself anything, escape sequences and bidi overrides included: `ulimit --pid` shows
// its command line as a shell would need it typed, never raw.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {test} from 'node:test'

import {runCli} from '../helpers/cli.js'

test('a target whose argv holds ANSI escapes and a right-to-left override is shown escaped', async () => {
  const child = spawn('sleep', ['30'], {argv0: 'sle\u001b[31mep\u202e', stdio: 'ignore'})
  try {
    const r = await runCli(['ulimit', '--pid', String(child.pid)])
    assert.equal(r.code, 0, r.stderr)
    assert.doesNotMatch(r.stdout, /[\u001b\u202e]/)
    assert.match(r.stdout, /^Target: pid \d+, chosen by --pid: \$'sle\\x1b\[31mep\\u202e' 30$/m)
  } finally {
    child.kill()
  }
})
