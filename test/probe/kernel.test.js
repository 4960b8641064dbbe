// End to end on this machine's kernel: `uringctl probe` as root, with everything io_uring allows.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {release} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'

import {addon} from '../../dist/native/addon.js'
import {loadCatalog} from '../../dist/probe/catalog.js'
import {root, runCli} from '../helpers/cli.js'

const catalog = loadCatalog()
const is618 = /^6\.18\./.test(release())
const tmp = join(root, 'test', '.tmp')

const probe = await runCli(['probe', '--json'])
const report = probe.json()

test('probe --json exits 0 with the documented top-level shape', () => {
  assert.equal(probe.code, 0, probe.stderr)
  assert.equal(probe.stderr, '')
  assert.deepEqual(Object.keys(report), [
    'schemaVersion', 'kernel', 'availability', 'query', 'features', 'setupFlags', 'opcodes', 'registerOpcodes',
    'enterFlags', 'sqeFlags', 'zcrx', 'functional', 'capabilities', 'require',
  ])
  assert.equal(report.schemaVersion, 1)
  assert.equal(report.kernel.release, release())
  assert.equal(report.availability.verdict, 'available')
  assert.equal(report.availability.evidence.setupErrno, 0)
})

test('every opcode the kernel reports is named from the catalog (none unknown-), with its number', () => {
  assert.equal(report.opcodes.source, 'probe')
  const known = report.opcodes.items.filter((o) => o.known)
  assert.equal(known.length, report.opcodes.lastOp + 1)
  for (const o of known) {
    assert.doesNotMatch(o.name, /^unknown-/, `opcode ${o.op}`)
    assert.equal(catalog.named(o.name).value, o.op)
  }
  const supported = known.filter((o) => o.supported)
  assert.equal(report.opcodes.supported, supported.length)
  assert.ok(supported.some((o) => o.name === 'IORING_OP_NOP'))
})

test('on 6.18: exactly the 63 opcodes 0..62, all supported; NOP128 and URING_CMD128 are not in the kernel', {skip: !is618 && 'not a 6.18 kernel'}, () => {
  assert.equal(report.opcodes.lastOp, 62)
  const known = report.opcodes.items.filter((o) => o.known)
  assert.deepEqual(known.map((o) => o.op), Array.from({length: 63}, (_, i) => i))
  assert.ok(known.every((o) => o.supported === true))
  assert.equal(known[62].name, 'IORING_OP_PIPE')
  assert.deepEqual(report.opcodes.items.filter((o) => !o.known).map((o) => o.name), ['IORING_OP_NOP128', 'IORING_OP_URING_CMD128'])
})

test('the features word is decoded bit by bit: every set bit named, every catalog bit listed', () => {
  const word = BigInt(report.features.word)
  assert.equal(BigInt(report.availability.features), word)
  for (const bit of report.features.bits) {
    assert.equal(bit.set, ((word >> BigInt(bit.bit)) & 1n) === 1n, bit.name)
  }
  const setBits = report.features.bits.filter((b) => b.set).reduce((w, b) => w | (1n << BigInt(b.bit)), 0n)
  assert.equal(setBits, word, 'no set bit dropped')
  assert.deepEqual(report.features.bits.filter((b) => !b.name.startsWith('unknown-')).map((b) => b.name), catalog.ofKind('feat').map((e) => e.name))
})

test('every setup flag is tested; the kernel accepts exactly the flags its query reports', () => {
  const items = report.setupFlags.items
  assert.deepEqual(items.filter((f) => f.since !== null).map((f) => f.name), catalog.ofKind('setup').map((e) => e.name))
  assert.equal(report.setupFlags.source, 'setup-test')
  const queried = BigInt(report.query.ringSetupFlags)
  for (const f of items) {
    assert.equal(f.status === 'supported', ((queried >> BigInt(f.bit)) & 1n) === 1n, `${f.name}: ${f.status} ${f.errnoName}`)
    if (f.status !== 'supported') assert.equal(f.errnoName, 'EINVAL', f.name)
  }
  assert.deepEqual(items.find((f) => f.name === 'IORING_SETUP_DEFER_TASKRUN').testedWith, ['IORING_SETUP_SINGLE_ISSUER'])
  assert.deepEqual(items.find((f) => f.name === 'IORING_SETUP_REGISTERED_FD_ONLY').testedWith, ['IORING_SETUP_NO_MMAP'])
})

test('a prerequisite really is one: DEFER_TASKRUN alone is refused, with SINGLE_ISSUER accepted', () => {
  const native = addon()
  const defer = catalog.named('IORING_SETUP_DEFER_TASKRUN').value
  const single = catalog.named('IORING_SETUP_SINGLE_ISSUER').value
  assert.equal(native.probeSetup(defer).errno, 22)
  assert.equal(native.probeSetup(defer | single).errno, 0)
})

test('IORING_REGISTER_QUERY agrees with the other probes', {skip: !report.query.available && 'kernel without IORING_REGISTER_QUERY'}, () => {
  assert.equal(report.query.nrRequestOpcodes, report.opcodes.lastOp + 1)
  assert.equal(report.query.featureFlags, report.features.word)
  const restrictions = addon().probeRegisterOpcodes(64)
  assert.equal(restrictions.errno, 0)
  assert.equal(restrictions.errors.indexOf(22), report.query.nrRegisterOpcodes, 'restriction parser and query agree on IORING_REGISTER_LAST')
  assert.equal(report.registerOpcodes.count, report.query.nrRegisterOpcodes)
  assert.ok(report.enterFlags.bits.length > 0 && report.sqeFlags.bits.length > 0)
})

