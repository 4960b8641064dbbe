import {Command, Errors, Flags} from '@oclif/core'

import {forStderr} from '../output/table.js'
import {ExitCode, UserError} from './errors.js'
import {quoteInput, safeLine} from './quote.js'
import {nearestName} from './suggest.js'

export interface ExitCodeDoc {
  code: number
  meaning: string
}

export const commonExitCodes: ExitCodeDoc[] = [
  {code: ExitCode.ok, meaning: 'success'},
  {code: ExitCode.internal, meaning: 'internal error (a bug in uringctl: please report it)'},
  {code: ExitCode.usage, meaning: 'usage error: unknown flag, bad flag value or argument'},
  {code: ExitCode.nativeMissing, meaning: 'the native addon is missing or does not load (fix: npm rebuild uringctl with a compiler)'},
]

/** A command's help text with its exit codes appended, since scripts depend on them. */
export function describeWithExitCodes(text: string, codes: ExitCodeDoc[]): string {
  const all = [...commonExitCodes, ...codes].sort((a, b) => a.code - b.code)
  const lines = all.map(({code, meaning}) => `  ${String(code).padEnd(3)} ${meaning}`)
  return `${text}\n\nEXIT CODES\n${lines.join('\n')}`
}

/**
 * Base of every uringctl command: `--json` (machine output only on stdout), one-line errors with
 * documented exit codes in both modes, and exit codes that survive `--json` (oclif 4 drops them).
 */
export abstract class BaseCommand extends Command {
  // -h as well as --help (before enableJsonFlag, whose setter adds --json to these).
  static override baseFlags = {help: Flags.help({char: 'h', description: 'Show help for this command.'})}
  static override enableJsonFlag = true

  /** Set the exit code for a successful run whose result still means "no" (e.g. a failed --require). */
  protected setExitCode(code: number): void {
    process.exitCode = code
  }

  /** Human progress and warnings: stderr, and silent under --json. */
  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${forStderr(message)}\n`)
  }

  /** "Nonexistent flag: --prot" names the nearest flag of this command: "...: did you mean --port?". */
  private suggestFlag(message: string): string {
    const typed = /^Nonexistent flags?: --?([\w-]+)/.exec(message)?.[1]
    if (!typed) return message
    const ctor = this.constructor as typeof BaseCommand
    const flags = {...ctor.baseFlags, ...ctor.flags} as Record<string, {hidden?: boolean}>
    const nearest = nearestName(typed, Object.keys(flags).filter((name) => !flags[name].hidden))
    if (!nearest) return message
    const [first, ...rest] = message.split(' (see: ')
    return [`${first}: did you mean --${nearest}?`, ...rest].join(' (see: ')
  }

  /** "Unexpected argument: yes" from `--pin=yes` says that a switch takes no value. */
  private explainSwitchValue(message: string): string {
    if (!/^Unexpected arguments?: /.test(message)) return message
    const ctor = this.constructor as typeof BaseCommand
    const flags = {...ctor.baseFlags, ...ctor.flags} as Record<string, {type?: string}>
    for (const token of this.argv) {
      const match = /^--([\w-]+)=(.*)$/s.exec(token)
      if (match && flags[match[1]]?.type === 'boolean') {
        return `--${match[1]} is a switch and takes no value (drop ${quoteInput(`=${match[2]}`)}): give --${match[1]} to turn it on, leave it out for off`
      }
    }
    return message
  }

  override async catch(err: Error & {oclif?: {exit?: number}; code?: string}): Promise<void> {
    if (err instanceof Errors.ExitError) throw err
    let exitCode: number
    let code: string
    let message = err.message
    if (err instanceof UserError) {
      exitCode = err.exitCode
      code = err.code
      // A flag's own parser threw it: oclif prefixed "Parsing --flag" and appended a help line around our one line.
      message = /^Parsing --\S+ \n\t([^\n]*)\n/.exec(message)?.[1] ?? message
    } else if (typeof err.oclif?.exit === 'number' && err.oclif.exit !== 1) {
      exitCode = err.oclif.exit
      code = exitCode === ExitCode.usage ? 'USAGE' : 'ERROR'
      message = optionsError(message) ?? oneLine(message)
    } else if (isParseError(err)) {
      exitCode = ExitCode.usage
      code = 'USAGE'
      message = optionsError(message) ?? oneLine(message)
    } else {
      exitCode = ExitCode.internal
      code = 'INTERNAL'
      if (process.env.DEBUG) process.stderr.write(`${err.stack}\n`)
      message = `internal error: ${firstLine(message)} (set DEBUG=1 for the stack trace)`
    }
    message = safeLine(message)
    if (code === 'USAGE') message = this.explainSwitchValue(this.suggestFlag(message))
    if (code === 'USAGE' && !message.includes('--help')) message += ` (see: uringctl ${this.id?.replaceAll(':', ' ')} --help)`
    process.exitCode = exitCode
    if (this.jsonEnabled()) {
      this.logJson({error: {code, exitCode, message}})
    } else {
      process.stderr.write(`${forStderr(`Error: ${message}`)}\n`)
    }
  }
}

/** oclif's parse errors span lines ("Parsing --port", then the reason): keep them all, on one line. */
function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('See more help'))
    .join(': ')
    .replace(/\s+:/g, ':')
}

/** oclif's "Expected --format=x to be one of: a, b" as our other value errors read: "--format x: expected one of a, b". */
function optionsError(text: string): string | null {
  const match = /^Expected --([\w-]+)=([\s\S]*) to be one of: ([^\n]*)/.exec(text)
  return match ? `--${match[1]} ${quoteInput(match[2])}: expected one of ${match[3].trim()}` : null
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? text
}

function isParseError(err: Error): boolean {
  return 'parse' in err || /^(Nonexistent flag|Unexpected argument|Expected|Missing required flag|Parsing --)/.test(err.message)
}
