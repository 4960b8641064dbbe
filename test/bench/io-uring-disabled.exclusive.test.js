// With io_uring switched off host-wide (kernel.io_uring_disabled=2, as root), echo bench still runs on
// its epoll client and says why, and --compare reports the io_uring server's refusal in its own words,
// measures the others, and exits 8. The sysctl is restored in `finally`. Exclusive: host-wide state.
import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {test} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {nodeServer, startServer} from './servers.js'

const disabledPath = '/proc/sys/kernel/io_uring_disabled'
const skip = (process.getuid() !== 0 && 'needs root to change sysctls') || (!existsSync(disabledPath) && 'kernel without kernel.io_uring_disabled (before 6.6)')

async function withIoUringDisabled(body) {
  const saved = readFileSync(disabledPath, 'utf8').trim()
  try {
    writeFileSync(disabledPath, '2')
    await body()
  } finally {
    writeFileSync(disabledPath, saved)
  }
}

test('io_uring disabled: auto falls back to the epoll client with the reason; asking for io_uring is a usage error', {skip}, async () => {
  const server = await startServer(nodeServer, ['--port', '0'])
  try {
    await withIoUringDisabled(async () => {
      const r = await runCli(['echo', 'bench', '--port', String(server.port), '--messages', '500', '--warmup', '0', '--connections', '4', '--json'])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.json().client.backend, 'epoll')
      assert.match(r.json().client.backendNote, /io_uring client unavailable: io_uring_setup: EPERM/)
      const forced = await runCli(['echo', 'bench', '--port', String(server.port), '--messages', '10', '--client-backend', 'io_uring'])
      assert.equal(forced.code, 2)
      assert.match(forced.stderr, /the io_uring client cannot run on this kernel: io_uring_setup: EPERM.*--client-backend epoll/)
    })
  } finally {
    await server.stop()
  }
})

test('io_uring disabled: --compare reports the io_uring server as failed, measures epoll and Node, exit 8', {skip}, async () => {
  await withIoUringDisabled(async () => {
    const r = await runCli(['echo', 'bench', '--compare', '--with-node', '--messages', '1000', '--warmup', '0', '--connections', '4', '--json'], {timeoutMs: 60000})
    assert.equal(r.code, 8, r.stderr)
    const [uring, epoll, node] = r.json().runs
    assert.equal(uring.bench, null)
    assert.match(uring.error, /echo serve --backend io_uring .*: io_uring is unavailable: kernel\.io_uring_disabled=2: io_uring_setup is refused/)
    for (const run of [epoll, node]) {
      assert.equal(run.error, null, run.error)
      assert.equal(run.bench.messages, 1000)
      assert.equal(run.bench.client.backend, 'epoll')
    }
    const table = await runCli(['echo', 'bench', '--compare', '--messages', '1000', '--warmup', '0', '--connections', '4'], {timeoutMs: 60000})
    assert.equal(table.code, 8)
    assert.match(table.stdout, /\| io_uring +\| did not start/)
    assert.match(table.stdout, /msg\/s vs epoll/)
    assert.match(table.stderr, /^Error: io_uring: node bin\/run\.js echo serve --backend io_uring .*: /m)
  })
})
