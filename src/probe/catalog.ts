// The io_uring catalog (data/io_uring_catalog.tsv): the one table of io_uring names, numbers and the
// first kernel version of each. Loaded at run time from the package root; never duplicated in code.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {packageRoot} from '../native/addon.js'

export type CatalogKind = 'op' | 'register' | 'register_flag' | 'setup' | 'feat' | 'enter' | 'sqe_flag'

export interface CatalogEntry {
  kind: CatalogKind
  /** Full UAPI name, e.g. IORING_OP_SEND_ZC. */
  name: string
  /** Opcode number, or the flag's value (a single bit) for flag kinds. */
  value: number
  /** First kernel release that has it, e.g. "6.0". */
  since: string
  note: string
}

export interface Catalog {
  entries: CatalogEntry[]
  ofKind(kind: CatalogKind): CatalogEntry[]
  /** The entry of `kind` with that value, if our table knows it. */
  find(kind: CatalogKind, value: number): CatalogEntry | undefined
  /** The entry with that name; throws when the name is not in the table (a bug in our own tables). */
  named(name: string): CatalogEntry
}

const kinds = new Set<CatalogKind>(['op', 'register', 'register_flag', 'setup', 'feat', 'enter', 'sqe_flag'])

export function parseCatalog(text: string): Catalog {
  const lines = text.split('\n').filter((line) => line.trim() !== '')
  const header = lines.shift()?.split('\t') ?? []
  if (header.join(',') !== 'kind,name,value,kernel_version,note') throw new Error('io_uring catalog: unexpected header')
  const entries = lines.map((line, index): CatalogEntry => {
    const [kind, name, value, since, note = ''] = line.split('\t')
    const number = Number(value)
    if (!kinds.has(kind as CatalogKind) || !name || !Number.isInteger(number) || !/^\d+\.\d+$/.test(since ?? '')) {
      throw new Error(`io_uring catalog line ${index + 2} is malformed: ${line}`)
    }
    return {kind: kind as CatalogKind, name, value: number, since, note}
  })
  const byName = new Map(entries.map((e) => [e.name, e]))
  return {
    entries,
    ofKind: (kind) => entries.filter((e) => e.kind === kind),
    find: (kind, value) => entries.find((e) => e.kind === kind && e.value === value),
    named(name) {
      const entry = byName.get(name)
      if (!entry) throw new Error(`io_uring catalog has no entry named ${name}`)
      return entry
    },
  }
}

let cached: Catalog | undefined

export function loadCatalog(): Catalog {
  cached ??= parseCatalog(readFileSync(join(packageRoot, 'data', 'io_uring_catalog.tsv'), 'utf8'))
  return cached
}

/** Orders kernel versions such as "5.19" and "6.1" numerically. */
export function compareVersions(a: string, b: string): number {
  const [amaj, amin] = a.split('.').map(Number)
  const [bmaj, bmin] = b.split('.').map(Number)
  return amaj - bmaj || amin - bmin
}

/** Bit index of a single-bit flag value. */
export function bitOf(value: number): number {
  return 31 - Math.clz32(value)
}
