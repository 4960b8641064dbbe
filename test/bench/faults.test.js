// echo bench against servers that misbehave, and targets that are not there: every fault is detected,
// counted, named in one line, and ends with its own exit code, within the --timeout bound.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {assertSchema} from '../helpers/schemas.js'
import {startFaulty, unusedPort} from './servers.js'

const load = ['--messages', '2000', '--warmup', '0', '--timeout', '1', '--connections', '8']

async function againstFaulty(mode, extra = []) {
  const server = await startFaulty(mode)
  try {
    const r = await runCli(['echo', 'bench', '--port', String(server.port), ...load, ...extra, '--json'], {timeoutMs: 30000})
    return {...r, report: r.json()}
  } finally {
    await server.stop()
  }
}

const cases = [
  {mode: 'corrupt', code: 4, kind: 'mismatch', first: /echoed byte 1000 is 0x[0-9a-f]{2} but 0x[0-9a-f]{2} was sent/},
  {mode: 'extra', code: 4, kind: 'mismatch', first: /echoed 1 more bytes than were sent/},
  {mode: 'drop', code: 7, kind: 'timeout', first: /no echo for 1\.0 s \(128 bytes sent, 127 echoed\)/},
  {mode: 'drop', extra: ['--pipeline', '4'], code: 4, kind: 'mismatch', first: /echoed byte \d+ is/},
  {mode: 'close', code: 5, kind: 'shortEcho', first: /the server closed it with \d+ bytes not echoed/},
  {mode: 'reset', code: 6, kind: 'reset', first: /ECONNRESET/},
  {mode: 'silent', code: 7, kind: 'timeout', first: /no echo for 1\.0 s \(128 bytes sent, 0 echoed\)/},
]

for (const {mode, extra = [], code, kind, first} of cases) {
  test(`a server that does "${mode}"${extra.length ? ` (${extra.join(' ')})` : ''}: ${kind} counted, exit ${code}`, async () => {
    for (const backend of ['io_uring', 'epoll']) {
      const {code: exit, report} = await againstFaulty(mode, [...extra, '--client-backend', backend])
      assert.equal(report.error, undefined, `${backend}: ${report.error?.message}`)
      assertSchema('echo-bench', report, 'BenchReport')
      assert.equal(exit, code, `${backend}: ${report.firstError}`)
      assert.equal(report.exitCode, code)
      assert.ok(report.errors[kind] > 0, `${backend}: ${kind} counted`)
      assert.equal(report.errors.total, 8, `${backend}: every connection failed once, and only once`)
      assert.equal(report.connections.aliveAtEnd, 0)
      assert.match(report.firstError, first)
    }
  })
}

test('a corrupting server without --json: the table shows the count, stderr one line naming the first bad byte', async () => {
  const server = await startFaulty('corrupt')
  try {
    const r = await runCli(['echo', 'bench', '--port', String(server.port), ...load])
    assert.equal(r.code, 4)
    assert.match(r.stdout, /\| errors +\| mismatch 8/)
    const lines = r.stderr.trim().split('\n')
    assert.equal(lines.length, 1)
    assert.match(lines[0], /^Error: 8 mismatched echoes against 127\.0\.0\.1:\d+; first: connection \d+: echoed byte 1000/)
  } finally {
    await server.stop()
  }
})

test('a refused connection: one clear line, exit 3, no stack trace; the same under --json', async () => {
  const port = await unusedPort()
  const r = await runCli(['echo', 'bench', '--port', String(port), '--duration', '1'])
  assert.equal(r.code, 3)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, new RegExp(`^Error: could not connect to 127\\.0\\.0\\.1:${port}: ECONNREFUSED \\(Connection refused\\); no connection of 50 came up: is an echo server listening there\\? Check --host and --port\\.\\n$`))
  const j = await runCli(['echo', 'bench', '--port', String(port), '--duration', '1', '--json'])
  assert.equal(j.code, 3)
  assert.deepEqual(Object.keys(j.json().error).sort(), ['code', 'exitCode', 'message'])
  assert.equal(j.json().error.exitCode, 3)
})

test('the wrong loopback host (127.0.0.x, nothing listening) and an unknown host name: exit 3', async () => {
  const port = await unusedPort()
  const wrong = await runCli(['echo', 'bench', '--host', '127.0.0.9', '--port', String(port), '--duration', '1'])
  assert.equal(wrong.code, 3)
  assert.match(wrong.stderr, /could not connect to 127\.0\.0\.9:\d+: ECONNREFUSED/)
  const unknown = await runCli(['echo', 'bench', '--host', 'no-such-host.invalid', '--port', '7', '--timeout', '2'])
  assert.equal(unknown.code, 3)
  assert.match(unknown.stderr, /^Error: cannot resolve host "no-such-host\.invalid"/)
})

test('a listener that never accepts: connects time out within --timeout, counted, never a hang', async () => {
  // A full accept queue (backlog 0, never accepted) makes the kernel drop further SYNs.
  const {spawn} = await import('node:child_process')
  const py = spawn('python3', ['-c', 'import socket,time\ns=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(0)\nprint(s.getsockname()[1], flush=True); time.sleep(60)'])
  try {
    const port = await new Promise((resolve) => py.stdout.once('data', (d) => resolve(Number(String(d).trim()))))
    const r = await runCli(['echo', 'bench', '--port', String(port), '--connections', '6', '--duration', '1', '--warmup', '0', '--timeout', '1', '--json'], {timeoutMs: 20000})
    const report = r.json()
    assert.ok(report.errors.connect >= 4, `connect errors ${report.errors.connect}`)
    assert.match(report.firstError, /connect to 127\.0\.0\.1:\d+: no answer within 1\.0 s|no echo/)
    assert.notEqual(r.code, 0)
  } finally {
    py.kill('SIGKILL')
  }
})

test('bad flags are usage errors (exit 2) that name the flag', async () => {
  for (const [args, pattern] of [
    [['--port', '7', '--size', '0'], /--size 0/],
    [['--port', '7', '--size', '4096-64'], /low to high/],
    [['--port', '7', '--pin', '4095'], /--pin 4095: CPU 4095 does not exist here/],
    [['--duration', '1'], /--port is required/],
    [['--port', '7', '--duration', 'soon'], /--duration soon/],
    [['--port', '7', '--client-backend', 'kqueue'], /client-backend/],
    [['--with-node', '--port', '7'], /--with-node only works with --compare/],
    [['--compare', '--port', '7'], /--port does not go with --compare/],
  ]) {
    const r = await runCli(['echo', 'bench', ...args])
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, pattern)
    assert.doesNotMatch(r.stderr, /\n\s+at /)
  }
})
