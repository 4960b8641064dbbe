// End to end: `uringctl tcp-data-split check` on this machine's interfaces and on a veth pair in a network
// namespace this test creates and removes, compared with `ethtool -g` when ethtool is installed.
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {after, before, describe, test} from 'node:test'

import {runCli} from '../helpers/cli.js'

const hasEthtool = spawnSync('ethtool', ['--version']).status === 0

/** `ethtool -g IFACE` as ethtool sees it: its exit status, its "TCP data split:" word, and current RX/TX. */
function ethtoolRings(name, netns) {
  const argv = netns ? ['ip', 'netns', 'exec', netns, 'ethtool', '-g', name] : ['ethtool', '-g', name]
  const r = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8'})
  const current = r.stdout.split('Current hardware settings:')[1] ?? ''
  const field = (text, label) => {
    const v = new RegExp(`^${label}:\\s*(\\S+)$`, 'm').exec(text)?.[1]
    return v === undefined || v === 'n/a' ? null : Number(v)
  }
  return {
    ok: r.status === 0,
    split: /^TCP data split:\s*(.+)$/m.exec(r.stdout)?.[1].trim() ?? null,
    rx: field(current, 'RX'),
    tx: field(current, 'TX'),
    error: r.stderr.trim(),
  }
}

/** Our answer must agree with ethtool's on every interface: same "TCP data split" word, same rings. */
function assertAgreesWithEthtool(report, netns) {
  for (const i of report.interfaces) {
    const theirs = ethtoolRings(i.name, netns)
    assert.equal(i.tcpDataSplit.ethtool, theirs.split, `${i.name}: TCP data split`)
    assert.equal(i.rings !== null, theirs.ok, `${i.name}: ring parameters reported (ethtool: ${theirs.error})`)
    if (i.rings) assert.deepEqual([i.rings.rx, i.rings.tx], [theirs.rx, theirs.tx], `${i.name}: current RX/TX ring sizes`)
    if (i.ringsUnavailable?.errno === 'EOPNOTSUPP') assert.match(theirs.error, /Operation not supported/)
  }
}

