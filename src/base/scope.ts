// IPv6 scopes (fe80::1%eth0, fe80::1%2): the interface must exist here, or the address itself gets the blame.
import {readdirSync, readFileSync} from 'node:fs'
import {isIP} from 'node:net'

import {quoteInput} from './quote.js'

/** What is wrong with a host's %scope, or null when it has none or it names an interface of this machine. */
export function scopeProblem(host: string): string | null {
  const at = host.indexOf('%')
  if (at < 0) return null
  const address = host.slice(0, at)
  const zone = host.slice(at + 1)
  if (isIP(address) === 4) return `a %interface scope only goes with an IPv6 address; drop ${quoteInput(`%${zone}`)}`
  if (isIP(address) !== 6) return null
  const names = interfaceNames()
  const numeric = /^\d+$/.test(zone)
  if (numeric ? names.some((name) => interfaceIndex(name) === String(Number(zone))) : names.includes(zone)) return null
  const example = `${address}%${names.includes('lo') ? 'lo' : (names[0] ?? 'eth0')}`
  return `no network interface ${numeric ? 'with index' : 'named'} ${quoteInput(zone, {always: true})} here; name one from \`ip link\`, e.g. ${example}`
}

function interfaceNames(): string[] {
  try {
    return readdirSync('/sys/class/net')
  } catch {
    return []
  }
}

function interfaceIndex(name: string): string | null {
  try {
    return readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim()
  } catch {
    return null
  }
}
