// Node timers fire at once for delays above 2^31-1 ms: a long --duration must still mean "run that long".
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {startServer} from './harness.js'

test('--duration 2592000 (30 days, above 2^31 ms) keeps serving until stopped', async () => {
  const server = await startServer(['--host', '127.0.0.1', '--threads', '1', '--duration', '2592000', '--stats', '0.2'])
  try {
    // Two stats intervals pass with the server still up: the overflowed timer used to stop it before the first.
    const first = await server.next('stats')
    await server.next('stats', server.events.indexOf(first) + 1)
    assert.equal(server.exit, null)
  } finally {
    const summary = await server.stop()
    assert.equal(summary.stopReason, 'signal')
    assert.equal(server.exit.code, 0)
  }
})