describe('this machine\'s interfaces', () => {
  let all
  before(async () => {
    all = await runCli(['tcp-data-split', 'check', '--json'])
  })

  test('every interface of this network namespace is reported, in ifindex order', () => {
    const report = all.json()
    assert.equal(report.schemaVersion, 1)
    assert.deepEqual(report.interfaces.map((i) => i.name).sort(), readdirSync('/sys/class/net').sort())
    const indexes = report.interfaces.map((i) => i.ifindex)
    assert.deepEqual(indexes, [...indexes].sort((a, b) => a - b))
  })

  test('none of them splits: exit code 3 (not supported), and the JSON says why per interface', () => {
    assert.equal(all.code, 3)
    const report = all.json()
    assert.equal(report.allSupportSplit, false)
    const lo = report.interfaces.find((i) => i.name === 'lo')
    assert.deepEqual([lo.deviceClass, lo.rings, lo.ringsUnavailable.errno, lo.tcpDataSplit.state, lo.tcpDataSplit.ethtool], ['loopback', null, 'EOPNOTSUPP', 'not-reported', null])
  })

  test('eth0 (virtio_net): rings reported, split not reported, a paravirtual device', {skip: !readdirSync('/sys/class/net').includes('eth0')}, () => {
    const eth0 = all.json().interfaces.find((i) => i.name === 'eth0')
    assert.equal(eth0.driver, 'virtio_net')
    assert.equal(eth0.deviceClass, 'paravirtual')
    assert.equal(eth0.physical, false)
    assert.deepEqual(eth0.tcpDataSplit, {state: 'not-reported', value: null, ethtool: 'n/a', supported: false, enabled: false})
    assert.ok(eth0.rings.rx > 0 && eth0.rings.rxMax >= eth0.rings.rx)
    // The documented schema: the ring sizes only, in this order (split and threshold have their own fields).
    assert.deepEqual(Object.keys(eth0.rings), ['rx', 'rxMax', 'rxMini', 'rxMiniMax', 'rxJumbo', 'rxJumboMax', 'tx', 'txMax', 'rxBufLen', 'cqeSize'])
    assert.equal(eth0.ringsUnavailable, null)
  })

  test('ifb devices are software devices without ring parameters', {skip: !readdirSync('/sys/class/net').includes('ifb0')}, () => {
    const ifb = all.json().interfaces.find((i) => i.name === 'ifb0')
    assert.deepEqual([ifb.kind, ifb.deviceClass, ifb.driver, ifb.ringsUnavailable.errno], ['ifb', 'virtual', null, 'EOPNOTSUPP'])
  })

  test('agrees with ethtool -g on every interface', {skip: !hasEthtool && 'ethtool is not installed'}, () => {
    assertAgreesWithEthtool(all.json())
  })

  test('the table names every interface and the split state', async () => {
    const r = await runCli(['tcp-data-split', 'check', 'lo'])
    assert.equal(r.code, 3)
    assert.match(r.stdout, /\| lo +\| loopback \(loopback\) +\| not reported \(EOPNOTSUPP\)/)
    assert.match(r.stdout, /0 of 1 interface supports TCP data split/)
    assert.equal(r.stderr, '')
  })

  test('--zcrx lists every check with pass/fail/unknown, evidence and fixes', async () => {
    const r = await runCli(['tcp-data-split', 'check', 'lo', '--zcrx', '--json'])
    assert.equal(r.code, 3)
    const lo = r.json().interfaces[0]
    assert.deepEqual(lo.zcrx.checks.map((c) => c.id), ['kernel-zcrx', 'io-uring-allowed', 'cap-net-admin', 'real-device', 'driver-queue-api', 'tcp-data-split', 'hds-threshold', 'rx-queues', 'no-xdp', 'queue-free'])
    for (const c of lo.zcrx.checks) {
      assert.ok(['pass', 'fail', 'unknown'].includes(c.status), c.id)
      assert.ok(c.evidence.length > 0, c.id)
    }
    const status = Object.fromEntries(lo.zcrx.checks.map((c) => [c.id, c.status]))
    assert.equal(status['real-device'], 'fail')
    assert.equal(status['no-xdp'], 'pass')
    assert.equal(status['queue-free'], 'pass')
    assert.equal(lo.zcrx.ready, false)
    const table = await runCli(['tcp-data-split', 'check', 'lo', '--zcrx'])
    assert.match(table.stdout, /zero-copy receive on lo: not ready/)
    assert.match(table.stdout, /CAP_NET_ADMIN in the initial user namespace/)
  })

  test('--queue names a queue that does not exist: the queue check fails and says which exist', async () => {
    const r = await runCli(['tcp-data-split', 'check', 'lo', '--zcrx', '--queue', '9', '--json'])
    const check = r.json().interfaces[0].zcrx.checks.find((c) => c.id === 'queue-free')
    assert.equal(check.status, 'fail')
    assert.match(check.evidence, /rx queue 9 does not exist \(queues 0-0\)/)
  })
})

describe('without privileges', {skip: (process.getuid() !== 0 || spawnSync('setpriv', ['--version']).status !== 0) && 'needs root and setpriv to drop to nobody'}, () => {
  test('as nobody: reading works, zcrx says the kernel has it but CAP_NET_ADMIN is missing', async () => {
    const wrap = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all']
    const r = await runCli(['tcp-data-split', 'check', 'lo', '--zcrx', '--json'], {wrap, env: {HOME: '/tmp'}})
    assert.equal(r.code, 3)
    const checks = Object.fromEntries(r.json().interfaces[0].zcrx.checks.map((c) => [c.id, c]))
    assert.equal(checks['cap-net-admin'].status, 'fail')
    assert.match(checks['cap-net-admin'].evidence, /CapEff lacks CAP_NET_ADMIN/)
    assert.ok(checks['cap-net-admin'].fix)
    assert.notEqual(checks['kernel-zcrx'].status, 'unknown')
    assert.equal(r.json().interfaces[0].ringsUnavailable.errno, 'EOPNOTSUPP', 'GET requests need no privilege')
  })

  test('as nobody: the host checks say what uringctl probe says', async () => {
    const wrap = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all']
    const [check, probe] = await Promise.all([
      runCli(['tcp-data-split', 'check', 'lo', '--json'], {wrap, env: {HOME: '/tmp'}}),
      runCli(['probe', '--json'], {wrap, env: {HOME: '/tmp'}}),
    ])
    const checks = Object.fromEntries(check.json().interfaces[0].zcrx.checks.map((c) => [c.id, c]))
    const {availability, zcrx} = probe.json()
    assert.equal(zcrx.errnoName, 'EPERM')
    assert.equal(checks['kernel-zcrx'].evidence, `kernel ${check.json().kernel}: ${zcrx.detail}`)
    assert.equal(checks['io-uring-allowed'].evidence, `${availability.summary} (uringctl probe: ${availability.verdict})`)
    assert.equal(checks['cap-net-admin'].evidence, zcrx.privilege.detail)
    assert.equal(checks['cap-net-admin'].fix, zcrx.privilege.fix)
  })
})

