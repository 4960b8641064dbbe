// --nofile SOFT:HARD on running processes through prlimit(2), checked with util-linux prlimit --pid.
import assert from 'node:assert/strict'
import {readFileSync, readdirSync} from 'node:fs'
import {describe, test} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {jsonBetween, prlimitOf, startShell, startSleeper, uringctl} from './processes.js'

const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
// oclif looks for user plugins under $HOME: nobody's home does not exist, so nothing is read.
const asNobody = {wrap: nobody, env: {HOME: '/nonexistent', XDG_DATA_HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent', XDG_CACHE_HOME: '/nonexistent'}}

// prlimit(2) reads another user's limits only with CAP_SYS_RESOURCE, so nobody's process is read as nobody.
const nofileOf = (pid, wrap = []) => prlimitOf(pid, {wrap}).nofile

describe('--nofile on a child started with 1234:5678', async () => {
  test('SOFT:HARD, SOFT:, :HARD and VALUE change it as prlimit sees it, and before/after are printed', async () => {
    const child = await startSleeper(['prlimit', '--nofile=1234:5678', 'sleep', '30'])
    try {
      const pid = String(child.pid)
      const both = await runCli(['ulimit', '--pid', pid, '--nofile', '2000:4000', '--json'])
      assert.equal(both.code, 0, both.stderr)
      const change = both.json().change
      assert.deepEqual(change.before, {soft: 1234, hard: 5678})
      assert.deepEqual(change.after, {soft: 2000, hard: 4000})
      assert.deepEqual(change.requested, {soft: 2000, hard: 4000})
      assert.deepEqual(nofileOf(child.pid), {soft: 2000, hard: 4000})

      const softOnly = await runCli(['ulimit', '--pid', pid, '--nofile', '3000:', '--json'])
      assert.deepEqual(softOnly.json().change.requested, {soft: 3000, hard: null})
      assert.deepEqual(nofileOf(child.pid), {soft: 3000, hard: 4000})

      const hardOnly = await runCli(['ulimit', '--pid', pid, '--nofile', ':3500'])
      assert.equal(hardOnly.code, 0, hardOnly.stderr)
      assert.match(hardOnly.stdout, /\| soft +\| 3000 +\| 3000 +\|/)
      assert.match(hardOnly.stdout, /\| hard +\| 4000 +\| 3500 +\|/)
      assert.deepEqual(nofileOf(child.pid), {soft: 3000, hard: 3500})

      const value = await runCli(['ulimit', '--pid', pid, '--nofile', '3200', '--json'])
      assert.deepEqual(value.json().change.after, {soft: 3200, hard: 3200})
      assert.deepEqual(nofileOf(child.pid), {soft: 3200, hard: 3200})

      // K is 1024, as in --require nofile>=2K.
      const suffixed = await runCli(['ulimit', '--pid', pid, '--nofile', '2K:', '--json'])
      assert.equal(suffixed.code, 0, suffixed.stderr)
      assert.deepEqual(suffixed.json().change.requested, {soft: 2048, hard: null})
      assert.deepEqual(nofileOf(child.pid), {soft: 2048, hard: 3200})
    } finally {
      await child.kill()
    }
  })

  test('refusals leave the limit unchanged: soft > hard (7), above fs.nr_open or unlimited (8), bad syntax (2)', async () => {
    const child = await startSleeper(['prlimit', '--nofile=1234:5678', 'sleep', '30'])
    const nrOpen = Number(readFileSync('/proc/sys/fs/nr_open', 'utf8'))
    try {
      const pid = String(child.pid)
      const cases = [
        ['5000:100', 7, /soft limit 5000 is above the hard limit asked for \(100\)/],
        ['6000:', 7, new RegExp(`soft limit 6000 is above pid ${pid}'s hard limit \\(5678\\)`)],
        ['unlimited', 8, /open files cannot be unlimited: the kernel caps them at fs\.nr_open/],
        [`:${nrOpen + 1}`, 8, new RegExp(`${nrOpen + 1} open files is above fs\\.nr_open \\(${nrOpen}\\)`)],
        ['abc', 2, /--nofile "abc" is not a whole number with optional K\/M\/G, or unlimited/],
        ['1:2:3', 2, /--nofile "1:2:3" is not one of SOFT:HARD/],
        [':', 2, /--nofile ":" is not one of/],
        ['-1', 2, /not a whole number/],
      ]
      for (const [spec, code, message] of cases) {
        const r = await runCli(['ulimit', '--pid', pid, '--nofile', spec])
        assert.equal(r.code, code, `${spec}: ${r.stderr}`)
        assert.match(r.stderr, message)
        assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`)
        assert.equal(r.stdout, '')
        assert.deepEqual(nofileOf(child.pid), {soft: 1234, hard: 5678}, `${spec} changed the limit`)
      }
      const json = await runCli(['ulimit', '--pid', pid, '--nofile', '9000:10', '--json'])
      assert.equal(json.code, 7)
      assert.equal(json.json().error.code, 'SOFT_ABOVE_HARD')
    } finally {
      await child.kill()
    }
  })
})

test('unprivileged: nobody lowers and moves its own process\'s soft limit, but raising the hard limit is refused (6)', async () => {
  const child = await startSleeper([...nobody, 'prlimit', '--nofile=100:200', 'sleep', '30'])
  try {
    assert.equal(readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)[1], '65534')
    const pid = String(child.pid)
    const soft = await runCli(['ulimit', '--pid', pid, '--nofile', '150:', '--json'], asNobody)
    assert.equal(soft.code, 0, soft.stdout + soft.stderr)
    assert.deepEqual(nofileOf(child.pid, nobody), {soft: 150, hard: 200})

    const raise = await runCli(['ulimit', '--pid', pid, '--nofile', ':300'], asNobody)
    assert.equal(raise.code, 6, raise.stderr)
    assert.match(raise.stderr, new RegExp(`^Error: raising pid ${pid}'s hard limit from 200 to 300 needs root \\(CAP_SYS_RESOURCE\\)`))
    assert.deepEqual(nofileOf(child.pid, nobody), {soft: 150, hard: 200})
  } finally {
    await child.kill()
  }
})

test("unprivileged: another user's process is refused (6) and unchanged", async () => {
  const child = await startSleeper(['prlimit', '--nofile=1234:5678', 'sleep', '30'])
  try {
    const r = await runCli(['ulimit', '--pid', String(child.pid), '--nofile', '1000:', '--json'], asNobody)
    assert.equal(r.code, 6)
    assert.match(r.json().error.message, new RegExp(`pid ${child.pid} belongs to uid 0, not to you \\(uid 65534\\)`))
    assert.deepEqual(nofileOf(child.pid), {soft: 1234, hard: 5678})
  } finally {
    await child.kill()
  }
})

test('a vanished pid, and one that never existed, exit 5 for reports and changes', async () => {
  const child = await startSleeper(['sleep', '30'])
  await child.kill()
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'))
  for (const pid of [child.pid, pidMax + 1]) {
    for (const args of [['--nofile', '100:'], ['--json'], []]) {
      const r = await runCli(['ulimit', '--pid', String(pid), ...args])
      assert.equal(r.code, 5, r.stderr)
      if (args.includes('--json')) assert.equal(r.json().error.code, 'NO_SUCH_PROCESS')
      else assert.match(r.stderr, new RegExp(`^Error: no process with pid ${pid} \\(it has exited, or never existed\\)`))
    }
  }
})

test('--nofile with --self, and --pid with --self, are usage errors', async () => {
  const self = await runCli(['ulimit', '--self', '--nofile', '100:'])
  assert.equal(self.code, 2)
  assert.match(self.stderr, /--nofile with --self/)
  const both = await runCli(['ulimit', '--self', '--pid', '1'])
  assert.equal(both.code, 2)
})

test('--nofile without --pid changes the invoking shell, as that shell\'s own ulimit then shows', async () => {
  const shell = startShell(`ulimit -Sn 1000\necho __BEGIN__\n${uringctl} ulimit --nofile 1500: --json\necho __END__\nulimit -Sn`)
  try {
    const {stdout} = await shell.done()
    const result = jsonBetween(stdout, '__BEGIN__', '__END__')
    assert.equal(result.target.pid, shell.pid)
    assert.equal(result.change.before.soft, 1000)
    assert.equal(result.change.after.soft, 1500)
    assert.equal(stdout.trim().split('\n').at(-1), '1500')
    assert.deepEqual(nofileOf(shell.pid), result.change.after)
  } finally {
    await shell.close()
  }
})

test('a soft limit of 0 or below the open fds is refused (9) and unchanged, unless --force', async () => {
  const child = await startSleeper(['prlimit', '--nofile=1234:5678', 'sleep', '30'])
  try {
    const pid = String(child.pid)
    const open = readdirSync(`/proc/${pid}/fd`).length
    const cases = [
      ['0', new RegExp(`^Error: a soft limit of 0 leaves pid ${pid} unable to open any file \\(it has ${open} open now\\), and its hard limit, once lowered to 0, cannot be raised back without CAP_SYS_RESOURCE; give a soft limit of at least ${open}, or add --force`)],
      ['0:', /a soft limit of 0 leaves .* open now\); give a soft limit/],
      [`${open - 1}:`, new RegExp(`soft limit ${open - 1} is below the ${open} fds pid ${pid} has open now: it could open no more \\(accept, open and pipe fail with EMFILE\\); give a soft limit of at least ${open}, or add --force`)],
    ]
    for (const [spec, message] of cases) {
      const r = await runCli(['ulimit', '--pid', pid, '--nofile', spec])
      assert.equal(r.code, 9, `${spec}: ${r.stderr}`)
      assert.match(r.stderr, message)
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`)
      assert.deepEqual(nofileOf(child.pid), {soft: 1234, hard: 5678}, `${spec} changed the limit`)
    }
    const json = await runCli(['ulimit', '--pid', pid, '--nofile', '0', '--json'])
    assert.equal(json.code, 9)
    assert.equal(json.json().error.code, 'BELOW_OPEN_FDS')

    const atOpen = await runCli(['ulimit', '--pid', pid, '--nofile', `${open}:`, '--json'])
    assert.equal(atOpen.code, 0, atOpen.stderr)
    assert.deepEqual(nofileOf(child.pid), {soft: open, hard: 5678})

    const forced = await runCli(['ulimit', '--pid', pid, '--nofile', '0:', '--force', '--json'])
    assert.equal(forced.code, 0, forced.stderr)
    assert.deepEqual(nofileOf(child.pid), {soft: 0, hard: 5678})

    const forceAlone = await runCli(['ulimit', '--pid', pid, '--force'])
    assert.equal(forceAlone.code, 2)
    assert.match(forceAlone.stderr, /--nofile/)
  } finally {
    await child.kill()
  }
})
