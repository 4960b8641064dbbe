// The numeric flags every command uses, so that all of them read numbers by the same rules (see numbers.ts).
// Usage: `port: wholeFlag({min: 0, max: 65535})({description: 'TCP port', default: 8080})`.
import {Flags} from '@oclif/core'

import {parseQuantityValue, parseRate, parseSeconds, parseWhole, type Range} from './numbers.js'

/** A whole number in plain digits within range; `unit` names what it counts in error lines (e.g. "ms"). */
export function wholeFlag(range: Range, unit = '') {
  return Flags.custom<number>({
    helpValue: unit ? `<${unit}>` : '<n>',
    parse: async (input, _context, flag) => parseWhole(input, `--${flag.name}`, range, unit),
  })
}

/** Seconds with an optional fraction (0.5), within range. */
export function secondsFlag(range: Range) {
  return Flags.custom<number>({
    helpValue: '<seconds>',
    parse: async (input, _context, flag) => parseSeconds(input, `--${flag.name}`, range),
  })
}

/** A rate per second above 0 with an optional fraction (0.2, 1000), at most `max`; 0 too when `zeroMeans` says what it means. */
export function rateFlag(max: number, zeroMeans?: string) {
  return Flags.custom<number>({
    helpValue: '<per-second>',
    parse: async (input, _context, flag) => parseRate(input, `--${flag.name}`, max, zeroMeans),
  })
}

/** A whole quantity with an optional K/M/G/T suffix (powers of 1024), e.g. bytes. */
export function quantityFlag(range: Range, unit = 'bytes') {
  return Flags.custom<number>({
    helpValue: `<${unit}>`,
    parse: async (input, _context, flag) => parseQuantityValue(input, `--${flag.name}`, range, unit),
  })
}

/** The largest value the native side takes for a 32-bit unsigned field. */
export const maxUint32 = 0xffff_ffff
