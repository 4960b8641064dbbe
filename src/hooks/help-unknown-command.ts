// oclif's init hook, for `uringctl help WORDS`: words that name no command or topic get the same usage
// error as `uringctl WORDS` (nearest command, exit 2), not plugin-help's "Command echo:bnch not found."
import type {Hook} from '@oclif/core'

import {reportUnknownCommand} from './command-not-found.js'

const hook: Hook<'init'> = async function (options) {
  if (options.id !== 'help') return
  const words = (options.argv ?? []).filter((a) => !a.startsWith('-'))
  if (words.length === 0) return
  const id = words.join(':')
  if (options.config.findCommand(id) || options.config.findTopic(id)) return
  reportUnknownCommand(options.config, words, (options.argv ?? []).includes('--json'))
  this.exit(2)
}

export default hook
