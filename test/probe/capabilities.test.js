import assert from 'node:assert/strict'
import {constants} from 'node:os'
import {test} from 'node:test'

import {UserError} from '../../dist/base/errors.js'
import {addon} from '../../dist/native/addon.js'
import {capabilityDefinitions, capabilityIds, capabilitySince, deriveCapabilities} from '../../dist/probe/capabilities.js'
import {loadCatalog} from '../../dist/probe/catalog.js'
import {decodeBits, decodeOpcodes, decodeRegisterOpcodes} from '../../dist/probe/decode.js'
import {checkRequirements, parseRequireList} from '../../dist/probe/require.js'
import {testSetupFlags} from '../../dist/probe/setup-flags.js'

const catalog = loadCatalog()

// Facts of a kernel with `opCount` opcodes, `registerCount` register opcodes and a features word.
function facts({opCount = 63, registerCount = 36, features = 0x3ffff, available = true, setup = () => 0} = {}) {
  const trial = (flags) => ({errno: setup(flags), features: 0, sqEntries: 4, cqEntries: 8, resource: null, resourceErrno: 0})
  return {
    available,
    verdict: available ? 'available' : 'disabled-by-sysctl',
    opcodes: {source: 'probe', items: decodeOpcodes(opCount, Array(opCount).fill(1), catalog)},
    features: {source: 'setup-test', bits: decodeBits(features, 'feat', catalog)},
    setupFlags: testSetupFlags({catalog, trial, queried: null}),
    registerOpcodes: {source: 'register-test', items: decodeRegisterOpcodes(registerCount, catalog)},
    zcrx: {usable: true, kernelHas: true, errno: constants.errno.EFAULT, errnoName: 'EFAULT', detail: 'zcrx usable'},
  }
}
const byId = (caps, id) => caps.find((c) => c.id === id)

test('every capability need names a catalog entry, and its since is the newest of them', () => {
  const expected = {
    'multishot-accept': '5.19', 'multishot-recv': '6.0', 'buffer-rings': '5.19', 'recv-bundle': '6.10',
    'send-bundle': '6.10', 'send-zc': '6.0', sqpoll: '5.1', 'defer-taskrun': '6.1', 'registered-ring-fd': '5.18',
    'fixed-files': '5.1', 'linked-timeout': '5.5', zcrx: '6.15',
  }
  assert.deepEqual(Object.fromEntries(capabilityDefinitions.map((d) => [d.id, capabilitySince(d, catalog)])), expected)
})

test('every functional test named in the table exists in the native addon', () => {
  const native = addon().probeFunctionalNames()
  for (const d of capabilityDefinitions) if (d.functionalTest) assert.ok(native.includes(d.functionalTest), d.functionalTest)
})

test('a 6.18-like kernel has every capability, each with its sources', () => {
  const caps = deriveCapabilities(facts(), catalog, null)
  assert.deepEqual(caps.filter((c) => !c.present).map((c) => c.id), [])
  assert.deepEqual(byId(caps, 'recv-bundle').sources, ['setup-test', 'probe', 'register-test'])
  assert.ok(caps.every((c) => c.functional === null))
})

test('a 6.9-like kernel (56 opcodes, no bundle bit) lacks bundles and zcrx, keeps the rest', () => {
  const caps = deriveCapabilities(
    {...facts({opCount: 56, registerCount: 29, features: 0x3fff}), zcrx: {usable: false, kernelHas: false, errno: constants.errno.EINVAL, errnoName: 'EINVAL', detail: 'the kernel does not know IORING_REGISTER_ZCRX_IFQ (before 6.15)'}},
    catalog,
    null,
  )
  assert.deepEqual(caps.filter((c) => !c.present).map((c) => c.id), ['recv-bundle', 'send-bundle', 'zcrx'])
  assert.match(byId(caps, 'recv-bundle').detail, /IORING_FEAT_RECVSEND_BUNDLE not set/)
  assert.match(byId(caps, 'zcrx').detail, /IORING_OP_RECV_ZC not supported/)
})

test('a 5.19-like kernel has multishot accept but not multishot recv (the SEND_ZC marker is missing)', () => {
  const caps = deriveCapabilities(facts({opCount: 47, registerCount: 24, features: 0x1fff}), catalog, null)
  assert.equal(byId(caps, 'multishot-accept').present, true)
  assert.equal(byId(caps, 'multishot-recv').present, false)
  assert.match(byId(caps, 'multishot-recv').detail, /IORING_OP_SEND_ZC not supported \(marks 6\.0/)
})

test('a refused setup flag makes its capability absent with the errno in the detail', () => {
  const {EPERM} = constants.errno
  const caps = deriveCapabilities(facts({setup: (flags) => (flags & 0x2 ? EPERM : 0)}), catalog, null)
  assert.equal(byId(caps, 'sqpoll').present, false)
  assert.equal(byId(caps, 'sqpoll').detail, 'IORING_SETUP_SQPOLL: not-permitted (EPERM)')
  assert.equal(byId(caps, 'sqpoll').kernelHas, true, 'refused for this process, but the kernel has it')
})

test('when io_uring is unusable nothing is present, but what the kernel has is still said', () => {
  const caps = deriveCapabilities(facts({available: false}), catalog, null)
  assert.ok(caps.every((c) => !c.present))
  assert.equal(byId(caps, 'send-zc').kernelHas, true)
  assert.match(byId(caps, 'send-zc').detail, /unusable here \(disabled-by-sysctl\); the kernel has it/)
})

test('functional tests run only for present capabilities, and a failure makes the capability absent', () => {
  const ran = []
  const runner = (name) => {
    ran.push(name)
    return name === 'send-zc' ? {ran: true, ok: false, errno: constants.errno.EINVAL, detail: 'the zero-copy send failed'} : {ran: true, ok: true, errno: 0, detail: 'fine'}
  }
  const caps = deriveCapabilities(facts({features: 0x3fff}), catalog, runner)
  assert.ok(!ran.includes('recv-bundle'), 'an absent capability is not run')
  assert.equal(byId(caps, 'recv-bundle').functional.detail, 'not run: not present')
  assert.equal(byId(caps, 'send-zc').present, false)
  assert.equal(byId(caps, 'send-zc').functional.errnoName, 'EINVAL')
  assert.match(byId(caps, 'send-zc').detail, /functional test failed: the zero-copy send failed \(EINVAL\)/)
  assert.ok(byId(caps, 'sqpoll').sources.includes('functional-test'))
  assert.equal(byId(caps, 'zcrx').functional.ran, false)
  assert.match(byId(caps, 'zcrx').functional.detail, /NIC/)
})

test('--require parsing: trims, dedupes, and rejects unknown names listing the valid ones (exit 2)', () => {
  assert.deepEqual(parseRequireList(' send-zc, sqpoll,send-zc '), ['send-zc', 'sqpoll'])
  for (const bad of ['send-zc,warp-drive', '', ' , ']) {
    assert.throws(() => parseRequireList(bad), (err) => {
      assert.ok(err instanceof UserError)
      assert.equal(err.exitCode, 2)
      assert.ok(err.message.includes(capabilityIds.join(', ')))
      return true
    })
  }
})

test('--require reports what is missing', () => {
  const caps = deriveCapabilities(facts({features: 0x3fff}), catalog, null)
  assert.deepEqual(checkRequirements(['send-zc', 'recv-bundle'], caps), {requested: ['send-zc', 'recv-bundle'], missing: ['recv-bundle'], satisfied: false})
  assert.equal(checkRequirements(['send-zc'], caps).satisfied, true)
})
