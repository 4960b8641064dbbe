// Typos get the nearest command, as one usage error (exit 2) in the words a person types; -h, -v and
// `version` do what they do in other tools.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {runCli} from '../helpers/cli.js'

const typos = [
  [['prob'], 'prob', 'probe'],
  [['ulimt'], 'ulimt', 'ulimit'],
  [['echo', 'bnch'], 'echo bnch', 'echo bench'],
  [['echo', 'serv', '--port', '0'], 'echo serv', 'echo serve'],
  [['tcp-data-split', 'chek'], 'tcp-data-split chek', 'tcp-data-split check'],
]

for (const [args, typed, meant] of typos) {
  test(`uringctl ${args.join(' ')}: did you mean "uringctl ${meant}"?, exit 2, no colon ids`, async () => {
    const r = await runCli(args)
    assert.equal(r.code, 2)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr, `Error: unknown command "${typed}": did you mean "uringctl ${meant}"? (see: uringctl --help)\n`)
  })
}

test('--json: the unknown command is the JSON error object on stdout, exit 2', async () => {
  const r = await runCli(['echo', 'bnch', '--json'])
  assert.equal(r.code, 2)
  assert.deepEqual(r.json(), {error: {code: 'USAGE', exitCode: 2, message: 'unknown command "echo bnch": did you mean "uringctl echo bench"? (see: uringctl --help)'}})
  assert.equal(r.stderr, '')
})

test('nothing near: no suggestion, still exit 2; control characters in the typo are escaped and it is shortened', async () => {
  const far = await runCli(['xyzzy'])
  assert.equal(far.code, 2)
  assert.equal(far.stderr, 'Error: unknown command "xyzzy" (see: uringctl --help)\n')
  const nasty = await runCli([`\x1b[31mred\u202e${'x'.repeat(100)}`])
  assert.equal(nasty.code, 2)
  assert.doesNotMatch(nasty.stderr, /[\x1b\u202e]/)
  assert.match(nasty.stderr, /unknown command "\\e\[31mred\\u\{202e\}x+…" \(109 characters\)/)
  assert.ok(nasty.stderr.length < 120, nasty.stderr)
})

test('-v, --version and version print the version; -h and --help the help', async () => {
  for (const flag of ['-v', '--version', 'version']) {
    const r = await runCli([flag])
    assert.equal(r.code, 0, flag)
    assert.match(r.stdout, /^uringctl\/\d+\.\d+\.\d+ linux-\S+ node-v\d+/, flag)
  }
  for (const args of [['-h'], ['--help']]) {
    const r = await runCli(args)
    assert.equal(r.code, 0, args[0])
    assert.match(r.stdout, /^USAGE\n {2}\$ uringctl \[COMMAND\]/m, args[0])
    assert.match(r.stdout, /echo serve/)
  }
  const command = await runCli(['probe', '-h'])
  assert.equal(command.code, 0)
  assert.match(command.stdout, /^USAGE\n {2}\$ uringctl probe/m)
})

test('a mistyped flag names the nearest flag of that command, in both output modes (exit 2)', async () => {
  const human = await runCli(['probe', '--functinal'])
  assert.equal(human.code, 2)
  assert.equal(human.stderr, 'Error: Nonexistent flag: --functinal: did you mean --functional? (see: uringctl probe --help)\n')
  const json = await runCli(['echo', 'serve', '--prot', '80', '--json'])
  assert.equal(json.code, 2)
  assert.equal(json.json().error.message, 'Nonexistent flag: --prot: did you mean --port? (see: uringctl echo serve --help)')
  const far = await runCli(['probe', '--zzzzzzzz'])
  assert.equal(far.stderr, 'Error: Nonexistent flag: --zzzzzzzz (see: uringctl probe --help)\n')
})

test('a stray argument after a command is named as such, not as an unknown command', async () => {
  const r = await runCli(['echo', 'serve', 'extra-arg', '--port', '0'])
  assert.equal(r.code, 2)
  assert.equal(r.stderr, 'Error: unexpected argument "extra-arg" for "uringctl echo serve" (see: uringctl echo serve --help)\n')
})

test('uringctl help with a typo: the same "did you mean" usage error (exit 2), in both output modes', async () => {
  const human = await runCli(['help', 'echo', 'bnch'])
  assert.equal(human.code, 2)
  assert.equal(human.stderr, 'Error: unknown command "echo bnch": did you mean "uringctl echo bench"? (see: uringctl --help)\n')
  assert.equal(human.stdout, '')
  const json = await runCli(['help', 'prob', '--json'])
  assert.equal(json.code, 2)
  assert.equal(json.json().error.message, 'unknown command "prob": did you mean "uringctl probe"? (see: uringctl --help)')
  const ok = await runCli(['help', 'echo', 'serve'])
  assert.equal(ok.code, 0)
  assert.match(ok.stdout, /^USAGE\n {2}\$ uringctl echo serve/m)
})
