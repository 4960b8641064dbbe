import {readQuantity} from '../base/numbers.js'

// How limit values read and print: Infinity is "unlimited", bytes get binary units.
export function formatLimit(value: number): string {
  return value === Infinity ? 'unlimited' : String(value)
}

export function formatBytes(bytes: number): string {
  if (bytes === Infinity) return 'unlimited'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${Number(value.toFixed(1))} ${units[unit]}`
}

/** "65536", "64M", "unlimited" -> number (Infinity), or null when it is none of these (numbers.ts has the rule). */
export function parseQuantity(text: string): number | null {
  const trimmed = text.trim().toLowerCase()
  if (trimmed === 'unlimited' || trimmed === 'infinity') return Infinity
  const value = readQuantity(trimmed)
  return value !== null && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null
}
