import Table from 'cli-table3'

import {colorEnabled} from './terminal.js'

export type Cell = string | number | boolean | null | undefined

/** A plain-text table; borders and header colour only when the terminal takes colour. */
export function renderTable(head: string[], rows: Cell[][], options: {title?: string; compact?: boolean} = {}): string {
  const color = colorEnabled()
  // compact: no rule between body rows, for long lists (opcodes, flags).
  const rowRules = options.compact ? {mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': ''} : {}
  const table = new Table({
    head,
    style: color ? {head: ['cyan'], border: ['grey']} : {head: [], border: []},
    chars: {...(color ? {} : asciiBorders), ...rowRules},
  })
  for (const row of rows) table.push(row.map((cell) => formatCell(cell)))
  const body = table.toString()
  return options.title ? `${options.title}\n${body}` : body
}

function formatCell(cell: Cell): string {
  if (cell === null || cell === undefined) return '-'
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no'
  return String(cell)
}

const asciiBorders = {
  top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+',
  bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+',
  left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+',
  right: '|', 'right-mid': '+', middle: '|',
}
