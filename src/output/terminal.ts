// What the terminal can take: colour only on a TTY without NO_COLOR, spinners only on a real, sized TTY.
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false
  if (process.env.TERM === 'dumb') return false
  return Boolean(stream.isTTY)
}

export function spinnerEnabled(json: boolean): boolean {
  const stream = process.stderr
  return !json && Boolean(stream.isTTY) && (stream.columns ?? 0) > 0 && process.env.TERM !== 'dumb' && !process.env.CI
}
