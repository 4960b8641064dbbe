// `--require NAME OP VALUE` checks for scripts: `nofile>=65536`, `net.core.somaxconn>=4096`, `memlock=unlimited`.
import {usageError} from '../base/errors.js'
import {quoteInput} from '../base/quote.js'
import type {Figures} from './figures.js'
import {formatLimit, parseQuantity} from './quantities.js'

/** The figures a requirement can name; the value is null when it could not be read (it then falls short). */
export const requirableFigures: Record<string, {meaning: string; value: (figures: Figures) => number | null}> = {
  nofile: {meaning: 'open files, soft limit', value: (f) => f.limits.nofile.soft},
  'nofile.hard': {meaning: 'open files, hard limit', value: (f) => f.limits.nofile.hard},
  memlock: {meaning: 'locked memory in bytes, soft limit', value: (f) => f.limits.memlock.soft},
  'memlock.hard': {meaning: 'locked memory in bytes, hard limit', value: (f) => f.limits.memlock.hard},
  nproc: {meaning: 'processes, soft limit', value: (f) => f.limits.nproc.soft},
  'nproc.hard': {meaning: 'processes, hard limit', value: (f) => f.limits.nproc.hard},
  fds: {meaning: 'fds the target has open now', value: (f) => f.openFds},
  'fs.nr_open': {meaning: 'per-process open files ceiling', value: (f) => f.host.nrOpen},
  'fs.file-max': {meaning: 'open files on the whole host', value: (f) => f.host.fileMax},
  'fs.file-nr': {meaning: 'open files allocated on the host now', value: (f) => f.host.fileNr.allocated},
  'net.core.somaxconn': {meaning: 'accept backlog cap', value: (f) => f.host.somaxconn},
  'net.ipv4.tcp_max_syn_backlog': {meaning: 'half-open connections per listener', value: (f) => f.host.tcpMaxSynBacklog},
  ports: {meaning: 'ephemeral ports in net.ipv4.ip_local_port_range', value: (f) => f.host.ipLocalPortRange?.count ?? null},
}

export type Operator = '>=' | '>' | '<=' | '<' | '='

const operators: Record<Operator, (actual: number, wanted: number) => boolean> = {
  '>=': (a, w) => a >= w,
  '>': (a, w) => a > w,
  '<=': (a, w) => a <= w,
  '<': (a, w) => a < w,
  '=': (a, w) => a === w,
}

export interface Requirement {
  expression: string
  name: string
  operator: Operator
  /** Infinity for "unlimited". */
  value: number
}

export interface RequirementResult extends Requirement {
  actual: number | null
  met: boolean
}

const grammar = 'NAME OP VALUE, e.g. nofile>=65536 (OP: >= > <= < =; VALUE: a number with optional K/M/G/T, or unlimited)'

/** Parses every --require value; each may hold several expressions separated by commas. */
export function parseRequirements(inputs: string[]): Requirement[] {
  const expressions = inputs.flatMap((input) => input.split(',')).map((e) => e.trim()).filter(Boolean)
  if (expressions.length === 0) throw usageError(`--require ${quoteInput(inputs.join(','))}: no check given; write ${grammar}.`)
  const requirements: Requirement[] = []
  for (const expression of expressions) {
    const shown = quoteInput(expression, {always: true})
    const match = /^([^<>=\s]*)\s*(>=|<=|>|<|=)\s*(.*)$/.exec(expression)
    if (!match || match[1] === '') throw usageError(`--require ${shown} is not ${grammar}.`)
    const [, name, operator, valueText] = match
    if (!(name in requirableFigures)) {
      throw usageError(`--require ${shown}: unknown name ${quoteInput(name, {always: true})}; valid names: ${Object.keys(requirableFigures).join(', ')}.`)
    }
    if (valueText === '') throw usageError(`--require ${shown}: no value after ${operator}; e.g. ${name}${operator}65536 or ${name}${operator}unlimited.`)
    const value = parseQuantity(valueText)
    if (value === null) throw usageError(`--require ${shown}: ${quoteInput(valueText, {always: true})} is not a number with optional K/M/G/T (powers of 1024), or unlimited.`)
    requirements.push({expression, name, operator: operator as Operator, value})
  }
  return requirements
}

export function checkRequirements(requirements: Requirement[], figures: Figures): RequirementResult[] {
  return requirements.map((requirement) => {
    const actual = requirableFigures[requirement.name].value(figures)
    return {...requirement, actual, met: actual !== null && operators[requirement.operator](actual, requirement.value)}
  })
}

/** "nofile is 1024, needs >= 65536" for each requirement that falls short. */
export function describeShortfall(result: RequirementResult): string {
  const actual = result.actual === null ? 'unknown (not readable)' : formatLimit(result.actual)
  return `${result.name} is ${actual}, needs ${result.operator} ${formatLimit(result.value)}`
}
