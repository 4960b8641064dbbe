// oclif's command_not_found hook: `uringctl prob` names the nearest command ("did you mean ...?") as one
// usage error (exit 2; the JSON error object on stdout under --json, like every other error), in the
// words a person types (spaces, never oclif's colon ids). `-h` shows help; `-v` and `version` the version.
import {type Hook, loadHelpClass} from '@oclif/core'

import {ExitCode} from '../base/errors.js'
import {quoteInput} from '../base/quote.js'
import {nearestName} from '../base/suggest.js'
import {forStderr} from '../output/table.js'

interface CommandList {
  commands: {id: string; hidden?: boolean}[]
}

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
  reportUnknownCommand(config, typed, argv.includes('--json'))
}

export default hook

/** The usage error for words that name no command, on stderr (or stdout as JSON); sets exit code 2. */
export function reportUnknownCommand(config: CommandList, typed: string[], json: boolean): void {
  // oclif folds a stray argument into the command id ("echo serve extra"): name the argument then.
  const known = commandNames(config, false)
  const command = [...Array(typed.length).keys()].reverse().map((n) => typed.slice(0, n).join(' ')).find((name) => known.includes(name))
  let message: string
  if (command) {
    message = `unexpected argument ${quoteInput(typed[command.split(' ').length], {always: true})} for "uringctl ${command}" (see: uringctl ${command} --help)`
  } else {
    const words = typed.join(' ')
    const nearest = nearestCommand(words, commandNames(config, true))
    message = `unknown command ${quoteInput(words, {always: true})}${nearest ? `: did you mean "uringctl ${nearest}"?` : ''} (see: uringctl --help)`
  }
  process.exitCode = ExitCode.usage
  if (json) {
    process.stdout.write(`${JSON.stringify({error: {code: 'USAGE', exitCode: ExitCode.usage, message}}, null, 2)}\n`)
  } else {
    process.stderr.write(`${forStderr(`Error: ${message}`)}\n`)
  }
}

/** Visible commands (and with `topics`, their topics) as typed: "echo serve", "echo", "probe", ... */
function commandNames(config: CommandList, topics: boolean): string[] {
  const names = new Set<string>()
  for (const command of config.commands) {
    if (command.hidden) continue
    const words = command.id.split(':')
    for (let n = topics ? 1 : words.length; n <= words.length; n++) names.add(words.slice(0, n).join(' '))
  }
  return [...names]
}

/** The closest name with as many words as typed ("echo bnch" against "echo bench", "prob" against "probe"). */
export function nearestCommand(typed: string, names: string[]): string | null {
  return nearestName(typed, names.filter((name) => name.split(' ').length === typed.split(' ').length))
}
