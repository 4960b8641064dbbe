import ora, {type Ora} from 'ora'

import {colorEnabled, spinnerEnabled} from './terminal.js'

export interface Progress {
  update(text: string): void
  succeed(text?: string): void
  fail(text?: string): void
  stop(): void
}

const silent: Progress = {update() {}, succeed() {}, fail() {}, stop() {}}

/** An ora spinner on stderr when the terminal can show one; otherwise a no-op (never spins on a 0-column TTY). */
export function startProgress(text: string, json: boolean): Progress {
  if (!spinnerEnabled(json)) return silent
  // ora ignores NO_COLOR: decide colour ourselves and use plain symbols without it.
  const color = colorEnabled(process.stderr)
  const spinner: Ora = ora({text, stream: process.stderr, color: color ? 'cyan' : false, isEnabled: true})
  spinner.start()
  return {
    update(t) { spinner.text = t },
    succeed(t) { color ? spinner.succeed(t) : spinner.stopAndPersist({symbol: 'ok', text: t}) },
    fail(t) { color ? spinner.fail(t) : spinner.stopAndPersist({symbol: 'failed', text: t}) },
    stop() { spinner.stop() },
  }
}
