// A run that measured no message at all is not a success: exit 10 with one line saying so.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {startFaulty} from './servers.js'

test('a window with no message in it (open loop at 1 msg/s, 0.2 s measured after 0.5 s of warmup) exits 10', async () => {
  const server = await startFaulty('echo')
  try {
    const args = ['echo', 'bench', '--port', String(server.port), '--connections', '1', '--rate', '1', '--warmup', '0.5', '--duration', '0.2', '--timeout', '5']
    const human = await runCli(args, {timeoutMs: 30000})
    assert.equal(human.code, 10, human.stderr)
    assert.match(human.stderr, /^Error: measured 0 messages in [\d.]+ s against 127\.0\.0\.1:\d+: no message was echoed within the measuring window; check that the server echoes, or measure longer with --duration/m)
    const json = await runCli([...args, '--json'], {timeoutMs: 30000})
    assert.equal(json.code, 10)
    const report = json.json()
    assert.equal(report.messages, 0)
    assert.equal(report.verdict, 'nothing-measured')
    assert.equal(report.exitCode, 10)
  } finally {
    await server.stop()
  }
})
