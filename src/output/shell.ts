// A shell command laid out for the width it has, still runnable when copied: long commands break only
// at spaces outside quotes, each broken line ending in " \" (a line continuation), so pasting the
// wrapped lines into a shell runs the same command.
import {textWidth} from './table.js'

/** Words of a command line, split at spaces outside '...' and "..." (quotes kept). */
function shellWords(command: string): string[] {
  const words: string[] = []
  let word = ''
  let quote: string | null = null
  for (const char of command) {
    if (quote) {
      if (char === quote) quote = null
    } else if (char === "'" || char === '"') {
      quote = char
    } else if (char === ' ') {
      if (word) words.push(word)
      word = ''
      continue
    }
    word += char
  }
  if (word) words.push(word)
  return words
}

/**
 * The command's lines for a first line of `firstWidth` columns and later ones of `width` (each later line
 * gets `indent` in front). A word longer than the width stays whole: a cut word would change the command.
 */
export function wrapShellCommand(command: string, firstWidth: number, width: number, indent: string): string[] {
  if (textWidth(command) <= firstWidth || !Number.isFinite(width)) return [command]
  const lines: string[] = []
  let line = ''
  for (const word of shellWords(command)) {
    const limit = (lines.length === 0 ? firstWidth : width - indent.length) - 2 // room for " \"
    const candidate = line ? `${line} ${word}` : word
    if (!line || textWidth(candidate) <= limit) {
      line = candidate
      continue
    }
    lines.push(`${line} \\`)
    line = word
  }
  lines.push(line)
  return lines.map((l, i) => (i === 0 ? l : `${indent}${l}`))
}
