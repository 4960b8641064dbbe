import Table from 'cli-table3'

import {colorEnabled} from './terminal.js'

export type Cell = string | number | boolean | null | undefined

/** A plain-text table; borders and header colour only when the terminal takes colour. */
export function renderTable(head: string[], rows: Cell[][], options: {title?: string} = {}): string {
  const color = colorEnabled()
  const table = new Table({
    head,
    style: color ? {head: ['cyan'], border: ['grey']} : {head: [], border: []},
    chars: color ? compactBorders : {...asciiBorders, ...compactBorders},
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

// No separator line between body rows: long tables stay readable.
const compactBorders = {'left-mid': '', mid: '', 'mid-mid': '', 'right-mid': ''}

const asciiBorders = {
  top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+',
  bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+',
  left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+',
  right: '|', 'right-mid': '+', middle: '|',
}
