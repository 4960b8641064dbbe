// zcrx readiness logic on facts built from the captured fixtures (no hardware that splits is needed).
import assert from 'node:assert/strict'
import {constants} from 'node:os'
import {describe, test} from 'node:test'

import {decodeDatagram} from '../../dist/netlink/codec.js'
import {decodeRingsReply} from '../../dist/netlink/ethtool.js'
import {decodeQueue} from '../../dist/netlink/netdev.js'
import {decideVerdict, gatherEvidence} from '../../dist/probe/availability.js'
import {interpretZcrxProbe} from '../../dist/probe/zcrx.js'
import {verdictExitCode} from '../../dist/tcp-data-split/check.js'
import {kernelAtLeast} from '../../dist/tcp-data-split/drivers.js'
import {hostChecks} from '../../dist/tcp-data-split/host.js'
import {classify} from '../../dist/tcp-data-split/interfaces.js'
import {interfaceChecks, targetQueue} from '../../dist/tcp-data-split/zcrx.js'
import {datagrams} from './fixtures.js'

const {EFAULT, EPERM, EOPNOTSUPP, EINVAL, EMFILE, ENOMEM} = constants.errno
const rings = (name) => decodeRingsReply(decodeDatagram(datagrams(name)[0])[0], 0x15)
const iouringQueue = decodeQueue(decodeDatagram(datagrams('netdev_queue_get_synthetic_iouring.reply.hex')[0])[0], 20)

function nic({link: linkOverrides, ...overrides} = {}) {
  const link = {ifindex: 7, name: 'eth1', deviceType: 1, loopback: false, kind: null, parentBus: 'pci', parentDevice: '0000:01:00.0', mtu: 1500, numRxQueues: 8, xdp: {attached: 'none', progId: null}}
  return {
    link: {...link, ...linkOverrides},
    driver: 'bnxt_en',
    deviceClass: 'physical',
    rings: rings('rings_get_synthetic_hds_on.reply.hex'),
    ringsUnavailable: null,
    channels: {rxCount: 0, txCount: 0, otherCount: 1, combinedCount: 4, rxMax: 0, txMax: 0, otherMax: 1, combinedMax: 8},
    channelsUnavailable: null,
    sysfsRxQueues: 4,
    rxQueues: [0, 1, 2, 3].map((id) => ({ifindex: 7, id, type: 'rx', napiId: 8192 + id, memoryProvider: null, dmabufId: null, xsk: false})),
    rxQueuesUnavailable: null,
    ...overrides,
  }
}

const byId = (checks) => Object.fromEntries(checks.map((c) => [c.id, c]))

