// Decoding of what the kernel reports into named items. Anything newer than our catalog is kept
// and named `unknown-N` (N: the bit index, or the opcode number), never dropped.
import {bitOf, type Catalog, type CatalogKind} from './catalog.js'

export type BitKind = Extract<CatalogKind, 'feat' | 'setup' | 'enter' | 'sqe_flag'>

export interface BitItem {
  bit: number
  /** The flag's value in hex, e.g. "0x2000". */
  value: string
  name: string
  /** First kernel with it; null when our catalog does not know the bit. */
  since: string | null
  set: boolean
}

export function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`
}

export function unknownName(n: number): string {
  return `unknown-${n}`
}

/** Every bit our catalog knows for `kind` (set or not), plus every set bit it does not know. */
export function decodeBits(word: bigint | number, kind: BitKind, catalog: Catalog): BitItem[] {
  const bits = BigInt(word)
  const items: BitItem[] = []
  const known = new Set<number>()
  for (const entry of catalog.ofKind(kind)) {
    const bit = bitOf(entry.value)
    known.add(bit)
    items.push({bit, value: hex(entry.value), name: entry.name, since: entry.since, set: ((bits >> BigInt(bit)) & 1n) === 1n})
  }
  for (let bit = 0; bits >> BigInt(bit) !== 0n; bit++) {
    if (((bits >> BigInt(bit)) & 1n) === 1n && !known.has(bit)) {
      items.push({bit, value: hex(1n << BigInt(bit)), name: unknownName(bit), since: null, set: true})
    }
  }
  return items.sort((a, b) => a.bit - b.bit)
}

export interface OpcodeItem {
  op: number
  name: string
  since: string | null
  /** The kernel's opcode table has this number (op <= last_op, or below the queried count). */
  known: boolean
  /** IO_URING_OP_SUPPORTED from IORING_REGISTER_PROBE; null when only the query was available. */
  supported: boolean | null
}

/**
 * Opcodes 0..count-1 as the kernel reports them (named from the catalog, else `unknown-N`), then the
 * catalog's opcodes this kernel does not have. `supportedFlags` is per opcode (IO_URING_OP_SUPPORTED = 1).
 */
export function decodeOpcodes(count: number, supportedFlags: number[] | null, catalog: Catalog): OpcodeItem[] {
  const items: OpcodeItem[] = []
  for (let op = 0; op < count; op++) {
    const entry = catalog.find('op', op)
    const flags = supportedFlags?.[op]
    items.push({
      op,
      name: entry?.name ?? unknownName(op),
      since: entry?.since ?? null,
      known: true,
      supported: supportedFlags ? ((flags ?? 0) & 1) === 1 : null,
    })
  }
  for (const entry of catalog.ofKind('op')) {
    if (entry.value >= count) items.push({op: entry.value, name: entry.name, since: entry.since, known: false, supported: false})
  }
  return items
}

export interface RegisterOpcodeItem {
  op: number
  name: string
  since: string | null
  /** Below the kernel's IORING_REGISTER_LAST; null when neither the query nor the test could tell. */
  known: boolean | null
}

/** Register opcodes 0..count-1 (the kernel's range) plus the catalog's opcodes beyond it. */
export function decodeRegisterOpcodes(count: number | null, catalog: Catalog): RegisterOpcodeItem[] {
  const items: RegisterOpcodeItem[] = []
  const limit = Math.max(count ?? 0, ...catalog.ofKind('register').map((e) => e.value + 1))
  for (let op = 0; op < limit; op++) {
    const entry = catalog.find('register', op)
    const known = count === null ? null : op < count
    if (!entry && !known) continue
    items.push({op, name: entry?.name ?? unknownName(op), since: entry?.since ?? null, known})
  }
  return items
}
