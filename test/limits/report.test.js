// uringctl ulimit's figures against util-linux prlimit and /proc/PID/limits, on real processes.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {jsonBetween, openFdsOf, pick, prlimitOf, procLimitsOf, startShell, startSleeper, uringctl} from './processes.js'

test('default target is the bash that ran node bin/run.js, with its own limits, not Node\'s raised ones', async () => {
  const script = [
    'ulimit -Sn 777',
    'ulimit -Sl 64', // memlock in KiB: 65536 bytes
    'echo __DEFAULT__', `${uringctl} ulimit --json`,
    'echo __SELF__', `${uringctl} ulimit --self --json`,
    'echo __TABLE__', `${uringctl} ulimit`,
    'echo __END__',
  ].join('\n')
  const shell = startShell(script)
  try {
    const {stdout} = await shell.done()
    const report = jsonBetween(stdout, '__DEFAULT__', '__SELF__')
    assert.deepEqual(Object.keys(report), ['schemaVersion', 'target', 'limits', 'openFds', 'host', 'plan', 'requirements'])
    assert.equal(report.schemaVersion, 1)
    assert.equal(report.target.pid, shell.pid)
    assert.equal(report.target.how, 'invoking-shell')
    assert.equal(report.target.comm, 'bash')
    assert.equal(report.target.commandLine[0], 'bash')
    assert.equal(report.target.commandLine[1], '-c')
    assert.deepEqual(report.target.skipped, [])

    const fromPrlimit = pick(prlimitOf(shell.pid))
    assert.deepEqual(report.limits, fromPrlimit)
    assert.deepEqual(report.limits, procLimitsOf(shell.pid))
    assert.equal(report.limits.nofile.soft, 777)
    assert.equal(report.limits.memlock.soft, 65536)
    assert.equal(report.openFds, openFdsOf(shell.pid))

    const host = report.host
    const sysctl = (name) => readFileSync(`/proc/sys/${name.replaceAll('.', '/')}`, 'utf8').trim().split(/\s+/).map(Number)
    assert.equal(host.nrOpen, sysctl('fs.nr_open')[0])
    assert.equal(host.somaxconn, sysctl('net.core.somaxconn')[0])
    assert.equal(host.tcpMaxSynBacklog, sysctl('net.ipv4.tcp_max_syn_backlog')[0])
    const [low, high] = sysctl('net.ipv4.ip_local_port_range')
    assert.deepEqual(host.ipLocalPortRange, {low, high, count: high - low + 1})
    assert.deepEqual(Object.values(host.tcpMem), sysctl('net.ipv4.tcp_mem'))
    assert.deepEqual(Object.values(host.tcpRmem), sysctl('net.ipv4.tcp_rmem'))
    assert.equal(host.pageSize, Number(readFileSync('/proc/self/smaps', 'utf8').match(/KernelPageSize:\s+(\d+) kB/)[1]) * 1024)

    // Node raises its own soft limit to the hard limit: exactly what the default must not report.
    const self = jsonBetween(stdout, '__SELF__', '__TABLE__')
    assert.equal(self.target.how, 'self')
    assert.notEqual(self.target.pid, shell.pid)
    assert.equal(self.limits.nofile.soft, self.limits.nofile.hard)
    assert.equal(self.limits.nofile.hard, report.limits.nofile.hard)

    const table = stdout.slice(stdout.lastIndexOf('__TABLE__\n'), stdout.lastIndexOf('__END__\n'))
    assert.match(table, new RegExp(`Target: pid ${shell.pid}, the invoking shell: bash -c \\$'ulimit -Sn 777\\\\nulimit -Sl 64\\\\n`))
    assert.match(table, /\| nofile +\| 777 +\|/)
  } finally {
    await shell.close()
  }
})

