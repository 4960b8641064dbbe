// oclif's command_not_found hook: `uringctl prob` names the nearest command ("did you mean ...?") as one
// usage error (exit 2; the JSON error object on stdout under --json, like every other error), in the
// words a person types (spaces, never oclif's colon ids). `-h` shows help; `-v` and `version` the version.
import {type Hook, loadHelpClass} from '@oclif/core'

import {ExitCode} from '../base/errors.js'
import {quoteInput} from '../base/quote.js'

const hook: Hook<'command_not_found'> = async function (options) {
  const {config} = options
  const argv = options.argv ?? []
  const typed = options.id.split(':')
  if (typed[0] === '-h') {
    const Help = await loadHelpClass(config)
    await new Help(config).showHelp(typed.slice(1).concat(argv).filter((a) => a !== '-h'))
    return
  }
  if (typed.length === 1 && (typed[0] === '-v' || typed[0] === 'version')) {
    process.stdout.write(`${config.userAgent}\n`)
    return
  }
  const words = typed.join(' ')
  const nearest = nearestCommand(words, commandNames(config))
  const message = `unknown command ${quoteInput(words, {always: true})}${nearest ? `: did you mean "uringctl ${nearest}"?` : ''} (see: uringctl --help)`
  process.exitCode = ExitCode.usage
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({error: {code: 'USAGE', exitCode: ExitCode.usage, message}}, null, 2)}\n`)
  } else {
    process.stderr.write(`Error: ${message}\n`)
  }
}

export default hook

/** Visible commands and topics as typed: "echo serve", "echo", "probe", ... */
function commandNames(config: {commands: {id: string; hidden?: boolean}[]}): string[] {
  const names = new Set<string>()
  for (const command of config.commands) {
    if (command.hidden) continue
    const words = command.id.split(':')
    for (let n = 1; n <= words.length; n++) names.add(words.slice(0, n).join(' '))
  }
  return [...names]
}

/** The closest name within a few edits (a third of the word, at least 2), preferring whole commands. */
export function nearestCommand(typed: string, names: string[]): string | null {
  let best: {name: string; distance: number} | null = null
  for (const name of names) {
    // Compare like with like: "echo bnch" against two-word names, "prob" against one-word names.
    if (name.split(' ').length !== typed.split(' ').length) continue
    const distance = editDistance(typed, name)
    if (!best || distance < best.distance) best = {name, distance}
  }
  if (!best) return null
  const allowed = Math.max(2, Math.floor(typed.length / 3))
  return best.distance <= allowed ? best.name : null
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn a into b. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}
