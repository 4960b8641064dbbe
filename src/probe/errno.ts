// Errno names from Node's own table (os.constants.errno), so messages name EPERM rather than 1.
import {constants} from 'node:os'

const names = new Map<number, string>()
for (const [name, value] of Object.entries(constants.errno)) if (!names.has(value)) names.set(value, name)

export const errno = constants.errno

export function errnoName(code: number): string {
  return names.get(code) ?? `errno ${code}`
}
