// Parsers and the wrapper rules, on inputs as the kernel and users write them.
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {describe, test} from 'node:test'

import {root} from '../helpers/cli.js'

const {parseLimitSpec} = await import(join(root, 'dist/limits/change.js'))
const {parseRequirements} = await import(join(root, 'dist/limits/require.js'))
const {parseCmdline, parseLimitsFile, parseSystemdUnit} = await import(join(root, 'dist/limits/proc.js'))
const {chooseInvokingShell, isOneShotShell} = await import(join(root, 'dist/limits/wrappers.js'))

const usage = (fn, pattern) => assert.throws(fn, (error) => error.exitCode === 2 && pattern.test(error.message))

describe('--nofile SOFT:HARD', () => {
  test('the util-linux prlimit forms', () => {
    assert.deepEqual(parseLimitSpec('1024:4096'), {soft: 1024, hard: 4096})
    assert.deepEqual(parseLimitSpec('2048:'), {soft: 2048})
    assert.deepEqual(parseLimitSpec(':8192'), {hard: 8192})
    assert.deepEqual(parseLimitSpec('4096'), {soft: 4096, hard: 4096})
    assert.deepEqual(parseLimitSpec('unlimited'), {soft: Infinity, hard: Infinity})
    assert.deepEqual(parseLimitSpec('1024:unlimited'), {soft: 1024, hard: Infinity})
  })

  test('K/M/G suffixes (powers of 1024) read as in --require, so --nofile 64K and --require nofile>=64K agree', () => {
    assert.deepEqual(parseLimitSpec('64K'), {soft: 65536, hard: 65536})
    assert.deepEqual(parseLimitSpec('10k:1M'), {soft: 10240, hard: 1048576})
    assert.deepEqual(parseLimitSpec(':1G'), {hard: 1024 ** 3})
    assert.equal(parseRequirements(['nofile>=64K'])[0].value, parseLimitSpec('64K').soft)
  })

  test('bad syntax is a usage error naming the forms', () => {
    for (const bad of ['', ':', 'abc', '1:2:3', '-5', '10x', '1.5K', '1.5:2', ' : ', '1e3', '0x10', '64 K', '1P']) {
      usage(() => parseLimitSpec(bad), /--nofile .*(SOFT:HARD|whole number)/)
    }
    usage(() => parseLimitSpec('99999999999999999999'), /^--nofile "99999999999999999999" is above any open-files limit Linux allows \(fs\.nr_open is at most 2147483584\)\.$/)
    usage(() => parseLimitSpec('1024:2147483585'), /^--nofile "1024:2147483585": "2147483585" is above any open-files limit/)
    usage(() => parseLimitSpec('2G'), /^--nofile "2G" is above any open-files limit Linux allows/)
    usage(() => parseLimitSpec('\u001b[2J'), /^--nofile "\\e\[2J" is not a whole number/)
  })
})

describe('--require grammar', () => {
  test('NAME OP VALUE with every operator, suffixes, unlimited, commas', () => {
    const parsed = parseRequirements(['nofile>=65536', 'memlock > 64M,nproc<=unlimited', 'fds<10', 'fs.nr_open=1048576'])
    assert.deepEqual(parsed.map((r) => [r.name, r.operator, r.value]), [
      ['nofile', '>=', 65536],
      ['memlock', '>', 64 * 1024 * 1024],
      ['nproc', '<=', Infinity],
      ['fds', '<', 10],
      ['fs.nr_open', '=', 1048576],
    ])
  })

  test('an unknown name lists the valid ones', () => {
    usage(() => parseRequirements(['nofiles>=1']), /unknown name "nofiles"; valid names: nofile, nofile\.hard, memlock, .*ports\./)
  })

  test('a missing operator or a bad value is a usage error', () => {
    usage(() => parseRequirements(['nofile 65536']), /is not NAME OP VALUE/)
    usage(() => parseRequirements(['nofile=>65536']), /is not NAME OP VALUE|is not a number/)
    usage(() => parseRequirements(['nofile>=lots']), /"lots" is not a number/)
  })
})

