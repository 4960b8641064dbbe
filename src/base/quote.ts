// How an error line shows text the user typed (a flag value, a host, an interface name): exactly, but safely.
// Control, format and bidi characters (ANSI escapes, newlines, right-to-left overrides) would otherwise reach
// the terminal and rewrite it, and a 5000-character value would bury the message.

/** Characters that must never reach a terminal as they are: C0/C1 controls, format chars (bidi overrides), separators. */
const unsafe = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}]/u
const unsafeGlobal = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}]/gu
/** A value shown bare: printable ASCII without spaces, quotes or backslashes (e.g. 8080, ::1, 0-3, eth0). */
const plain = /^(?=.*[A-Za-z0-9])[\w.:%@+,\-/=<>[\]]+$/

export const maxShownChars = 40

function escapeChar(char: string): string {
  switch (char) {
    case '\n': return '\\n'
    case '\r': return '\\r'
    case '\t': return '\\t'
    case '\u001b': return '\\e'
    default: {
      const code = char.codePointAt(0) ?? 0
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
    }
  }
}

/**
 * User input as an error line should show it: bare when it is a plain token (unless `always`), otherwise in
 * double quotes with control/bidi characters escaped (\n, \e, \u{202e}); longer than `max` characters, cut
 * with its length noted.
 */
export function quoteInput(text: string, options: {always?: boolean; max?: number} = {}): string {
  const max = options.max ?? maxShownChars
  const chars = [...text]
  const shown = chars.length > max ? chars.slice(0, max - 8) : chars
  const cut = chars.length > max ? `…" (${chars.length} characters)` : '"'
  if (!options.always && !cut.startsWith('…') && plain.test(text)) return text
  const body = shown.map((c) => (c === '"' || c === '\\' ? `\\${c}` : unsafe.test(c) ? escapeChar(c) : c)).join('')
  return `"${body}${cut}`
}

/** Replaces each control/format/bidi character with what `spell` makes of it (e.g. a shell's $'\\u202e'). */
export function replaceControls(text: string, spell: (char: string) => string): string {
  return text.replace(unsafeGlobal, spell)
}

/** Text from outside (an interface name the kernel reports) for a table cell: control/bidi characters escaped, nothing else changed. */
export function escapeControls(text: string): string {
  return text.replace(unsafeGlobal, escapeChar)
}

/**
 * The last line of defence for any message about to be printed: escapes control/bidi characters and
 * shortens any single run of text longer than 100 characters, so no error can carry raw input to the terminal.
 */
export function safeLine(message: string): string {
  const escaped = escapeControls(message)
  return escaped.replace(/\S{101,}/g, (word) => `${[...word].slice(0, 60).join('')}…(${[...word].length} characters)`)
}
