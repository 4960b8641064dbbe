// The one rule every numeric flag reads by, and how error lines show what the user typed.
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {describe, test} from 'node:test'

import {root} from '../helpers/cli.js'

const {parseWhole, parseSeconds, parseQuantityValue} = await import(join(root, 'dist/base/numbers.js'))
const {quoteInput, safeLine} = await import(join(root, 'dist/base/quote.js'))

const usage = (fn, pattern) => assert.throws(fn, (error) => error.exitCode === 2 && pattern.test(error.message) && !error.message.includes('\n'))

describe('whole numbers', () => {
  test('plain digits within range', () => {
    assert.equal(parseWhole('8080', '--port', {min: 0, max: 65535}), 8080)
    assert.equal(parseWhole('0', '--port', {min: 0, max: 65535}), 0)
  })

  test('the exact value is echoed, never a rounded one', () => {
    usage(() => parseWhole('99999999999999999999', '--pid', {min: 1, max: 4194304}), /^--pid 99999999999999999999: must be from 1 to 4194304$/)
    usage(() => parseWhole('4294967297', '--max-conns', {min: 0, max: 1000000000}), /^--max-conns 4294967297: must be from 0 to 1000000000$/)
  })

  test('exponents, hex, signs and spaces are refused, with the plain spelling when there is one', () => {
    usage(() => parseWhole('1e3', '--threads', {min: 1, max: 1024}), /^--threads 1e3: write it in plain digits: --threads 1000$/)
    usage(() => parseWhole('0x10', '--threads', {min: 1, max: 1024}), /^--threads 0x10: write it in plain digits: --threads 16$/)
    usage(() => parseWhole(' 8', '--threads', {min: 1, max: 1024}), /^--threads " 8": write it in plain digits: --threads 8$/)
    for (const bad of ['1.5', '-5', '', 'NaN', 'Infinity', '1_000', '1,000', '٣', '1e400']) {
      usage(() => parseWhole(bad, '--threads', {min: 1, max: 1024}), /^--threads \S+: expected a whole number from 1 to 1024$/)
    }
  })
})

describe('seconds', () => {
  test('a fraction is allowed; the same spellings as whole numbers are refused', () => {
    assert.equal(parseSeconds('0.5', '--duration', {min: 0.1, max: 86400}), 0.5)
    assert.equal(parseSeconds('10', '--duration', {min: 0.1, max: 86400}), 10)
    usage(() => parseSeconds('1e3', '--duration', {min: 0.1, max: 86400}), /write it in plain digits: --duration 1000$/)
    usage(() => parseSeconds('1e300', '--duration', {min: 0.1, max: 86400}), /^--duration 1e300: expected a number of seconds from 0.1 to 86400/)
    usage(() => parseSeconds('2592000000', '--duration', {min: 0, max: 31536000}), /^--duration 2592000000: must be from 0 to 31536000 seconds$/)
  })

  test('0 means off; a value above 0 but too small to mean anything is refused', () => {
    assert.equal(parseSeconds('0', '--stats', {min: 0, max: 86400, leastAboveZero: 0.1}), 0)
    usage(() => parseSeconds('0.01', '--stats', {min: 0, max: 86400, leastAboveZero: 0.1}), /^--stats 0.01: must be 0 \(off\) or from 0.1 to 86400 seconds$/)
  })
})

describe('quantities', () => {
  test('K, M, G, T are powers of 1024; the result is range-checked exactly', () => {
    assert.equal(parseQuantityValue('16K', '--buffer-size', {min: 64, max: 1 << 20}), 16384)
    assert.equal(parseQuantityValue('1m', '--max-pending', {min: 4096, max: 1 << 30}), 1 << 20)
    usage(() => parseQuantityValue('4G', '--max-pending', {min: 4096, max: 1 << 30}, 'bytes'), /^--max-pending 4G: must be from 4096 to 1073741824 bytes$/)
    usage(() => parseQuantityValue('16x', '--buffer-size', {min: 64, max: 1 << 20}, 'bytes'), /^--buffer-size 16x: expected a whole number of bytes such as 65536, 64K or 1M/)
  })
})

describe('showing user input in an error line', () => {
  test('plain tokens stay bare; anything else is quoted', () => {
    assert.equal(quoteInput('eth0'), 'eth0')
    assert.equal(quoteInput('fe80::1%eth0'), 'fe80::1%eth0')
    assert.equal(quoteInput(''), '""')
    assert.equal(quoteInput('io uring'), '"io uring"')
    assert.equal(quoteInput('eth0', {always: true}), '"eth0"')
  })

  test('control, ANSI and bidi characters are escaped, never passed through', () => {
    assert.equal(quoteInput('\u001b[31mred'), '"\\e[31mred"')
    assert.equal(quoteInput('a\nb\r\t'), '"a\\nb\\r\\t"')
    assert.equal(quoteInput('x\u202ey\u2066'), '"x\\u{202e}y\\u{2066}"')
    assert.equal(quoteInput('say "hi"\\'), '"say \\"hi\\"\\\\"')
  })

  test('long input is shortened, with its length', () => {
    const shown = quoteInput('a'.repeat(5000))
    assert.ok(shown.length < 60, shown)
    assert.match(shown, /^"a+…" \(5000 characters\)$/)
  })

  test('the last line of defence escapes and shortens whatever a message carries', () => {
    const line = safeLine(`Nonexistent flag: --\u001b[2J${'x'.repeat(5000)}\u202e`)
    assert.doesNotMatch(line, /[\u001b\u202e]/)
    assert.ok(line.length < 200, line)
    assert.match(line, /\(5\d{3} characters\)/)
  })
})
