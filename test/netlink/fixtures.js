// Loads the captured netlink fixtures (test/fixtures/netlink): hex datagrams plus their decoded description.
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

export const fixtureDir = join(import.meta.dirname, '..', 'fixtures', 'netlink')
export const described = JSON.parse(readFileSync(join(fixtureDir, 'fixtures.json'), 'utf8')).fixtures

/** The datagrams of one .hex fixture file, one per line. */
export function datagrams(name) {
  return readFileSync(join(fixtureDir, name), 'utf8').split('\n').filter(Boolean).map((line) => new Uint8Array(Buffer.from(line, 'hex')))
}

export const fixtureNames = readdirSync(fixtureDir).filter((n) => n.endsWith('.hex')).sort()

/** The "TCP data split:" word in a captured `ethtool -g` output, or null when the output has no such line. */
export function ethtoolSplitWord(output) {
  return /^TCP data split:\s*(.+)$/m.exec(output)?.[1].trim() ?? null
}
