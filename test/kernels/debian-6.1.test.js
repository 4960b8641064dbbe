// A second real kernel: Debian 12's own linux-image-6.1.*-amd64, booted under QEMU (TCG) from an
// initramfs built from this checkout (vm.js). inside.js runs the kernel-facing checks there; this file
// asserts on what they printed. Expectations come from test/fixtures/kernels/io_uring_features.tsv (the
// first kernel of every opcode, setup flag and feature bit): whatever is 6.1 or older is there, the rest not.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {before, describe, test} from 'node:test'

import {root} from '../helpers/cli.js'
import {bootVm, buildVm} from './vm.js'

const catalog = readFileSync(join(root, 'test', 'fixtures', 'kernels', 'io_uring_features.tsv'), 'utf8')
  .trim().split('\n').slice(1).map((line) => {
    const [kind, name, value, since] = line.split('\t')
    return {kind, name, value, since}
  })

function olderOrEqual(version, than) {
  const [a, b] = version.split('.').map(Number)
  const [c, d] = than.split('.').map(Number)
  return a < c || (a === c && b <= d)
}
const in61 = (row) => olderOrEqual(row.since, '6.1')

// What servers ask about, as Linux 6.1 has it (bundles 6.10, zcrx 6.15).
const capabilities61 = {
  'multishot-accept': true, 'multishot-recv': true, 'buffer-rings': true, 'recv-bundle': false, 'send-bundle': false,
  'send-zc': true, sqpoll: true, 'defer-taskrun': true, 'registered-ring-fd': true, 'fixed-files': true,
  'linked-timeout': true, zcrx: false,
}

let vm
let boot

before(async () => {
  vm = buildVm()
  boot = await bootVm(vm, {timeoutMs: 9 * 60 * 1000})
}, {timeout: 10 * 60 * 1000})

function consoleTail() {
  return boot.console.split('\n').slice(-40).join('\n')
}

/** The record of one check inside the VM; fails with the VM's console when it never ran. */
function result(name) {
  const found = boot.records.find((r) => r.check === name)
  if (!found) assert.fail(`check "${name}" has no result from inside the VM (QEMU ${JSON.stringify(boot.qemu)}); console:\n${consoleTail()}`)
  return found
}

function explain(r) {
  return `inside the VM: ${r.command}\nexit code ${r.exitCode}${r.signal ? ` (signal ${r.signal})` : ''}\nstderr:\n${r.stderr || '(empty)'}\nstdout (start):\n${r.stdout.slice(0, 1500) || '(empty)'}`
}

/** A check that must have exited with `code`; its output parsed as JSON (or NDJSON lines with ndjson). */
function ran(name, code = 0, {ndjson = false, json = true} = {}) {
  const r = result(name)
  assert.equal(r.exitCode, code, explain(r))
  if (!json) return r.stdout
  try {
    return ndjson ? r.stdout.trim().split('\n').map((l) => JSON.parse(l)) : JSON.parse(r.stdout)
  } catch (error) {
    assert.fail(`${error.message}\n${explain(r)}`)
  }
}

