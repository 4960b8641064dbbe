// oclif's command_not_found hook: `uringctl prob` names the nearest command ("did you mean ...?") as one
// usage error (exit 2; the JSON error object on stdout under --json, like every other error), in the
// words a person types (spaces, never oclif's colon ids). `-h` shows help; `-v` and `version` the version.
import {type Hook, loadHelpClass} from '@oclif/core'

import {ExitCode} from '../base/errors.js'
import {quoteInput} from '../base/quote.js'
import {nearestName} from '../base/suggest.js'
import {forStderr} from '../output/table.js'

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
    process.stderr.write(`${forStderr(`Error: ${message}`)}\n`)
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

/** The closest name with as many words as typed ("echo bnch" against "echo bench", "prob" against "probe"). */
export function nearestCommand(typed: string, names: string[]): string | null {
  return nearestName(typed, names.filter((name) => name.split(' ').length === typed.split(' ').length))
}
