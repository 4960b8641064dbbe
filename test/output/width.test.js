// Every table at a real terminal (a pseudo-terminal) fits its width: at 80 columns and at 200, no line
// is wider than the terminal; off a terminal COLUMNS decides; a rule line sets headers apart without colour.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {startServer as startBenchTarget, nodeServer} from '../bench/servers.js'
import {runCli} from '../helpers/cli.js'
import {runPty, stripAnsi} from '../helpers/pty.js'
import {whileIoUringDisabledElsewhere} from '../echo/harness.js'

/** The lines as printed, stdout and stderr (a CR-redrawn spinner line counts as what was left on it). */
function printedLines(output) {
  return stripAnsi(output)
    .split('\n')
    .map((line) => line.replace(/\r$/, '').split('\r').at(-1))
}

function widest(output) {
  return Math.max(...printedLines(output).map((line) => Array.from(line).length))
}

const tables = [
  ['probe'],
  ['probe', '--functional'],
  ['ulimit', '--connections', '100000'],
  ['ulimit', '--connections', '100000', '--require', 'nofile>=1024'],
  ['tcp-data-split', 'check'],
  ['tcp-data-split', 'check', '--zcrx'],
]

for (const cols of [80, 200]) {
  for (const args of tables) {
    test(`${args.join(' ')} at ${cols} columns: no line wider than the terminal`, async () => {
      if (args[0] === 'probe') await whileIoUringDisabledElsewhere()
      const r = await runPty(args, {cols, timeoutMs: 60000})
      assert.ok(r.code !== null && r.code !== 1 && r.code !== 2, `ran: exit ${r.code}\n${r.output}`)
      assert.ok(widest(r.output) <= cols, `widest line ${widest(r.output)} > ${cols}:\n${printedLines(r.output).join('\n')}`)
      assert.ok(printedLines(r.output).length > 5)
    })
  }
}

test('echo bench and echo serve tables at 80 columns: no line wider than the terminal', async () => {
  const target = await startBenchTarget(nodeServer, ['--port', '0'])
  try {
    const bench = await runPty(['echo', 'bench', '--port', String(target.port), '--messages', '2000', '--warmup', '0', '--connections', '2', '--server-pid', String(target.pid)], {timeoutMs: 60000})
    assert.equal(bench.code, 0, bench.output)
    assert.match(bench.output, /verified/)
    assert.ok(widest(bench.output) <= 80, printedLines(bench.output).join('\n'))
  } finally {
    await target.stop()
  }
  const serve = await runPty(['echo', 'serve', '--backend', 'epoll', '--port', '0', '--host', '127.0.0.1', '--threads', '1', '--duration', '1'], {timeoutMs: 60000})
  assert.equal(serve.code, 0, serve.output)
  assert.match(serve.output, /connections served/)
  assert.ok(widest(serve.output) <= 80, printedLines(serve.output).join('\n'))
})

test('echo bench --compare --with-node at 80 columns: low-value columns left out and named, no line wider', async () => {
  await whileIoUringDisabledElsewhere()
  const r = await runPty(['echo', 'bench', '--compare', '--with-node', '--messages', '2000', '--warmup', '0', '--connections', '2'], {timeoutMs: 90000})
  assert.equal(r.code, 0, r.output)
  assert.ok(widest(r.output) <= 80, printedLines(r.output).join('\n'))
  const screen = r.screen.join('\n')
  for (const server of ['io_uring', 'epoll', 'node']) assert.match(screen, new RegExp(`^│ ${server} +│ [\\d,]+ `, 'm'))
  assert.match(screen, /not shown at this width: p99\.9 µs/)
})

test('a 30-column terminal: tables turn into name: value lines, still within the width', async () => {
  const r = await runPty(['ulimit'], {cols: 30, timeoutMs: 60000})
  assert.equal(r.code, 0, r.output)
  assert.ok(widest(r.output) <= 30, printedLines(r.output).join('\n'))
  assert.match(stripAnsi(r.output), /^limit: +nofile/m)
})

test('NO_COLOR at a terminal: no colour codes, and a rule line under every header', async () => {
  const r = await runPty(['ulimit'], {cols: 100, env: {NO_COLOR: '1'}, timeoutMs: 60000})
  assert.equal(r.code, 0, r.output)
  assert.doesNotMatch(r.output, /\x1b\[[0-9;]*m/)
  const lines = printedLines(r.output)
  for (const header of [/^\| limit +\| soft/, /^\| sysctl +\| value/]) {
    const at = lines.findIndex((line) => header.test(line))
    assert.ok(at > 0, `${header} present`)
    assert.match(lines[at + 1], /^\+-[-+]+\+$/, 'a rule line right under the header')
  }
})

test('off a terminal, COLUMNS sets the width; without it tables keep their natural width', async () => {
  const narrow = await runCli(['ulimit', '--connections', '100000'], {env: {COLUMNS: '72'}})
  assert.ok(widest(narrow.stdout) <= 72, narrow.stdout)
  const natural = await runCli(['ulimit', '--connections', '100000'], {env: {COLUMNS: undefined}})
  assert.ok(widest(natural.stdout) > 100, 'the host table at its natural width')
})

test('a terminal that reports 0 columns: tables are drawn for 80', async () => {
  const r = await runPty(['ulimit', '--connections', '100000'], {cols: 0, timeoutMs: 60000})
  assert.ok(r.code !== null && r.code !== 1 && r.code !== 2, r.output)
  assert.ok(widest(r.output) <= 80, printedLines(r.output).join('\n'))
})

test('ulimit at 80 columns: a long fix command wraps with " \\" continuations into the same command', async () => {
  const r = await runPty(['ulimit', '--connections', '100000'], {cols: 80, timeoutMs: 60000})
  const lines = printedLines(r.output)
  const at = lines.findIndex((line) => line.startsWith('    fix (systemd): '))
  assert.ok(at > 0, lines.join('\n'))
  const shown = [lines[at].slice('    fix (systemd): '.length)]
  while (shown.at(-1).endsWith(' \\')) shown.push(lines[at + shown.length].trim())
  assert.ok(shown.length > 1, 'wrapped at 80 columns')
  const json = await runCli(['ulimit', '--connections', '100000', '--json'])
  const fix = json.json().plan.checks.flatMap((check) => check.fixes).find((f) => f.kind === 'systemd')
  // What a shell makes of the pasted lines: each " \" + newline + indentation joins the words again.
  assert.equal(shown.map((line) => line.replace(/ \\$/, '')).join(' '), fix.text)
})
