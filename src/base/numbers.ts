// How every numeric flag value reads, for every command: one rule per kind, range-checked, and each error
// echoes the value exactly as typed.
//   whole numbers: plain decimal digits                       8080, 0, 1000000
//   seconds:       decimal digits with an optional fraction   10, 0.5, 2.25
//   rates:         like seconds, above 0 (per second)          0.2, 1000
//   quantities:    whole number with an optional binary suffix 16384, 16K, 1M, 4G, 1T (K = 1024)
// Exponents (1e3), hex (0x10), signs, spaces, separators and NaN/Infinity are refused everywhere.
import {usageError, type UserError} from './errors.js'
import {quoteInput} from './quote.js'

export interface Range {
  min: number
  max: number
  /** With min 0: the smallest value above 0 that means something (0 itself means "off"). */
  leastAboveZero?: number
}

const digits = /^\d+$/
const decimal = /^(?:\d+(?:\.\d*)?|\.\d+)$/
const scaled = /^(\d+)([KMGT]?)$/i
const suffixes: Record<string, bigint> = {'': 1n, k: 1024n, m: 1024n ** 2n, g: 1024n ** 3n, t: 1024n ** 4n}

/** "--flag VALUE: problem" with the value exactly as typed (quoted and escaped when it is not a plain token). */
export function valueError(flag: string, text: string, problem: string): UserError {
  return usageError(`${flag} ${quoteInput(text)}: ${problem}`)
}

/** A refused value that is an in-range number written another way (1e3, 0x10, +5, " 7"): how to write it instead. */
function plainSpelling(text: string, range: Range, whole: boolean): string | null {
  const trimmed = text.trim()
  if (trimmed === '') return null
  const n = Number(trimmed)
  if (!Number.isFinite(n) || n < range.min || n > range.max || (whole && !Number.isInteger(n))) return null
  return String(n)
}

function rangeText(range: Range, unit = ''): string {
  const u = unit ? ` ${unit}` : ''
  return `from ${range.min} to ${range.max}${u}`
}

/** A whole number within range, e.g. --port 8080. */
export function parseWhole(text: string, flag: string, range: Range, unit = ''): number {
  if (!digits.test(text)) {
    const plainForm = plainSpelling(text, range, true)
    if (plainForm !== null) return failWith(flag, text, `write it in plain digits: ${flag} ${plainForm}`)
    return failWith(flag, text, `expected a whole number ${rangeText(range, unit)}`)
  }
  return inRange(BigInt(text), text, flag, range, unit)
}

/** Seconds (a fraction allowed) within range, e.g. --duration 0.5. */
export function parseSeconds(text: string, flag: string, range: Range): number {
  if (!decimal.test(text)) {
    const plainForm = plainSpelling(text, range, false)
    if (plainForm !== null) return failWith(flag, text, `write it in plain digits: ${flag} ${plainForm}`)
    return failWith(flag, text, `expected a number of seconds ${rangeText(range)}, such as 10 or 0.5`)
  }
  const value = Number(text)
  if (value < range.min || value > range.max) return failWith(flag, text, `must be ${rangeText(range, 'seconds')}`)
  if (range.leastAboveZero !== undefined && value > 0 && value < range.leastAboveZero) {
    return failWith(flag, text, `must be 0 (off) or from ${range.leastAboveZero} to ${range.max} seconds`)
  }
  return value
}

/** A rate per second above 0 (or 0 itself with `zeroMeans`), a fraction allowed, e.g. --message-rate 0.2. */
export function parseRate(text: string, flag: string, max: number, zeroMeans?: string): number {
  if (zeroMeans && decimal.test(text) && Number(text) === 0) return 0
  if (!decimal.test(text) || Number(text) <= 0) {
    const plainForm = plainSpelling(text, {min: 0, max}, false)
    if (plainForm !== null && Number(plainForm) > 0) return failWith(flag, text, `write it in plain digits: ${flag} ${plainForm}`)
    return failWith(flag, text, `expected a rate per second ${zeroMeans ? `(0: ${zeroMeans}) ` : 'above 0 '}and at most ${max}, such as 0.2 or 1000`)
  }
  if (Number(text) > max) return failWith(flag, text, `must be above 0 and at most ${max} per second`)
  return Number(text)
}

/** A whole quantity with an optional binary suffix (K, M, G, T), e.g. --max-pending 1M. */
export function parseQuantityValue(text: string, flag: string, range: Range, unit = ''): number {
  const match = scaled.exec(text)
  if (!match) {
    const plainForm = plainSpelling(text, range, true)
    const example = 'such as 65536, 64K or 1M'
    if (plainForm !== null) return failWith(flag, text, `write it in plain digits: ${flag} ${plainForm}`)
    return failWith(flag, text, `expected a whole number${unit ? ` of ${unit}` : ''} ${example} (K, M, G, T: powers of 1024)`)
  }
  return inRange(BigInt(match[1]) * suffixes[match[2].toLowerCase()], text, flag, range, unit)
}

/** A whole quantity with optional suffix, or null when the text is not one (for grammars that report their own error). */
export function readQuantity(text: string): bigint | null {
  const match = scaled.exec(text)
  return match ? BigInt(match[1]) * suffixes[match[2].toLowerCase()] : null
}

function inRange(value: bigint, text: string, flag: string, range: Range, unit: string): number {
  if (value < BigInt(range.min) || value > BigInt(range.max)) return failWith(flag, text, `must be ${rangeText(range, unit)}`)
  return Number(value)
}

function failWith(flag: string, text: string, problem: string): never {
  throw valueError(flag, text, problem)
}
