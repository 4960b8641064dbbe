// Runs the real CLI (bin/run.js) in a real pseudo-terminal (test/helpers/pty-run.py, Python's pty
// support): a fixed-size terminal, keys typed as a keyboard types them ("\x03" is Ctrl-C, turned
// into SIGINT by the kernel's line discipline), and the screen as a terminal would show it.
import {spawn} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {root, runJs} from './cli.js'

const ptyRun = join(import.meta.dirname, 'pty-run.py')
export const ctrlC = '\x03'

/**
 * Starts `uringctl ...args` on a COLS x ROWS terminal. Options: cols (80), rows (24), env (merged over
 * a TERM=xterm-256color env without CI, NO_COLOR or COLUMNS), timeoutMs (the command's process group is
 * killed after it), stdoutTo (a file: stdout redirected there, stderr still on the terminal, as with
 * `uringctl ... > log`). Returns {pid, output(), screen(), waitFor(regex), type(keys), done}.
 */
export function startPty(args, options = {}) {
  const cols = options.cols ?? 80
  const rows = options.rows ?? 24
  const env = {...process.env, TERM: 'xterm-256color'}
  for (const name of ['CI', 'NO_COLOR', 'FORCE_COLOR', 'COLUMNS', 'LINES']) delete env[name]
  Object.assign(env, options.env)
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name]
  const timeoutSec = (options.timeoutMs ?? 60000) / 1000
  let command = [process.execPath, runJs, ...args]
  if (options.stdoutTo) {
    env.PTY_STDOUT_FILE = options.stdoutTo
    command = ['sh', '-c', 'exec "$0" "$@" > "$PTY_STDOUT_FILE"', ...command]
  }
  const child = spawn('python3', [ptyRun, String(cols), String(rows), String(timeoutSec), '--', ...command], {
    env, cwd: root, stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  let meta = ''
  const waiters = new Set()
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (d) => {
    output += d
    for (const w of waiters) w()
  })
  let resolvePid
  const pid = new Promise((resolve) => { resolvePid = resolve })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (d) => {
    meta += d
    const first = meta.split('\n')[0]
    if (meta.includes('\n') && first.startsWith('{"pid"')) resolvePid(JSON.parse(first).pid)
  })
  const done = new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', () => {
      for (const w of waiters) w()
      const lines = meta.trim().split('\n')
      const last = lines.at(-1) ?? ''
      if (!last.startsWith('{"exit"')) return reject(new Error(`pty-run.py failed: ${meta}`))
      const status = JSON.parse(last)
      resolve({code: status.exit, signal: status.signal, timedOut: status.timedOut, output, screen: screenOf(output, cols)})
    })
  })
  let finished = false
  done.then(() => { finished = true }, () => { finished = true })
  return {
    pid,
    done,
    output: () => output,
    screen: () => screenOf(output, cols),
    /** Keys typed at the terminal, e.g. ctrlC. */
    type(keys) {
      child.stdin.write(keys)
    },
    /** Resolves once the screen text (colours stripped) matches, rejects if the command ends first. */
    waitFor(pattern, what = String(pattern)) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const text = stripAnsi(output)
          if (pattern.test(text)) {
            waiters.delete(check)
            resolve(text)
          } else if (finished || child.exitCode !== null) {
            waiters.delete(check)
            reject(new Error(`the command ended before ${what} appeared; it printed:\n${text}`))
          }
        }
        waiters.add(check)
        check()
      })
    },
  }
}

/** Runs to completion on a terminal: {code, signal, output, screen}. */
export async function runPty(args, options = {}) {
  return startPty(args, options).done
}

export function stripAnsi(text) {
  // CSI sequences (colour, cursor, erase, mode switches) and OSC sequences.
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '')
}

/**
 * The lines a COLS-wide terminal shows for this output (scrollback included): CR returns to column 0,
 * ESC[K / ESC[2K erase, ESC[nG moves, a line longer than COLS wraps onto the next row as a terminal does.
 * Returned rows carry no trailing blanks.
 */
export function screenOf(output, cols) {
  const rows = [[]]
  let row = 0
  let col = 0
  let pendingWrap = false
  const text = output.replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '')
  const put = (ch) => {
    if (pendingWrap) {
      pendingWrap = false
      row++
      col = 0
      rows[row] ??= []
    }
    rows[row][col] = ch
    if (col === cols - 1) pendingWrap = true
    else col++
  }
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '\x1b') {
      const m = /^\x1b\[([0-9;?]*)([ -/]*)([@-~])/.exec(text.slice(i))
      if (!m) continue
      i += m[0].length - 1
      const n = Number.parseInt(m[1] || '0', 10)
      if (m[3] === 'K') {
        const line = rows[row]
        if (n === 2) rows[row] = []
        else if (n === 0) line.length = Math.min(line.length, col)
        pendingWrap = false
      } else if (m[3] === 'G') {
        col = Math.max(0, (n || 1) - 1)
        pendingWrap = false
      } else if (m[3] === 'A') {
        row = Math.max(0, row - (n || 1))
        pendingWrap = false
      }
      continue
    }
    if (ch === '\r') {
      col = 0
      pendingWrap = false
    } else if (ch === '\n') {
      row++
      rows[row] ??= []
      pendingWrap = false
    } else if (ch === '\b') {
      col = Math.max(0, col - 1)
    } else if (ch >= ' ' || ch === '\t') {
      put(ch === '\t' ? ' ' : ch)
    }
  }
  const lines = rows.map((r) => Array.from(r, (c) => c ?? ' ').join('').replace(/\s+$/, ''))
  while (lines.length > 0 && lines.at(-1) === '') lines.pop()
  return lines
}

/** Whether a process is still alive: it exists and is not a zombie waiting for a parent that never reaps. */
export function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** Pids whose parent is `pid` (from /proc/PID/stat; the name field may hold spaces, so parse after ")"). */
export function childrenOf(pid) {
  const out = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid) out.push(Number(entry))
    } catch {}
  }
  return out
}

/** Polls `condition` every 50 ms until it holds or `limitMs` passed; returns whether it held. */
export async function eventually(condition, limitMs = 20000) {
  for (let waited = 0; waited <= limitMs; waited += 50) {
    if (await condition()) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return false
}
