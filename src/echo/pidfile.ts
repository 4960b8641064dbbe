// `echo serve --pid-file PATH`: checked before the server starts, written once it listens, removed at exit.
import {accessSync, constants, readFileSync, renameSync, unlinkSync, writeFileSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

import {usageError, UserError} from '../base/errors.js'
import {quoteInput} from '../base/quote.js'

export interface PidFile {
  path: string
  /** Writes this process's pid (atomically: a reader never sees a half-written file). */
  write(): void
  /** Removes the file if it still holds this process's pid. */
  remove(): void
}

function fail(message: string, exitCode: number): UserError {
  return new UserError(message, {code: 'PID_FILE', exitCode})
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 80)
  } catch {
    return 'unknown command'
  }
}

/**
 * Refuses a pid file that names a live process (another server still running) and a directory this
 * process cannot write; a file left by a process that is gone is taken over.
 */
export function claimPidFile(path: string, exitCode: number): PidFile {
  if (path.trim() === '') throw usageError('--pid-file is empty: name a file, e.g. /run/uringctl-echo.pid')
  const full = resolve(path)
  const shown = quoteInput(path)
  let held: string | undefined
  try {
    held = readFileSync(full, 'utf8').trim()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EISDIR') throw fail(`--pid-file ${shown} is a directory; name a file, e.g. /run/uringctl-echo.pid`, exitCode)
    if (code !== 'ENOENT') throw fail(`--pid-file ${shown} cannot be read (${code}); check its permissions or pick another path`, exitCode)
  }
  const pid = held !== undefined && /^\d+$/.test(held) ? Number(held) : 0
  if (pid > 0 && pid !== process.pid && alive(pid)) {
    throw fail(`--pid-file ${shown} holds pid ${pid}, a running process (${quoteInput(commandOf(pid), {max: 80})}); stop it first, or remove the file if that process is not an echo server`, exitCode)
  }
  try {
    accessSync(dirname(full), constants.W_OK)
  } catch (error) {
    throw fail(`--pid-file ${shown}: cannot write in ${quoteInput(dirname(full))} (${(error as NodeJS.ErrnoException).code}); create the directory or pick one this user can write`, exitCode)
  }
  let written = false
  return {
    path: full,
    write() {
      const temporary = `${full}.${process.pid}.tmp`
      try {
        writeFileSync(temporary, `${process.pid}\n`, {mode: 0o644})
        renameSync(temporary, full)
        written = true
      } catch (error) {
        throw fail(`--pid-file ${shown} cannot be written (${(error as NodeJS.ErrnoException).code}); pick a path this user can write`, exitCode)
      }
    },
    remove() {
      if (!written) return
      written = false
      try {
        if (readFileSync(full, 'utf8').trim() === String(process.pid)) unlinkSync(full)
      } catch {
        // Already gone, or replaced by someone else's: nothing of ours to remove.
      }
    },
  }
}
