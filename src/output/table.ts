// The one table printer: it draws a table for the width it has (see outputWidth). Columns keep their
// natural width when that fits; otherwise the widest shrink first and long cells wrap inside their
// column; columns marked `optional` are dropped when even that cannot fit; and below that a table
// becomes a vertical `name: value` list. A rule line sets the header apart, with colour or without.
import {colorEnabled, outputWidth} from './terminal.js'

export type Cell = string | number | boolean | null | undefined

export interface Column {
  header: string
  /** Dropped (last declared first) when the table cannot fit otherwise. */
  optional?: boolean
  /** Narrowest this column may be made before wrapping gives way to dropping columns (default 8; 30 for the first). */
  minWidth?: number
}

export interface TableOptions {
  title?: string
  /** Columns available; default: the terminal's width, COLUMNS off a terminal, else unlimited. */
  width?: number
  color?: boolean
}

interface Style {
  h: string
  v: string
  top: [string, string, string]
  rule: [string, string, string]
  bottom: [string, string, string]
  paint(text: string, sgr: string): string
}

const boxStyle: Style = {
  h: '─', v: '│',
  top: ['┌', '┬', '┐'], rule: ['├', '┼', '┤'], bottom: ['└', '┴', '┘'],
  paint: (text, sgr) => `\x1b[${sgr}m${text}\x1b[0m`,
}
const asciiStyle: Style = {
  h: '-', v: '|',
  top: ['+', '+', '+'], rule: ['+', '+', '+'], bottom: ['+', '+', '+'],
  paint: (text) => text,
}

/** A table with borders; box lines and a cyan header with colour, plain ASCII without. */
export function renderTable(head: (string | Column)[], rows: Cell[][], options: TableOptions = {}): string {
  const width = Math.max(options.width ?? outputWidth(), 20)
  const style = options.color ?? colorEnabled() ? boxStyle : asciiStyle
  let columns = head.map((c) => (typeof c === 'string' ? {header: c} : c))
  let cells = rows.map((row) => columns.map((_, i) => formatCell(row[i])))
  const title = options.title === undefined ? [] : wrapLines(options.title, width)

  const dropped: string[] = []
  for (;;) {
    const drop = columns.map((c) => Boolean(c.optional)).lastIndexOf(true)
    const widths = fitWidths(columns, cells, width, drop < 0)
    if (widths) return [...title, ...drawBordered(columns, cells, widths, style), ...droppedNote(dropped, width)].join('\n')
    if (drop < 0) break
    dropped.unshift(columns[drop].header)
    columns = columns.filter((_, i) => i !== drop)
    cells = cells.map((row) => row.filter((_, i) => i !== drop))
  }
  return [...title, ...drawVertical(columns, cells, width, style), ...droppedNote(dropped, width)].join('\n')
}

export function formatCell(cell: Cell): string {
  if (cell === null || cell === undefined) return '-'
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no'
  return String(cell).replace(/\s*\n\s*/g, ' ')
}