test('as root every capability is present, with its first kernel version and sources', () => {
  assert.deepEqual(report.capabilities.filter((c) => !c.present).map((c) => c.id), [])
  for (const c of report.capabilities) {
    assert.match(c.since, /^\d+\.\d+$/)
    assert.ok(c.sources.length > 0, c.id)
  }
  assert.equal(report.zcrx.usable, true)
})

test('--functional runs every capability once on loopback and each passes', async () => {
  const r = await runCli(['probe', '--functional', '--json'])
  assert.equal(r.code, 0, r.stderr)
  const caps = r.json().capabilities
  for (const c of caps) {
    if (c.id === 'zcrx') {
      assert.equal(c.functional.ran, false)
      continue
    }
    assert.equal(c.functional.ran, true, c.id)
    assert.equal(c.functional.ok, true, `${c.id}: ${c.functional.detail}`)
    assert.ok(c.sources.includes('functional-test'))
  }
})

test('the registered-ring-fd test frees its slot: more runs than the 16-slot table all pass', () => {
  for (let i = 0; i < 20; i++) assert.equal(addon().probeFunctional('registered-ring-fd').ok, true, `run ${i}`)
})

test('--require: exit 0 when present; unknown names exit 2 listing the valid ones', async () => {
  const ok = await runCli(['probe', '--require', 'multishot-recv,send-zc,buffer-rings', '--json'])
  assert.equal(ok.code, 0)
  assert.deepEqual(ok.json().require, {requested: ['multishot-recv', 'send-zc', 'buffer-rings'], missing: [], satisfied: true})
  const bad = await runCli(['probe', '--require', 'multishot-recv,teleport'])
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /unknown capability "teleport" in --require; valid: multishot-accept, multishot-recv, .*zcrx/)
  assert.doesNotMatch(bad.stderr, /\n\s+at /)
  const badJson = await runCli(['probe', '--require', 'teleport', '--json'])
  assert.equal(badJson.code, 2)
  assert.equal(badJson.json().error.code, 'USAGE')
})

test('the human table lists every opcode, setup flag and feature by name', async () => {
  const r = await runCli(['probe'])
  assert.equal(r.code, 0)
  assert.match(r.stdout, /^io_uring: available on Linux /)
  for (const o of report.opcodes.items) assert.ok(r.stdout.includes(o.name), o.name)
  for (const f of report.setupFlags.items) assert.ok(r.stdout.includes(f.name), f.name)
  for (const b of report.features.bits) assert.ok(r.stdout.includes(b.name), b.name)
  for (const c of report.capabilities) assert.ok(r.stdout.includes(c.id), c.id)
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour under NO_COLOR')
})

test('--format env is sourceable by sh and agrees with --json', async () => {
  const r = await runCli(['probe', '--format', 'env'])
  assert.equal(r.code, 0)
  for (const line of r.stdout.trim().split('\n')) assert.match(line, /^URING_[A-Z0-9_]+=('.*'|[01])$/)
  const out = execFileSync('sh', ['-c', 'eval "$(cat)"; echo "$URING_VERDICT $URING_HAVE_SEND_ZC $URING_HAVE_OP_PIPE $URING_HAVE_SETUP_DEFER_TASKRUN $URING_HAVE_FEAT_NODROP $URING_KERNEL_RELEASE"'], {input: r.stdout}).toString().trim()
  assert.equal(out, `available 1 ${is618 ? 1 : out.split(' ')[2]} 1 1 ${release()}`)
})

test('--format c with --prefix compiles, and the macros say what --json says', async () => {
  const r = await runCli(['probe', '--format', 'c', '--prefix', 'MYAPP_URING_'])
  assert.equal(r.code, 0)
  mkdirSync(tmp, {recursive: true})
  writeFileSync(join(tmp, 'probe_features.h'), r.stdout)
  writeFileSync(join(tmp, 'probe_features.c'), [
    '#include <stdio.h>',
    '#include "probe_features.h"',
    '#include "probe_features.h" /* include guard */',
    'int main(void) {',
    '#if defined(MYAPP_URING_HAVE_SEND_ZC) && defined(MYAPP_URING_HAVE_SETUP_SQPOLL) && !defined(MYAPP_URING_HAVE_OP_URING_CMD128)',
    '  printf("%s %d\\n", MYAPP_URING_VERDICT, MYAPP_URING_AVAILABLE);',
    '#endif',
    '  return 0;',
    '}',
  ].join('\n'))
  execFileSync('cc', ['-Wall', '-Werror', '-o', join(tmp, 'probe_features'), join(tmp, 'probe_features.c')])
  assert.equal(execFileSync(join(tmp, 'probe_features')).toString(), 'available 1\n')
})

test('--prefix must be a C identifier prefix', async () => {
  const r = await runCli(['probe', '--format', 'c', '--prefix', 'my-app'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /--prefix "my-app" is not a C identifier prefix/)
})

test('--help lists the probe exit codes', async () => {
  const r = await runCli(['probe', '--help'])
  assert.equal(r.code, 0)
  for (const code of ['3   disabled-by-sysctl', '4   blocked-by-seccomp', '5   not-built-in', '6   out-of-locked-memory', '7   unknown-errno', '8   io_uring is available but a capability']) {
    assert.ok(r.stdout.includes(code), code)
  }
})
