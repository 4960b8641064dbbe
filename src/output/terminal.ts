// What the terminal can take: colour only on a TTY without NO_COLOR, spinners only on a real, sized
// TTY that a person watches (stdout and stderr both on it), and the width output must fit in.

export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false
  if (process.env.TERM === 'dumb') return false
  return Boolean(stream.isTTY)
}

/** Progress is drawn only for a person watching: not under --json, not when stdout goes to a file or pipe. */
export function spinnerEnabled(json: boolean): boolean {
  if (json || !process.stdout.isTTY || !process.stderr.isTTY) return false
  return (process.stderr.columns ?? 0) > 0 && process.env.TERM !== 'dumb' && !process.env.CI
}

/**
 * Columns human output may use on stdout: the terminal's width on a terminal (80 if it reports none),
 * COLUMNS when set off a terminal, otherwise no limit.
 */
export function outputWidth(stream: NodeJS.WriteStream = process.stdout): number {
  if (stream.isTTY) {
    const columns = stream.columns ?? 0
    return columns > 0 ? columns : fromEnv() ?? 80
  }
  return fromEnv() ?? Number.POSITIVE_INFINITY
}

function fromEnv(): number | null {
  const value = process.env.COLUMNS
  if (!value || !/^\d+$/.test(value)) return null
  const n = Number(value)
  return n > 0 ? n : null
}