test('--pid: a child started with unusual limits (prlimit, and bash ulimit -Sn before exec)', async () => {
  const viaPrlimit = await startSleeper(['prlimit', '--nofile=1234:5678', '--memlock=65536:131072', '--nproc=4000:5000', 'sleep', '30'])
  const viaBash = await startSleeper(['bash', '-c', 'ulimit -Sn 777; ulimit -l 256; exec sleep 30'])
  try {
    for (const child of [viaPrlimit, viaBash]) {
      const r = await runCli(['ulimit', '--pid', String(child.pid), '--json'])
      assert.equal(r.code, 0, r.stderr)
      const report = r.json()
      assert.equal(report.target.pid, child.pid)
      assert.equal(report.target.how, 'pid')
      assert.deepEqual(report.target.commandLine, ['sleep', '30'])
      assert.deepEqual(report.limits, pick(prlimitOf(child.pid)))
      assert.deepEqual(report.limits, procLimitsOf(child.pid))
      assert.equal(report.openFds, openFdsOf(child.pid))
    }
    assert.deepEqual(prlimitOf(viaPrlimit.pid).nofile, {soft: 1234, hard: 5678})
    const bashChild = (await runCli(['ulimit', '--pid', String(viaBash.pid), '--json'])).json()
    assert.equal(bashChild.limits.nofile.soft, 777)
    assert.deepEqual(bashChild.limits.memlock, {soft: 262144, hard: 262144})
  } finally {
    await viaPrlimit.kill()
    await viaBash.kill()
  }
})

test('--require: exit 0 when met, 3 listing every shortfall, 2 naming the valid names', async () => {
  const child = await startSleeper(['prlimit', '--nofile=1234:5678', 'sleep', '30'])
  try {
    const met = await runCli(['ulimit', '--pid', String(child.pid), '--require', 'nofile>=1024,nofile.hard=5678', '--require', 'fs.nr_open>0'])
    assert.equal(met.code, 0, met.stderr)
    assert.match(met.stdout, /\| met +\| nofile>=1024 +\| 1234 +\|/)

    const short = await runCli(['ulimit', '--pid', String(child.pid), '--require', 'nofile>=65536,nofile.hard>=65536,nproc>=1', '--json'])
    assert.equal(short.code, 3)
    const results = short.json().requirements
    assert.deepEqual(results.map((r) => [r.expression, r.actual, r.met]), [
      ['nofile>=65536', 1234, false],
      ['nofile.hard>=65536', 5678, false],
      ['nproc>=1', prlimitOf(child.pid).nproc.soft, true],
    ])

    const text = await runCli(['ulimit', '--pid', String(child.pid), '--require', 'nofile>=65536'])
    assert.equal(text.code, 3)
    assert.equal(text.stderr, 'Error: 1 requirement not met: nofile is 1234, needs >= 65536\n')

    const unknown = await runCli(['ulimit', '--require', 'open_files>=10', '--json'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.json().error.message, /unknown name "open_files"; valid names: nofile, nofile\.hard, memlock/)
  } finally {
    await child.kill()
  }
})

test('--connections plan on a real target: fail exits 4 with the fixes, pass exits 0', async () => {
  const child = await startSleeper(['prlimit', '--nofile=1024:4096', 'sleep', '30'])
  try {
    const fails = await runCli(['ulimit', '--pid', String(child.pid), '--connections', '10000', '--json'])
    assert.equal(fails.code, 4)
    const plan = fails.json().plan
    assert.equal(plan.fdsNeeded, 10064)
    const hard = plan.checks.find((c) => c.id === 'nofile-hard')
    assert.deepEqual([hard.status, hard.have, hard.need], ['fail', 4096, 10064])
    assert.equal(hard.fixes[0].text, `prlimit --pid ${child.pid} --nofile=10064:10064`)

    const fits = await runCli(['ulimit', '--pid', String(child.pid), '--connections', '500', '--role', 'client'])
    assert.equal(fits.code, 0, fits.stderr)
    assert.match(fits.stdout, /Plan: 500 connections as a client/)
    assert.match(fits.stdout, /\| pass +\| nofile-soft +\| 1024 +\| 564 +\|/)
    assert.match(fits.stdout, /\| pass +\| ports +\|/)

    const noConnections = await runCli(['ulimit', '--role', 'client'])
    assert.equal(noConnections.code, 2)
    assert.match(noConnections.stderr, /--role .* give --connections too/)
  } finally {
    await child.kill()
  }
})