describe('bad input', () => {
  test('an unknown interface: exit 4, one line naming the interfaces that exist', async () => {
    const r = await runCli(['tcp-data-split', 'check', 'lo', 'uringctl-nope0'])
    assert.equal(r.code, 4)
    assert.equal(r.stdout, '')
    const names = readdirSync('/sys/class/net')
    assert.match(r.stderr, /^Error: no such interface: "uringctl-nope0" \(interfaces in this network namespace: .+\)\n$/)
    for (const n of names) assert.ok(r.stderr.includes(n), `lists ${n}`)
  })

  test('an unknown interface under --json: the error object with the same exit code', async () => {
    const r = await runCli(['tcp-data-split', 'check', 'uringctl-nope0', '--json'])
    assert.equal(r.code, 4)
    assert.equal(r.json().error.code, 'NO_SUCH_INTERFACE')
    assert.equal(r.json().error.exitCode, 4)
  })

  test('a negative --queue is a usage error', async () => {
    const r = await runCli(['tcp-data-split', 'check', '--queue', '-1'])
    assert.equal(r.code, 2)
    assert.doesNotMatch(r.stderr, /\n\s+at /)
  })
})

describe('a veth pair in a network namespace', {skip: process.getuid() !== 0 && 'needs root for ip netns'}, () => {
  const netns = `uringctl-tds-${process.pid}`
  const ip = (...args) => execFileSync('ip', args, {stdio: 'pipe'})

  before(() => {
    ip('netns', 'add', netns)
    ip('-n', netns, 'link', 'add', 'tds0', 'numrxqueues', '4', 'numtxqueues', '4', 'type', 'veth', 'peer', 'name', 'tds1')
    ip('-n', netns, 'link', 'set', 'tds0', 'up')
    ip('-n', netns, 'link', 'set', 'tds1', 'up')
  })
  after(() => {
    ip('netns', 'del', netns)
  })

  const inNetns = (args) => runCli(args, {wrap: ['ip', 'netns', 'exec', netns]})

  test('only the namespace\'s interfaces are reported; veth has no ring parameters', async () => {
    const r = await inNetns(['tcp-data-split', 'check', '--json'])
    assert.equal(r.code, 3)
    const report = r.json()
    assert.deepEqual(report.interfaces.map((i) => i.name).sort(), ['lo', 'tds0', 'tds1'])
    const veth = report.interfaces.find((i) => i.name === 'tds0')
    assert.deepEqual([veth.kind, veth.deviceClass, veth.physical], ['veth', 'virtual', false])
    assert.equal(veth.tcpDataSplit.supported, false)
    if (veth.rings === null) assert.equal(veth.ringsUnavailable.errno, 'EOPNOTSUPP')
  })

  test('agrees with ethtool -g inside the namespace', {skip: !hasEthtool && 'ethtool is not installed'}, async () => {
    const r = await inNetns(['tcp-data-split', 'check', '--json'])
    assertAgreesWithEthtool(r.json(), netns)
  })

  test('zcrx checks on veth: four RX queues pass, the device itself fails', async () => {
    const r = await inNetns(['tcp-data-split', 'check', 'tds0', '--zcrx', '--json'])
    assert.equal(r.code, 3)
    const checks = Object.fromEntries(r.json().interfaces[0].zcrx.checks.map((c) => [c.id, c]))
    assert.equal(checks['rx-queues'].status, 'pass')
    assert.match(checks['rx-queues'].evidence, /^4 RX queues/)
    assert.equal(checks['real-device'].status, 'fail')
    assert.match(checks['real-device'].evidence, /software device \(veth\)/)
    assert.equal(checks['queue-free'].status, 'pass')
    assert.match(checks['queue-free'].evidence, /rx queue 3 is free/)
    assert.equal(checks['no-xdp'].status, 'pass')
  })

  test('an interface of the host is not in the namespace: exit 4 lists exactly the namespace\'s interfaces', async () => {
    const r = await inNetns(['tcp-data-split', 'check', 'eth0'])
    assert.equal(r.code, 4)
    const listed = /no such interface: "eth0" \(interfaces in this network namespace: (.+)\)/.exec(r.stderr)?.[1]
    assert.deepEqual(listed?.split(', ').sort(), ['lo', 'tds0', 'tds1'])
  })
})
