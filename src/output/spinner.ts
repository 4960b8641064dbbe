// A one-line progress spinner of our own on stderr. It never touches stdin or the terminal's modes and
// installs no signal handlers, so Ctrl-C reaches the command as a plain SIGINT and ends it the orderly
// way (ora put stdin in raw mode and re-raised signals through signal-exit: exit 130, no summary).
import {colorEnabled, spinnerEnabled} from './terminal.js'

export interface Progress {
  update(text: string): void
  /** Writes a whole line (e.g. a warning) above the spinner, which is redrawn after it. */
  print(stream: NodeJS.WriteStream, text: string): void
  succeed(text?: string): void
  fail(text?: string): void
  stop(): void
}

const silent: Progress = {
  update() {},
  print(stream, text) { stream.write(text) },
  succeed() {},
  fail() {},
  stop() {},
}

const unicodeFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const asciiFrames = ['-', '\\', '|', '/']
const clearLine = '\r\x1b[K'

/** A spinner on stderr when both stdout and stderr are a sized terminal; otherwise a no-op. */
export function startProgress(text: string, json: boolean): Progress {
  if (!spinnerEnabled(json)) return silent
  const stream = process.stderr
  const color = colorEnabled(stream)
  const frames = process.env.TERM === 'linux' ? asciiFrames : unicodeFrames
  let frame = 0
  let current = text
  let active = true
  const draw = () => {
    const columns = stream.columns ?? 0
    if (!active || columns < 4) return
    const symbol = frames[frame++ % frames.length]
    // One column short of the width: a full line would wrap on some terminals and leave a stale row.
    const line = Array.from(current).slice(0, columns - 3).join('')
    stream.write(`${clearLine}${color ? `\x1b[36m${symbol}\x1b[39m` : symbol} ${line}`)
  }
  const erase = () => stream.write(clearLine)
  const timer = setInterval(draw, 100)
  timer.unref()
  // If the process ends without stop() (an uncaught error), leave no half-drawn line behind.
  const onExit = () => { if (active) erase() }
  process.once('exit', onExit)
  draw()
  const finish = (symbol: string | null, t?: string) => {
    if (!active) return
    active = false
    clearInterval(timer)
    process.removeListener('exit', onExit)
    erase()
    if (symbol !== null) stream.write(`${symbol} ${t ?? current}\n`)
  }
  return {
    update(t) {
      current = t
      draw()
    },
    print(target, t) {
      if (active) erase()
      target.write(t)
      draw()
    },
    succeed: (t) => finish(color ? '\x1b[32m✔\x1b[39m' : 'ok', t),
    fail: (t) => finish(color ? '\x1b[31m✖\x1b[39m' : 'failed', t),
    stop: () => finish(null),
  }
}
