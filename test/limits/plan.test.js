// The connection plan's arithmetic and fixes, on fixtures of real /proc files (test/fixtures/limits/).
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {describe, test} from 'node:test'

import {root} from '../helpers/cli.js'

const {selectTarget} = await import(join(root, 'dist/limits/target.js'))
const {collectFigures} = await import(join(root, 'dist/limits/figures.js'))
const planModule = await import(join(root, 'dist/limits/plan.js'))
const {planConnections} = planModule
const {checkRequirements, parseRequirements} = await import(join(root, 'dist/limits/require.js'))

function figuresOf(fixture, pid, pageSize) {
  const base = join(root, 'test/fixtures/limits', fixture)
  const paths = {proc: join(base, 'proc'), passwd: join(base, 'etc/passwd')}
  return collectFigures(paths, selectTarget(paths, {pid}), pageSize)
}

const byId = (plan) => Object.fromEntries(plan.checks.map((check) => [check.id, check]))

describe('Debian VM, 4 GiB, systemd service api.service as www-data (nofile 1024:524288)', () => {
  const figures = figuresOf('debian-service-4g', 812, 4096)

  test('figures come from the fixture files', () => {
    assert.deepEqual(figures.limits.nofile, {soft: 1024, hard: 524288})
    assert.deepEqual(figures.limits.memlock, {soft: 8388608, hard: 8388608})
    assert.equal(figures.openFds, 12)
    assert.equal(figures.target.user, 'www-data')
    assert.deepEqual(figures.target.systemdUnit, {name: 'api.service', userManager: false})
    assert.equal(figures.target.canLockMemory, false)
    assert.equal(figures.host.fileMax, Infinity, "systemd's LONG_MAX file-max reads as unlimited")
    assert.deepEqual(figures.host.ipLocalPortRange, {low: 32768, high: 60999, count: 28232})
    assert.deepEqual(figures.host.tcpMem, {low: 92160, pressure: 122880, high: 184320})
    assert.equal(figures.host.memTotal, 4 * 1024 ** 3)
  })

  const plan = planConnections(figures, {connections: 100000, role: 'server'})
  const checks = byId(plan)

  test('fds: 100000 + 64 needed; soft 1024 warns (hard allows it), hard and nr_open pass', () => {
    assert.equal(plan.fdsNeeded, 100064)
    assert.equal(checks['nofile-soft'].status, 'warn')
    assert.equal(checks['nofile-hard'].status, 'pass')
    assert.equal(checks['fs.nr_open'].status, 'pass')
    assert.equal(checks['fs.file-max'].status, 'pass')
    assert.equal(checks.ports, undefined, 'a server has no ephemeral port check')
  })

  test('the soft-limit fixes keep the hard limit and name the unit and user', () => {
    const fixes = Object.fromEntries(checks['nofile-soft'].fixes.map((fix) => [fix.kind, fix.text]))
    assert.equal(fixes.prlimit, 'prlimit --pid 812 --nofile=100064:')
    assert.equal(fixes.shell, undefined, 'the target is not a shell')
    assert.equal(
      fixes.systemd,
      "mkdir -p /etc/systemd/system/api.service.d && printf '[Service]\\nLimitNOFILE=100064:524288\\n' > /etc/systemd/system/api.service.d/90-limitnofile.conf && systemctl daemon-reload && systemctl restart api.service",
    )
    assert.equal(fixes['limits.conf'], 'www-data soft nofile 100064')
  })

  test('backlog: both queues warn below min(100000, 65535)', () => {
    assert.equal(checks['net.core.somaxconn'].status, 'warn')
    assert.equal(checks['net.core.somaxconn'].need, 65535)
    assert.equal(checks['net.core.somaxconn'].fixes[0].text, 'sysctl -w net.core.somaxconn=65535')
    assert.equal(checks['net.ipv4.tcp_max_syn_backlog'].have, 512)
  })

  test('TCP memory: 100000 x 8 KiB minimal buffers exceed tcp_mem high (184320 pages); the fix raises it to 200000 pages', () => {
    const high = checks['tcp_mem-high']
    assert.equal(high.need, 100000 * (4096 + 4096))
    assert.equal(high.have, 184320 * 4096)
    assert.equal(high.status, 'fail')
    assert.equal(high.fixes[0].text, 'sysctl -w net.ipv4.tcp_mem="92160 122880 200000"')
  })

  test('TCP memory: default buffers (128 + 16 KiB) beyond half the RAM get a per-connection budget, not a sysctl', () => {
    const pressure = checks['tcp_mem-pressure']
    assert.equal(pressure.need, 100000 * (131072 + 16384))
    assert.equal(pressure.status, 'warn')
    assert.equal(pressure.fixes[0].kind, 'design')
    assert.match(pressure.fixes[0].text, /within 4\.9 KiB/) // floor(122880 * 4096 / 100000) = 5033 B
  })

  test('memlock: one 4 KiB page per connection (390.6 MiB) warns over 8 MiB; limits.conf gets KiB', () => {
    assert.equal(checks.memlock.need, 409600000)
    assert.equal(checks.memlock.status, 'warn')
    const conf = checks.memlock.fixes.find((fix) => fix.kind === 'limits.conf')
    assert.equal(conf.text, 'www-data soft memlock 400000\nwww-data hard memlock 400000')
  })

  test('overall fail, with the traps that apply', () => {
    assert.equal(plan.status, 'fail')
    assert.deepEqual(plan.traps.map((trap) => trap.id), ['select-fd-setsize', 'limitnofile-infinity', 'bash-ulimit-n', 'runtime-raises-soft'])
  })

  test('1000 connections pass the fd checks and need no select() warning', () => {
    const small = planConnections(figures, {connections: 900, role: 'server'})
    assert.equal(small.fdsNeeded, 964)
    assert.equal(byId(small)['nofile-soft'].status, 'pass')
    assert.equal(small.traps.find((trap) => trap.id === 'select-fd-setsize'), undefined)
  })

  test('a hard limit below the need fails both nofile lines; the fix raises both, soft line has none', () => {
    const low = {...figures, limits: {...figures.limits, nofile: {soft: 1024, hard: 4096}}}
    const plan = byId(planConnections(low, {connections: 10000, role: 'server'}))
    assert.equal(plan['nofile-hard'].status, 'fail')
    assert.equal(plan['nofile-soft'].status, 'fail')
    assert.deepEqual(plan['nofile-soft'].fixes, [])
    assert.equal(plan['nofile-hard'].fixes[0].text, 'prlimit --pid 812 --nofile=10064:10064')
    assert.equal(plan['nofile-hard'].fixes.find((fix) => fix.kind === 'limits.conf').text, 'www-data soft nofile 10064\nwww-data hard nofile 10064')
  })

  test('above fs.nr_open fails with the sysctl that lifts it', () => {
    const plan = byId(planConnections(figures, {connections: 2000000, role: 'server'}))
    assert.equal(plan['fs.nr_open'].status, 'fail')
    assert.equal(plan['fs.nr_open'].fixes[0].text, 'sysctl -w fs.nr_open=2000064')
  })

  test('requirements evaluate against the same figures', () => {
    const results = checkRequirements(parseRequirements(['nofile>=65536,nofile.hard>=65536', 'fs.file-max=unlimited', 'memlock>=8M', 'ports>28232']), figures)
    assert.deepEqual(results.map((r) => [r.expression, r.actual, r.met]), [
      ['nofile>=65536', 1024, false],
      ['nofile.hard>=65536', 524288, true],
      ['fs.file-max=unlimited', Infinity, true],
      ['memlock>=8M', 8388608, true],
      ['ports>28232', 28232, false],
    ])
  })
})

