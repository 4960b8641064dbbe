// Errno names from Node's own table (os.constants.errno), so messages name EPERM rather than 1. The one
// table for the whole program: the addon gets it too (errnoNamesByNumber) for its native threads' messages.
import {constants} from 'node:os'

// Where Node has two names for one number, the kernel's name wins (what strace and the man pages print).
const aliases = new Set(['ENOTSUP', 'EWOULDBLOCK', 'EDEADLOCK'])

const names = new Map<number, string>()
for (const [name, value] of Object.entries(constants.errno)) if (!aliases.has(name) || !names.has(value)) names.set(value, name)

export const errno = constants.errno

export function errnoName(code: number): string {
  return names.get(code) ?? `errno ${code}`
}

/** names[errno] is its name, or undefined: the shape the addon takes. */
export function errnoNamesByNumber(): (string | undefined)[] {
  const table: (string | undefined)[] = []
  for (const [code, name] of names) table[code] = name
  return table
}