describe('per-interface zcrx checks', () => {
  test('a bnxt_en NIC with split on, threshold 0 and four queues passes every interface check', () => {
    const checks = interfaceChecks(nic(), '6.18.44', undefined)
    for (const c of checks) assert.equal(c.status, 'pass', `${c.id}: ${c.evidence}`)
    assert.match(byId(checks)['queue-free'].evidence, /rx queue 3 is free/)
    assert.ok(checks.every((c) => c.fix === null))
  })

  test('split off with threshold 256: both fail with the ethtool commands that fix them', () => {
    const checks = byId(interfaceChecks(nic({rings: rings('rings_get_synthetic_hds_off.reply.hex')}), '6.18', undefined))
    assert.equal(checks['tcp-data-split'].status, 'fail')
    assert.match(checks['tcp-data-split'].fix, /^ethtool -G eth1 tcp-data-split on/)
    assert.equal(checks['hds-threshold'].status, 'fail')
    assert.match(checks['hds-threshold'].fix, /^ethtool -G eth1 hds-thresh 0/)
  })

  test('an unknown split value is "unknown", not a pass', () => {
    const checks = byId(interfaceChecks(nic({rings: rings('rings_get_synthetic_tds_unknown_value.reply.hex')}), '6.18', undefined))
    assert.equal(checks['tcp-data-split'].status, 'unknown')
    assert.equal(checks['hds-threshold'].status, 'unknown')
  })

  test('a queue bound to io_uring fails the queue check; another queue can be chosen', () => {
    const facts = nic({link: {ifindex: 7}, rxQueues: [{...iouringQueue, id: 0, memoryProvider: null}, iouringQueue]})
    const taken = byId(interfaceChecks(facts, '6.18', 1))['queue-free']
    assert.equal(taken.status, 'fail')
    assert.match(taken.evidence, /rx queue 1 is bound to io_uring zcrx/)
    const other = byId(interfaceChecks(facts, '6.18', 0))['queue-free']
    assert.equal(other.status, 'pass')
    assert.match(other.evidence, /bound queues: 1: io_uring/)
  })

  test('an attached XDP program fails with the mode-specific detach command', () => {
    const checks = byId(interfaceChecks(nic({link: {xdp: {attached: 'driver', progId: 42}}}), '6.18', undefined))
    assert.equal(checks['no-xdp'].status, 'fail')
    assert.equal(checks['no-xdp'].fix, 'ip link set dev eth1 xdpdrv off')
  })

  test('one RX queue fails with ethtool -L when the device allows more', () => {
    const checks = byId(interfaceChecks(nic({channels: {rxCount: null, txCount: null, otherCount: null, combinedCount: 1, rxMax: null, txMax: null, otherMax: null, combinedMax: 8}}), '6.18', undefined))
    assert.equal(checks['rx-queues'].status, 'fail')
    assert.equal(checks['rx-queues'].fix, 'ethtool -L eth1 combined 2')
  })

  test('a known driver on a kernel older than its zcrx support fails; an unlisted physical driver is unknown', () => {
    assert.equal(byId(interfaceChecks(nic({driver: 'mlx5_core'}), '6.15.2', undefined))['driver-queue-api'].status, 'fail')
    assert.equal(byId(interfaceChecks(nic({driver: 'mlx5_core'}), '6.16.0', undefined))['driver-queue-api'].status, 'pass')
    assert.equal(byId(interfaceChecks(nic({driver: 'ixgbe'}), '6.18', undefined))['driver-queue-api'].status, 'unknown')
  })

  test('the default target queue is the highest RX queue', () => {
    assert.equal(targetQueue(nic(), undefined), 3)
    assert.equal(targetQueue(nic(), 0), 0)
  })
})

describe('device classes', () => {
  const link = {loopback: false, kind: null, parentBus: 'pci'}
  test('loopback, software, paravirtual and physical', () => {
    assert.equal(classify({...link, loopback: true, parentBus: null}, null), 'loopback')
    assert.equal(classify({...link, kind: 'veth', parentBus: null}, null), 'virtual')
    assert.equal(classify({...link, parentBus: 'virtio'}, 'virtio_net'), 'paravirtual')
    assert.equal(classify(link, 'bnxt_en'), 'physical')
  })
})