describe('arm64 container host, 64 KiB pages, 1 GiB, user service loadgen.service (nofile = fs.nr_open)', () => {
  const figures = figuresOf('arm64-64k-container', 4242, 65536)

  test('user-manager unit and unlimited memlock are read', () => {
    assert.deepEqual(figures.target.systemdUnit, {name: 'loadgen.service', userManager: true})
    assert.equal(figures.limits.memlock.soft, Infinity)
    assert.deepEqual(figures.host.fileNr, {allocated: 2000, unused: 0, max: 65536})
  })

  test('client, 40000 connections: the port range fix widens 32768-60999 to exactly 40000 ports', () => {
    const checks = byId(planConnections(figures, {connections: 40000, role: 'client'}))
    assert.equal(checks.ports.status, 'fail')
    assert.equal(checks.ports.fixes[0].text, 'sysctl -w net.ipv4.ip_local_port_range="25536 65535"')
    assert.equal(checks['net.core.somaxconn'], undefined, 'a client has no backlog check')
    assert.equal(checks['fs.file-max'].status, 'pass') // 65536 - 2000 = 63536 >= 40064
  })

  test('client, 70000 connections: more than one source can have ports for one destination', () => {
    const plan = planConnections(figures, {connections: 70000, role: 'client'})
    const checks = byId(plan)
    assert.deepEqual(checks.ports.fixes.map((fix) => fix.kind), ['sysctl', 'design'])
    assert.match(checks.ports.fixes[1].text, /over 2 destination addresses/)
    assert.equal(checks['fs.file-max'].status, 'fail')
    assert.equal(checks['fs.file-max'].fixes[0].text, 'sysctl -w fs.file-max=72064')
    // 64 KiB pages: tcp_mem high 3072 pages = 192 MiB; 70000 x 8 KiB = 560 MiB > half of 1 GiB.
    assert.equal(checks['tcp_mem-high'].have, 3072 * 65536)
    assert.equal(checks['tcp_mem-high'].fixes[0].kind, 'design')
    assert.equal(checks.memlock.status, 'pass')
    assert.equal(checks['nofile-soft'].status, 'pass')
  })

  test('client, 40000: tcp_mem high is counted in 64 KiB pages (5000 pages = 40000 x 8 KiB)', () => {
    const checks = byId(planConnections(figures, {connections: 40000, role: 'client'}))
    assert.equal(checks['tcp_mem-high'].fixes[0].text, 'sysctl -w net.ipv4.tcp_mem="1536 2048 5000"')
  })

  test('a hard limit equal to fs.nr_open raises the LimitNOFILE=infinity trap even when nofile passes', () => {
    const plan = planConnections(figures, {connections: 40000, role: 'client'})
    const trap = plan.traps.find((t) => t.id === 'limitnofile-infinity')
    assert.match(trap.message, /equals fs\.nr_open/)
    assert.equal(plan.traps.find((t) => t.id === 'bash-ulimit-n'), undefined)
  })

  test('systemd fixes for a user unit go to ~/.config and systemctl --user', () => {
    const low = {...figures, limits: {...figures.limits, nofile: {soft: 1024, hard: 1048576}}}
    const fix = byId(planConnections(low, {connections: 5000, role: 'client'}))['nofile-soft'].fixes.find((f) => f.kind === 'systemd')
    assert.match(fix.text, /^mkdir -p ~\/\.config\/systemd\/user\/loadgen\.service\.d .*systemctl --user daemon-reload && systemctl --user restart loadgen\.service$/)
  })
})

