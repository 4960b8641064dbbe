import {readQuantity} from '../base/numbers.js'

// How limit values read and print: Infinity is "unlimited", bytes get binary units.
export function formatLimit(value: number): string {
  return value === Infinity ? 'unlimited' : String(value)
}

export {formatBytes} from '../output/units.js'

/** "65536", "64M", "unlimited" -> number (Infinity), or null when it is none of these (numbers.ts has the rule). */
export function parseQuantity(text: string): number | null {
  const trimmed = text.trim().toLowerCase()
  if (trimmed === 'unlimited' || trimmed === 'infinity') return Infinity
  const value = readQuantity(trimmed)
  return value !== null && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null
}