describe('/proc parsers', () => {
  test('limits rows, including unlimited and rows without units', () => {
    const text = [
      'Limit                     Soft Limit           Hard Limit           Units     ',
      'Max open files            1024                 524288               files     ',
      'Max locked memory         unlimited            unlimited            bytes     ',
      'Max nice priority         0                    0                    ',
    ].join('\n')
    const rows = parseLimitsFile(text)
    assert.deepEqual(rows.get('Max open files'), {soft: 1024, hard: 524288})
    assert.deepEqual(rows.get('Max locked memory'), {soft: Infinity, hard: Infinity})
    assert.deepEqual(rows.get('Max nice priority'), {soft: 0, hard: 0})
  })

  test('cmdline: argv, and npm\'s rewritten title padded with spaces', () => {
    assert.deepEqual(parseCmdline(Buffer.from('sh\0-c\0node bin/run.js ulimit\0')), ['sh', '-c', 'node bin/run.js ulimit'])
    assert.deepEqual(parseCmdline(Buffer.from('npm exec                      \0')), ['npm exec'])
  })

  test('cgroup: the innermost service, user services, and none for a login scope', () => {
    assert.deepEqual(parseSystemdUnit('0::/system.slice/nginx.service\n'), {name: 'nginx.service', userManager: false})
    assert.deepEqual(parseSystemdUnit('0::/user.slice/user-1000.slice/user@1000.service/app.slice/api.service\n'), {name: 'api.service', userManager: true})
    assert.equal(parseSystemdUnit('0::/user.slice/user-1000.slice/session-3.scope\n'), null)
    assert.equal(parseSystemdUnit('0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-terminal-1234.scope\n'), null)
    assert.deepEqual(parseSystemdUnit('12:pids:/\n1:name=systemd:/system.slice/redis.service\n0::/\n'), {name: 'redis.service', userManager: false})
  })
})

describe('wrapper rules (process lists as /proc shows them)', () => {
  let nextPid = 100
  const proc = (comm, ...commandLine) => ({pid: nextPid++, ppid: 0, comm, commandLine, uid: 0, capEff: 0n})
  const tests = {isUringctl: (_info, script) => script.endsWith('bin/run.js'), sameLimits: () => true}
  const choose = (...nearestFirst) => chooseInvokingShell(nearestFirst, tests)

  test('npx: sh -c under "npm exec" and npm itself are skipped, the login shell chosen', () => {
    const bash = proc('bash', '-bash')
    const choice = choose(proc('sh', 'sh', '-c', 'uringctl ulimit'), proc('npm exec', 'npm exec'), bash, proc('sshd', 'sshd: alice@pts/0'))
    assert.equal(choice.chosen, bash)
    assert.deepEqual(choice.skipped.map((s) => s.reason.split(' ')[0]), ['one-shot', 'package'])
  })

  test('node running npm-cli.js or uringctl itself is a wrapper; another node program is not', () => {
    const bash = proc('bash', 'bash')
    assert.equal(choose(proc('node', '/usr/bin/node', '/usr/lib/node_modules/npm/bin/npx-cli.js', 'uringctl'), bash).chosen, bash)
    assert.equal(choose(proc('node', 'node', '/srv/app/bin/run.js'), bash).chosen, bash)
    const server = proc('node', 'node', 'server.js')
    assert.equal(choose(server, bash).chosen, server)
  })

  test('env and sudo are skipped', () => {
    const zsh = proc('zsh', '-zsh')
    assert.equal(choose(proc('env', 'env', 'FOO=1', 'uringctl'), proc('sudo', 'sudo', 'env'), zsh).chosen, zsh)
  })

  test('a sh -c is the invoking shell under a non-shell (make, a test runner), or when it changed its limits', () => {
    const sh = proc('sh', '/bin/sh', '-c', 'uringctl ulimit')
    assert.equal(choose(sh, proc('make', 'make', 'check')).chosen, sh)
    const changed = proc('bash', 'bash', '-c', 'ulimit -Sn 777; uringctl ulimit')
    const differs = chooseInvokingShell([changed, proc('bash', 'bash')], {...tests, sameLimits: () => false})
    assert.equal(differs.chosen, changed)
  })

  test('-c is found among combined options but not after the script name', () => {
    assert.equal(isOneShotShell(proc('bash', 'bash', '-lc', 'x')), true)
    assert.equal(isOneShotShell(proc('bash', 'bash', '-e', '-c', 'x')), true)
    assert.equal(isOneShotShell(proc('bash', 'bash', 'script.sh', '-c')), false)
    assert.equal(isOneShotShell(proc('bash', '-bash')), false)
  })
})