describe('one million connections on the 4 GiB Debian VM: the memory check from the measured costs', () => {
  const figures = figuresOf('debian-service-4g', 812, 4096)
  const {connectionCosts} = planModule

  test('a server: kernel per socket plus echo serve per connection, against the host memory, with a design fix', () => {
    const memory = byId(planConnections(figures, {connections: 1_000_000, role: 'server'})).memory
    assert.equal(memory.need, 1_000_000 * (connectionCosts.kernelPerEnd + connectionCosts.server))
    assert.equal(memory.have, 4 * 1024 ** 3)
    assert.equal(memory.status, memory.need > memory.have ? 'fail' : 'warn')
    assert.match(memory.fixes[0].text, /^spread the connections over \d+ hosts like this one, or use one with at least [\d.]+ GiB of memory$/)
  })

  test('a client counts echo bench per connection; 10000 connections pass with no fix', () => {
    const client = byId(planConnections(figures, {connections: 1_000_000, role: 'client'})).memory
    assert.equal(client.need, 1_000_000 * (connectionCosts.kernelPerEnd + connectionCosts.client))
    const small = byId(planConnections(figures, {connections: 10_000, role: 'server'})).memory
    assert.equal(small.status, 'pass')
    assert.deepEqual(small.fixes, [])
  })
})
