// An IPv6 address with a %zone is an address like any other to echo bench (it was an internal error).
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {startServer} from '../echo/harness.js'
import {runCli} from '../helpers/cli.js'

test('--host ::1%lo and ::1%1 reach a server on ::1', async () => {
  const server = await startServer(['--host', '::1', '--threads', '1', '--stats', '0'])
  try {
    for (const host of ['::1%lo', '::1%1', '[::1%lo]']) {
      const r = await runCli(['echo', 'bench', '--host', host, '--port', String(server.port), '--messages', '200', '--warmup', '0', '--connections', '2', '--json'], {timeoutMs: 30000})
      assert.equal(r.code, 0, `${host}: ${r.stdout}${r.stderr}`)
      assert.equal(r.json().messages, 200)
    }
  } finally {
    await server.stop()
  }
})