/** Display columns of text: colour codes take none, and our text holds no wide characters. */
export function textWidth(text: string): number {
  return Array.from(text.replace(/\x1b\[[0-9;]*m/g, '')).length
}

function droppedNote(dropped: string[], width: number): string[] {
  if (dropped.length === 0) return []
  return wrapLines(`(not shown at this width: ${dropped.join(', ')}; widen the terminal or use --json)`, width)
}

/**
 * Column widths (inside the padding) for a bordered table within `width`, or null if it cannot fit.
 * Unless `wrap`, only the natural widths will do (optional columns go before any cell wraps).
 */
function fitWidths(columns: Column[], cells: string[][], width: number, wrap: boolean): number[] | null {
  const natural = columns.map((c, i) => Math.max(textWidth(c.header), ...cells.map((row) => textWidth(row[i]))))
  // The first column names the row: it keeps up to 30 columns whole before anything else wraps. No
  // column is made narrower than its longest word (up to 32): names such as IORING_SETUP_COOP_TASKRUN stay whole.
  const longestWord = columns.map((c, i) => Math.max(...[c.header, ...cells.map((row) => row[i])].flatMap((t) => t.split(' ').map(textWidth))))
  const minimum = natural.map((n, i) => Math.min(n, Math.max(columns[i].minWidth ?? (i === 0 ? 30 : 8), Math.min(longestWord[i], 32))))
  const overhead = 3 * columns.length + 1
  if (!wrap && natural.reduce((a, b) => a + b, 0) + overhead > width) return null
  if (minimum.reduce((a, b) => a + b, 0) + overhead > width) return null
  const available = width - overhead
  if (natural.reduce((a, b) => a + b, 0) <= available) return natural
  // Water-filling: every column gets min(natural, level), the level as high as fits; narrow columns stay
  // whole and the widest share what is left, wrapping their long cells.
  const sumAt = (level: number) => natural.reduce((sum, n, i) => sum + Math.min(n, Math.max(minimum[i], level)), 0)
  let level = 0
  while (sumAt(level + 1) <= available) level++
  const widths = natural.map((n, i) => Math.min(n, Math.max(minimum[i], level)))
  let spare = available - widths.reduce((a, b) => a + b, 0)
  for (let i = 0; i < widths.length && spare > 0; i++) {
    if (widths[i] < natural[i]) {
      widths[i]++
      spare--
    }
  }
  return widths
}

function drawBordered(columns: Column[], cells: string[][], widths: number[], style: Style): string[] {
  const line = ([left, mid, right]: [string, string, string]) =>
    style.paint(left + widths.map((w) => style.h.repeat(w + 2)).join(mid) + right, '90')
  const v = style.paint(style.v, '90')
  const row = (texts: string[], sgr: string | null) => {
    const wrapped = texts.map((text, i) => wrapText(text, widths[i]))
    const height = Math.max(...wrapped.map((w) => w.length))
    const out: string[] = []
    for (let r = 0; r < height; r++) {
      const parts = wrapped.map((w, i) => {
        const text = (w[r] ?? '').padEnd(widths[i])
        return ` ${sgr && text.trim() ? style.paint(text, sgr) : text} `
      })
      out.push(v + parts.join(v) + v)
    }
    return out
  }
  return [
    line(style.top),
    ...row(columns.map((c) => c.header), '36'),
    line(style.rule),
    ...cells.flatMap((texts) => row(texts, null)),
    line(style.bottom),
  ]
}

/** Too narrow for columns: one `header: value` line per cell, a blank line between rows. */
function drawVertical(columns: Column[], cells: string[][], width: number, style: Style): string[] {
  const label = Math.min(Math.max(...columns.map((c) => textWidth(c.header))) + 2, Math.floor(width / 2))
  const out: string[] = []
  cells.forEach((row, r) => {
    if (r > 0) out.push('')
    columns.forEach((column, i) => {
      const name = wrapText(`${column.header}:`, label - 1)
      const value = wrapText(row[i], width - label)
      for (let k = 0; k < Math.max(name.length, value.length); k++) {
        const key = (name[k] ?? '').padEnd(label)
        out.push(`${k < name.length && name[k] ? style.paint(key, '36') : key}${value[k] ?? ''}`.trimEnd())
      }
    })
  })
  return out
}

/** Word-wraps one paragraph to `width` columns; words longer than that are cut. Never returns []. */
export function wrapText(text: string, width: number): string[] {
  const limit = Math.max(width, 1)
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (word === '') continue
    let rest = word
    const candidate = line ? `${line} ${rest}` : rest
    if (textWidth(candidate) <= limit) {
      line = candidate
      continue
    }
    if (line) lines.push(line)
    line = ''
    while (textWidth(rest) > limit) {
      const chars = Array.from(rest)
      lines.push(chars.slice(0, limit).join(''))
      rest = chars.slice(limit).join('')
    }
    line = rest
  }
  lines.push(line)
  return lines
}

/**
 * Fits prose to the width: every line longer than `width` wraps at spaces, its continuation lines
 * indented two more than the line itself (so they read as part of it).
 */
export function wrapLines(text: string, width: number = outputWidth()): string[] {
  const out: string[] = []
  for (const line of text.split('\n')) {
    if (textWidth(line) <= width) {
      out.push(line)
      continue
    }
    const indent = /^ */.exec(line)![0].length
    const first = wrapText(line.slice(indent), width - indent)
    out.push(' '.repeat(indent) + first[0])
    const hanging = Math.min(indent + 2, Math.floor(width / 2))
    const rest = first.slice(1).join(' ')
    if (rest) out.push(...wrapText(rest, width - hanging).map((l) => ' '.repeat(hanging) + l))
  }
  return out
}

/** Text for stdout, with long lines wrapped to the width (tables from renderTable already fit). */
export function fitText(text: string, width: number = outputWidth()): string {
  return wrapLines(text, width).join('\n')
}

/**
 * A message for stderr: one line, as scripts and logs want it, but wrapped at word boundaries (with a
 * hanging indent) when stderr is a terminal, where the terminal would otherwise cut it mid-word.
 */
export function forStderr(text: string): string {
  return process.stderr.isTTY ? wrapLines(text, outputWidth(process.stderr)).join('\n') : text
}
