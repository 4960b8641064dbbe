import assert from 'node:assert/strict'
import {test} from 'node:test'

import {bitOf, compareVersions, loadCatalog, parseCatalog} from '../../dist/probe/catalog.js'
import {decodeBits, decodeOpcodes, decodeRegisterOpcodes, hex} from '../../dist/probe/decode.js'

const catalog = loadCatalog()

test('the catalog loads every kind with consistent values', () => {
  const ops = catalog.ofKind('op')
  assert.deepEqual(ops.map((e) => e.value), ops.map((_, i) => i), 'opcodes are numbered 0..N without gaps')
  for (const kind of ['setup', 'feat', 'enter', 'sqe_flag']) {
    for (const entry of catalog.ofKind(kind)) assert.equal(entry.value, 2 ** bitOf(entry.value), `${entry.name} is one bit`)
  }
  assert.equal(catalog.named('IORING_OP_SEND_ZC').value, 47)
  assert.equal(catalog.named('IORING_OP_SEND_ZC').since, '6.0')
  assert.equal(catalog.named('IORING_REGISTER_QUERY').value, 35)
  assert.throws(() => catalog.named('IORING_OP_NO_SUCH'), /no entry named/)
})

test('a malformed catalog line is rejected, not half-loaded', () => {
  const header = 'kind\tname\tvalue\tkernel_version\tnote'
  assert.throws(() => parseCatalog(`${header}\nop\tIORING_OP_X\tnot-a-number\t5.1\t`), /line 2 is malformed/)
  assert.throws(() => parseCatalog(`name\tvalue\nx\t1`), /unexpected header/)
})

test('kernel versions order numerically (6.10 after 6.9)', () => {
  assert.ok(compareVersions('6.10', '6.9') > 0)
  assert.ok(compareVersions('5.19', '6.0') < 0)
  assert.equal(compareVersions('6.1', '6.1'), 0)
})

test('a features word decodes bit by bit; unknown set bits become unknown-N, never dropped', () => {
  const word = 0x3ffffn | (1n << 20n) | (1n << 40n)
  const bits = decodeBits(word, 'feat', catalog)
  const known = catalog.ofKind('feat')
  for (const entry of known) {
    const item = bits.find((b) => b.name === entry.name)
    assert.ok(item, entry.name)
    assert.equal(item.set, true)
    assert.equal(item.since, entry.since)
  }
  assert.deepEqual(bits.filter((b) => b.name.startsWith('unknown-')).map((b) => [b.name, b.value, b.since, b.set]), [
    ['unknown-20', '0x100000', null, true],
    ['unknown-40', '0x10000000000', null, true],
  ])
  assert.deepEqual(bits.map((b) => b.bit), [...bits.map((b) => b.bit)].sort((a, b) => a - b), 'sorted by bit')
})

test('bits the kernel does not set are listed as not set', () => {
  const bits = decodeBits(0x1, 'feat', catalog)
  assert.equal(bits.find((b) => b.name === 'IORING_FEAT_SINGLE_MMAP').set, true)
  assert.equal(bits.find((b) => b.name === 'IORING_FEAT_NODROP').set, false)
  assert.equal(bits.filter((b) => b.set).length, 1)
})

test('opcodes are named from the catalog; numbers beyond it are unknown-N; newer catalog opcodes are not known', () => {
  const flags = Array.from({length: 70}, (_, i) => (i === 3 ? 0 : 1))
  const items = decodeOpcodes(70, flags, catalog)
  assert.equal(items[47].name, 'IORING_OP_SEND_ZC')
  assert.equal(items[3].supported, false)
  assert.equal(items[69].name, 'unknown-69')
  assert.equal(items[69].since, null)
  assert.equal(items[69].supported, true)

  const older = decodeOpcodes(49, flags.slice(0, 49), catalog)
  const sendmsgZc = older.find((o) => o.name === 'IORING_OP_SENDMSG_ZC')
  assert.equal(sendmsgZc.known, true)
  const pipe = older.find((o) => o.name === 'IORING_OP_PIPE')
  assert.deepEqual([pipe.known, pipe.supported], [false, false])
})

test('from the query alone, opcode support is unknown (null), not invented', () => {
  const items = decodeOpcodes(63, null, catalog)
  assert.ok(items.filter((o) => o.known).every((o) => o.supported === null))
})

test('register opcodes below the kernel count are known; the rest of the catalog is not', () => {
  const items = decodeRegisterOpcodes(36, catalog)
  assert.equal(items.find((r) => r.name === 'IORING_REGISTER_QUERY').known, true)
  assert.equal(items.find((r) => r.name === 'IORING_REGISTER_ZCRX_CTRL').known, false)
  const newer = decodeRegisterOpcodes(40, catalog)
  assert.deepEqual(newer.filter((r) => r.name.startsWith('unknown-')).map((r) => r.op), [38, 39])
})

test('hex renders numbers and bigints alike', () => {
  assert.equal(hex(0x3ffff), '0x3ffff')
  assert.equal(hex(0x7ffffn), '0x7ffff')
})