describe('Debian 12 kernel 6.1 under QEMU', () => {
  test('the VM boots Debian\'s 6.1 kernel, runs every check and powers off', (t) => {
    assert.equal(boot.qemu.timedOut, false, `QEMU was killed after the time limit; console:\n${consoleTail()}`)
    assert.equal(boot.qemu.code, 0, `QEMU ${JSON.stringify(boot.qemu)}; console:\n${consoleTail()}`)
    const environment = JSON.parse(result('environment').stdout)
    assert.match(environment.release, /^6\.1\.\d+-\d+-amd64$/)
    assert.equal(environment.release, vm.release)
    result('done')
    t.diagnostic(`${vm.deb}: ${boot.records.length - 2} checks in ${boot.seconds} s of QEMU (TCG)`)
  })

  describe('probe', () => {
    test('io_uring is available; kernel.io_uring_disabled (6.6+) is reported absent, not as an error', () => {
      const probe = ran('probe')
      assert.match(probe.kernel.release, /^6\.1\./)
      assert.equal(probe.availability.verdict, 'available')
      assert.equal(probe.availability.evidence.ioUringDisabled, null)
      assert.equal(probe.availability.evidence.ioUringGroup, null)
      const table = ran('probe-table', 0, {json: false})
      assert.match(table, /^io_uring: available on Linux 6\.1\./)
      assert.match(table, /kernel\.io_uring_disabled=absent; kernel\.io_uring_group=absent/)
      assert.equal(result('probe-table').stderr, '')
    })

    test('--require names what 6.1 lacks (exit 8) and --format env says 0 for it', () => {
      const env = ran('probe-require', 8, {json: false})
      assert.match(result('probe-require').stderr, /missing required capabilities: recv-bundle, zcrx/)
      assert.match(env, /^URING_VERDICT='available'$/m)
      assert.match(env, /^URING_HAVE_MULTISHOT_RECV=1$/m)
      assert.match(env, /^URING_HAVE_DEFER_TASKRUN=1$/m)
      assert.match(env, /^URING_HAVE_RECV_BUNDLE=0$/m)
      assert.match(env, /^URING_HAVE_OP_SENDMSG_ZC=1$/m)
      assert.match(env, /^URING_HAVE_OP_READ_MULTISHOT=0$/m)
    })

    test('opcodes 0-48 are supported and named, none beyond (IORING_REGISTER_PROBE)', (t) => {
      for (const name of ['probe', 'probe-functional']) {
        const {opcodes} = ran(name)
        assert.equal(opcodes.source, 'probe')
        assert.equal(opcodes.lastOp, 48)
        assert.equal(opcodes.supported, 49)
        for (const row of catalog.filter((r) => r.kind === 'op')) {
          const item = opcodes.items.find((o) => o.op === Number(row.value))
          assert.ok(item, `${row.name} missing from the opcode table`)
          assert.equal(item.name, row.name)
          assert.equal(item.supported, in61(row), `${row.name} (since ${row.since})`)
        }
        assert.deepEqual(opcodes.items.filter((o) => o.supported).map((o) => o.op), Array.from({length: 49}, (_, i) => i))
      }
      const {opcodes} = ran('probe')
      t.diagnostic(`opcodes: ${opcodes.supported} supported, last_op ${opcodes.lastOp} (${opcodes.items.find((o) => o.op === 48).name})`)
    })

    test('IORING_REGISTER_QUERY (6.18) is unavailable with EINVAL; register opcodes are found by trying them', (t) => {
      const probe = ran('probe')
      assert.equal(probe.query.available, false)
      assert.equal(probe.query.errnoName, 'EINVAL')
      assert.equal(probe.query.errno, 22)
      assert.equal(probe.registerOpcodes.source, 'register-test')
      const expected = catalog.filter((r) => r.kind === 'register' && !r.value.startsWith('0x') && in61(r))
      assert.equal(probe.registerOpcodes.count, expected.length)
      assert.equal(probe.enterFlags.word, null)
      assert.equal(probe.sqeFlags.word, null)
      t.diagnostic(`IORING_REGISTER_QUERY: ${probe.query.errnoName}; register opcodes: ${probe.registerOpcodes.count} (by ${probe.registerOpcodes.source})`)
    })

    test('every setup flag as 6.1 has it: up to DEFER_TASKRUN supported, NO_MMAP and later EINVAL', (t) => {
      const {setupFlags} = ran('probe')
      assert.equal(setupFlags.source, 'setup-test')
      for (const row of catalog.filter((r) => r.kind === 'setup')) {
        const item = setupFlags.items.find((s) => s.name === row.name)
        assert.ok(item, `${row.name} missing`)
        if (in61(row)) assert.equal(item.status, 'supported', `${row.name}: ${JSON.stringify(item)}`)
        else {
          assert.equal(item.status, 'unsupported', `${row.name}: ${JSON.stringify(item)}`)
          assert.equal(item.errnoName, 'EINVAL', row.name)
        }
      }
      const short = (items) => items.map((s) => s.name.replace('IORING_SETUP_', '')).join(' ')
      t.diagnostic(`setup flags supported: ${short(setupFlags.items.filter((s) => s.status === 'supported'))}`)
      t.diagnostic(`setup flags refused: ${short(setupFlags.items.filter((s) => s.status !== 'supported'))}`)
    })

    test('every feature bit as 6.1 has it (0x1fff: up to LINKED_FILE)', (t) => {
      const probe = ran('probe')
      const expected = catalog.filter((r) => r.kind === 'feat' && in61(r)).reduce((word, r) => word | Number(r.value), 0)
      assert.equal(expected, 0x1fff)
      assert.equal(probe.features.word, `0x${expected.toString(16)}`)
      assert.equal(probe.availability.features, expected)
      for (const row of catalog.filter((r) => r.kind === 'feat')) {
        assert.equal(probe.features.bits.find((b) => b.name === row.name)?.set, in61(row), row.name)
      }
      t.diagnostic(`features ${probe.features.word}: ${probe.features.bits.filter((b) => b.set).map((b) => b.name.replace('IORING_FEAT_', '')).join(' ')}`)
    })

    test('capabilities: no bundles, no zcrx; multishot recv, buffer rings, DEFER_TASKRUN and the rest present, and the functional tests agree', (t) => {
      const plain = ran('probe')
      const functional = ran('probe-functional')
      assert.equal(functional.functional, true)
      for (const [id, present] of Object.entries(capabilities61)) {
        const p = plain.capabilities.find((c) => c.id === id)
        const f = functional.capabilities.find((c) => c.id === id)
        assert.equal(p.present, present, `${id}: ${JSON.stringify(p)}`)
        assert.equal(f.present, present, `${id} with --functional: ${JSON.stringify(f)}`)
        assert.equal(f.kernelHas, present, id)
        if (present) {
          assert.deepEqual({ran: f.functional.ran, ok: f.functional.ok}, {ran: true, ok: true}, `${id}: ${JSON.stringify(f.functional)}`)
          assert.ok(f.sources.includes('functional-test'), id)
        } else {
          assert.equal(f.functional.ran, false, `${id}: ${JSON.stringify(f.functional)}`)
        }
      }
      assert.equal(plain.zcrx.kernelHas, false)
      assert.equal(plain.zcrx.errnoName, 'EINVAL')
      t.diagnostic(`capabilities present: ${functional.capabilities.filter((c) => c.present).map((c) => c.id).join(' ')}`)
      t.diagnostic(`capabilities absent: ${functional.capabilities.filter((c) => !c.present).map((c) => c.id).join(' ')}`)
    })
  })

  describe('echo serve, driven by echo bench and a half-closing client', () => {
    const expectedUringFeatures = ['single-issuer', 'defer-taskrun', 'registered-ring-fd', 'multishot-accept', 'buffer-ring', 'multishot-recv']
    // 6.1 fallbacks: no recv bundles (6.10) and no min-timeout batched waits (6.12); DEFER_TASKRUN is
    // there, so no COOP_TASKRUN fallback, and multishot accept/recv need no one-shot fallback.
    const absentOn61 = ['recv-bundle', 'batched-wait', 'coop-taskrun', 'accept', 'recv', 'sqpoll']

    for (const server of ['io_uring', 'epoll', 'io_uring --batch-wait 100']) {
      test(`echo serve --backend ${server}: every echoed byte verified, no errors, clean stop`, (t) => {
        const events = ran(`echo-serve ${server}`, 0, {ndjson: true})
        const listening = events[0]
        assert.equal(listening.event, 'listening')
        if (server.startsWith('io_uring')) {
          for (const f of expectedUringFeatures) assert.ok(listening.features.includes(f), `${f} not in ${listening.features}`)
          for (const f of absentOn61) assert.ok(!listening.features.includes(f), `${f} in ${listening.features} on 6.1`)
        } else {
          assert.deepEqual(listening.features, ['level-triggered', 'so-reuseport'])
        }
        const summary = events.at(-1)
        assert.equal(summary.event, 'summary')
        assert.equal(summary.stopReason, 'signal')
        assert.equal(summary.bytesIn, summary.bytesOut)
        for (const kind of ['resets', 'rejected', 'acceptErrors', 'cqOverflow', 'aborted', 'otherErrors']) assert.equal(summary.errors[kind], 0, `${kind}: ${JSON.stringify(summary)}`)
        assert.equal(summary.lastError, null)

        const clients = server.includes('batch-wait') ? ['io_uring'] : ['io_uring', 'epoll']
        const loads = server.includes('batch-wait') ? ['large'] : ['large', 'many']
        let echoed = 0
        for (const client of clients) {
          for (const load of loads) {
            const bench = ran(`echo-bench ${server} / ${client} ${load}`)
            assert.equal(bench.client.backend, client)
            assert.equal(bench.verdict, 'ok')
            assert.equal(bench.errors.total, 0)
            assert.equal(bench.connections.established, bench.connections.requested)
            assert.equal(bench.messages, bench.config.messages)
            assert.ok(bench.verifiedBytes >= bench.bytes && bench.bytes > 0, JSON.stringify(bench))
            if (load === 'large') assert.deepEqual(bench.config.size, {min: 1, max: 65536})
            assert.ok(bench.config.pipeline > 1)
            echoed += bench.verifiedBytes
          }
        }
        if (!server.includes('batch-wait')) {
          const halfClose = ran(`half-close ${server}`)
          assert.deepEqual(halfClose.failed, [])
          assert.equal(halfClose.bytesEchoed, halfClose.bytesSent)
          echoed += halfClose.bytesEchoed
        }
        assert.equal(summary.bytesOut, echoed, 'the server echoed exactly the bytes its clients verified')
        t.diagnostic(`features: ${listening.features.join(' ')}; ${summary.connectionsServed} connections, ${echoed} bytes echoed and verified`)
      })
    }
  })

  test('ulimit reports the VM\'s limits and plans connections against them', () => {
    const report = ran('ulimit')
    assert.ok(report.limits.nofile.soft > 0 && report.limits.nofile.hard >= report.limits.nofile.soft)
    assert.ok(report.host.memTotal > 1e9 && report.host.memTotal < 2.2e9, `memTotal ${report.host.memTotal} is not the VM's 2 GiB`)
    assert.equal(report.host.nrOpen, 1048576)
    const small = ran('ulimit-plan-1000')
    assert.notEqual(small.plan.status, 'fail', JSON.stringify(small.plan.checks.filter((c) => c.status === 'fail')))
    const big = ran('ulimit-plan-10000', 4)
    assert.equal(big.plan.status, 'fail')
    const hard = big.plan.checks.find((c) => c.id === 'nofile-hard')
    assert.equal(hard.status, 'fail')
    assert.equal(hard.have, report.limits.nofile.hard)
    assert.ok(hard.fixes.some((f) => f.kind === 'prlimit'))
  })

  test('tcp-data-split check answers for lo and the e1000 NIC over 6.1\'s ethtool netlink (no split, no zcrx)', () => {
    const check = ran('tcp-data-split', 3)
    assert.match(check.kernel, /^6\.1\./)
    assert.equal(check.allSupportSplit, false)
    assert.deepEqual(check.interfaces.map((i) => i.name), ['lo', 'eth0'])
    const [lo, eth0] = check.interfaces
    assert.equal(lo.deviceClass, 'loopback')
    assert.equal(eth0.driver, 'e1000')
    assert.equal(eth0.physical, true)
    assert.equal(eth0.tcpDataSplit.supported, false)
    assert.ok(eth0.rings.rx > 0 && eth0.rings.rxMax >= eth0.rings.rx, JSON.stringify(eth0.rings))
    const kernelZcrx = eth0.zcrx.checks.find((c) => c.id === 'kernel-zcrx')
    assert.equal(kernelZcrx.status, 'fail')
  })
})