describe('host checks', () => {
  // Built from uringctl probe's own readings (made-up host facts), as gatherHostFacts() does on this host.
  const procFacts = {
    uid: 0, gid: 0, fsgid: 0, groups: [0], capSysAdmin: true, capNetAdmin: true, seccompMode: 0, seccompFilters: 0,
    lockedBytes: 0, ioUringDisabled: 0, ioUringGroup: -1, ioUringGroupName: null, user: 'root',
    memlock: {soft: 8 << 20, hard: 8 << 20},
  }
  function hostChecksFor({setupErrno = 0, registerErrno = EFAULT, ioUringDisabled = 0, capNetAdmin = true, initialUserNamespace = true} = {}) {
    const evidence = gatherEvidence(setupErrno, {...procFacts, ioUringDisabled, capNetAdmin})
    const availability = {...decideVerdict(evidence), evidence, features: 0}
    const zcrx = interpretZcrxProbe({setupErrno, registerErrno}, {capNetAdmin, initialUserNamespace})
    return {availability, zcrx, checks: hostChecks({kernel: '6.18.44', availability, zcrx})}
  }

  test('EFAULT from the zcrx opcode test: kernel has zcrx; root in the initial namespace passes', () => {
    assert.deepEqual(hostChecksFor().checks.map((c) => c.status), ['pass', 'pass', 'pass'])
  })

  test('EOPNOTSUPP (no CONFIG_IO_URING_ZCRX) and EINVAL (before 6.15) fail with an upgrade fix', () => {
    for (const registerErrno of [EOPNOTSUPP, EINVAL]) {
      const [kernel] = hostChecksFor({registerErrno}).checks
      assert.equal(kernel.status, 'fail')
      assert.match(kernel.fix, /CONFIG_IO_URING_ZCRX=y/)
    }
  })

  test('EPERM: zcrx exists, but CAP_NET_ADMIN is missing', () => {
    const [kernel, , cap] = hostChecksFor({registerErrno: EPERM, capNetAdmin: false}).checks
    assert.equal(kernel.status, 'pass')
    assert.equal(cap.status, 'fail')
    assert.ok(cap.fix)
  })

  test('io_uring disabled by sysctl fails with the sysctl that re-enables it, in uringctl probe\'s words', () => {
    const {availability, checks: [, allowed]} = hostChecksFor({ioUringDisabled: 2, setupErrno: EPERM, registerErrno: 0})
    assert.equal(allowed.status, 'fail')
    assert.match(allowed.fix, /^sudo sysctl -w kernel\.io_uring_disabled=0 /)
    assert.equal(allowed.fix, availability.fix)
    assert.equal(allowed.evidence, `${availability.summary} (uringctl probe: disabled-by-sysctl)`)
  })

  test('inside a child user namespace, CAP_NET_ADMIN there is not enough', () => {
    assert.equal(hostChecksFor({initialUserNamespace: false}).checks[2].status, 'fail')
    // Root of a child namespace: the EPERM is the kernel's capability check, so the kernel does have zcrx.
    const [kernel, , cap] = hostChecksFor({registerErrno: EPERM, initialUserNamespace: false}).checks
    assert.equal(kernel.status, 'pass')
    assert.equal(cap.status, 'fail')
    assert.match(cap.evidence, /CapEff has CAP_NET_ADMIN; inside a child user namespace/)
  })

  test('EPERM despite CAP_NET_ADMIN in the initial namespace: the kernel answer is unknown and the fix is the filter', () => {
    const [kernel, , cap] = hostChecksFor({registerErrno: EPERM}).checks
    assert.equal(kernel.status, 'unknown')
    assert.match(kernel.fix, /seccomp profile/)
    assert.equal(cap.status, 'pass')
  })

  test('an io_uring_setup errno probe cannot explain leaves io-uring-allowed unknown; the others fail', () => {
    assert.equal(hostChecksFor({setupErrno: EMFILE, registerErrno: 0}).checks[1].status, 'unknown')
    const blocked = hostChecksFor({setupErrno: ENOMEM, registerErrno: 0})
    assert.equal(blocked.checks[1].status, 'fail')
    assert.equal(blocked.checks[1].fix, blocked.availability.fix)
    assert.equal(blocked.checks[0].status, 'unknown', 'no ring, so the zcrx opcode was not tried')
  })
})

describe('exit codes', () => {
  const iface = (supported, errno, checks) => ({
    tcpDataSplit: {supported},
    ringsUnavailable: errno ? {errno, reason: ''} : null,
    zcrx: {ready: checks.every((c) => c.status === 'pass'), checks},
  })
  const report = (interfaces) => ({allSupportSplit: interfaces.every((i) => i.tcpDataSplit.supported), allZcrxReady: interfaces.every((i) => i.zcrx.ready), interfaces})
  const pass = {id: 'real-device', status: 'pass'}

  test('0 when all support split; 3 when one does not; 5 when the only gap is permission', () => {
    assert.equal(verdictExitCode(report([iface(true, null, [pass])]), false), 0)
    assert.equal(verdictExitCode(report([iface(true, null, []), iface(false, 'EOPNOTSUPP', [])]), false), 3)
    assert.equal(verdictExitCode(report([iface(true, null, []), iface(false, 'EPERM', [])]), false), 5)
  })

  test('with --zcrx: 0 when ready, 5 when only privilege checks fail, 3 otherwise', () => {
    assert.equal(verdictExitCode(report([iface(true, null, [pass])]), true), 0)
    assert.equal(verdictExitCode(report([iface(true, null, [pass, {id: 'cap-net-admin', status: 'fail'}])]), true), 5)
    assert.equal(verdictExitCode(report([iface(true, null, [{id: 'cap-net-admin', status: 'fail'}, {id: 'tcp-data-split', status: 'fail'}])]), true), 3)
  })

  test('kernel versions compare by major.minor', () => {
    assert.equal(kernelAtLeast('6.18.44-fc-v669', '6.15'), true)
    assert.equal(kernelAtLeast('6.9.0', '6.15'), false)
    assert.equal(kernelAtLeast('7.0', '6.16'), true)
    assert.equal(kernelAtLeast('garbage', '6.15'), false)
  })
})
