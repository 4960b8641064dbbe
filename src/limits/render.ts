// Renders `uringctl ulimit` results: tables for people, and the JSON form (Infinity as "unlimited").
import {replaceControls} from '../base/quote.js'
import {wrapShellCommand} from '../output/shell.js'
import {type Cell, fitText, renderTable} from '../output/table.js'
import {outputWidth} from '../output/terminal.js'
import type {HostFigures} from './host.js'
import type {ConnectionPlan, PlanCheck} from './plan.js'
import {formatBytes, formatLimit} from './quantities.js'
import {describeShortfall, type RequirementResult} from './require.js'
import {reportedResources} from './resources.js'
import type {Target} from './target.js'
import type {UlimitChange, UlimitReport, UlimitResult} from './ulimit.js'

/** The --json form: the result as is, with every unlimited value spelled "unlimited" (JSON has no Infinity). */
export function ulimitJson(result: UlimitResult): unknown {
  const {kind: _kind, ...rest} = result
  return JSON.parse(JSON.stringify(rest, (_key, value) => (value === Infinity ? 'unlimited' : value)))
}

export function renderUlimit(result: UlimitResult): string {
  return fitText(result.kind === 'change' ? renderChange(result) : renderReport(result))
}

const howLabel = {'invoking-shell': 'the invoking shell', pid: 'chosen by --pid', self: 'uringctl itself (--self)'} as const

/** One control, format or bidi character as bash's $'...' spells it. */
function shellEscape(char: string): string {
  const code = char.codePointAt(0) ?? 0
  if (char === '\n') return '\\n'
  if (char === '\t') return '\\t'
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\U${code.toString(16).padStart(8, '0')}`
}

/** argv as a shell would need it typed: bare words, '...' quoting, or $'...' for newlines and control characters. */
function commandLine(words: string[]): string {
  return words
    .map((word) => {
      if (/^[\w@%+=:,./-]+$/.test(word)) return word
      const quoted = word.replaceAll('\\', '\\\\').replaceAll("'", "\\'")
      const escaped = replaceControls(quoted, shellEscape)
      if (escaped !== quoted) return `$'${escaped}'`
      return `'${word.replaceAll("'", `'\\''`)}'`
    })
    .join(' ')
}

export function renderTarget(target: Target): string {
  const lines = [`Target: pid ${target.pid}, ${howLabel[target.how]}: ${commandLine(target.commandLine)}`]
  for (const skipped of target.skipped) lines.push(`  skipped pid ${skipped.pid} (${skipped.reason}): ${commandLine(skipped.commandLine)}`)
  return lines.join('\n')
}

function limitCell(value: number, unit: string): string {
  return unit === 'bytes' && value !== Infinity ? `${value} (${formatBytes(value)})` : formatLimit(value)
}

function renderReport(report: UlimitReport): string {
  const sections = [renderTarget(report.target)]
  const limitRows: Cell[][] = reportedResources.map((resource) => {
    const limit = report.limits[resource.name]
    return [resource.name, limitCell(limit.soft, resource.unit), limitCell(limit.hard, resource.unit), resource.meaning]
  })
  limitRows.push(['open fds now', report.openFds ?? 'unknown', null, `from /proc/${report.target.pid}/fd` + (report.openFds === null ? ' (not readable: another user)' : '')])
  sections.push(renderTable(['limit', 'soft', 'hard', 'meaning'], limitRows, {title: `\nLimits of pid ${report.target.pid}`}))
  sections.push(renderTable(['sysctl', 'value', 'meaning'], hostRows(report.host), {title: '\nHost'}))
  if (report.plan) sections.push(renderPlan(report.plan))
  if (report.requirements) sections.push(renderRequirements(report.requirements))
  return sections.join('\n')
}

const absentMeaning = 'absent here: host-wide, not visible inside this network namespace'

function hostRows(host: HostFigures): Cell[][] {
  const {ipLocalPortRange: ports, tcpMem, tcpRmem, tcpWmem, pageSize} = host
  const inBytes = (pages: number) => formatBytes(pages * pageSize)
  const row = <T>(name: string, value: T | null, cells: (value: T) => [Cell, Cell]): Cell[] => (value === null ? [name, 'absent', absentMeaning] : [name, ...cells(value)])
  return [
    ['fs.nr_open', host.nrOpen, 'highest nofile hard limit any process may have'],
    ['fs.file-max', formatLimit(host.fileMax), 'open files on the whole host'],
    ['fs.file-nr', `${host.fileNr.allocated} ${host.fileNr.unused} ${formatLimit(host.fileNr.max)}`, `${host.fileNr.allocated} files open on the host now`],
    row('net.core.somaxconn', host.somaxconn, (v) => [v, 'cap on every listen() backlog']),
    row('net.ipv4.tcp_max_syn_backlog', host.tcpMaxSynBacklog, (v) => [v, 'handshakes in progress per listener']),
    row('net.ipv4.ip_local_port_range', ports, (p) => [`${p.low} ${p.high}`, `${p.count} ephemeral ports: connections per destination for a client`]),
    row('net.ipv4.tcp_mem', tcpMem, (m) => [`${m.low} ${m.pressure} ${m.high}`, `pages of ${pageSize} B: ${inBytes(m.low)} / ${inBytes(m.pressure)} pressure / ${inBytes(m.high)} ceiling`]),
    row('net.ipv4.tcp_rmem', tcpRmem, (r) => [`${r.min} ${r.default} ${r.max}`, `receive buffer per socket: min / default / max (${formatBytes(r.default)} default)`]),
    row('net.ipv4.tcp_wmem', tcpWmem, (w) => [`${w.min} ${w.default} ${w.max}`, `send buffer per socket: min / default / max (${formatBytes(w.default)} default)`]),
  ]
}

function quantity(check: PlanCheck, value: number | null): string {
  if (value === null) return 'absent'
  if (check.status === 'unknown' && value === 0) return 'unknown'
  return check.unit === 'bytes' ? formatBytes(value) : formatLimit(value)
}

/** Fixes whose text is one shell command (limits.conf lines and design advice are not). */
const commandFixes = new Set(['prlimit', 'shell', 'systemd', 'sysctl'])

function renderPlan(plan: ConnectionPlan, width = outputWidth()): string {
  const rows: Cell[][] = plan.checks.map((check) => [check.status, check.id, quantity(check, check.have), quantity(check, check.need)])
  const title = `\nPlan: ${plan.connections} connections as a ${plan.role} (${plan.fdsNeeded} fds: the connections plus 64 for the program's own files): ${plan.status}`
  const lines = [renderTable(['status', 'check', 'have', 'need'], rows, {title})]
  for (const check of plan.checks) {
    lines.push(`${check.status} ${check.id}: ${check.explanation}`)
    for (const fix of check.fixes) {
      const label = `    fix (${fix.kind}): `
      const indent = ' '.repeat(label.length)
      // Commands wrap with " \" continuations, so what is copied from a narrow terminal still runs.
      const [first, ...rest] = commandFixes.has(fix.kind)
        ? wrapShellCommand(fix.text, width - label.length, width, '        ')
        : fix.text.split('\n').map((line, i) => (i === 0 ? line : `${indent}${line}`))
      lines.push(`${label}${first}`, ...rest, `      ${fix.note}`)
    }
  }
  if (plan.traps.length > 0) {
    lines.push('\nTraps:')
    for (const trap of plan.traps) lines.push(`  ${trap.id}: ${trap.message}`)
  }
  return lines.join('\n')
}

function renderRequirements(results: RequirementResult[]): string {
  const rows: Cell[][] = results.map((r) => [r.met ? 'met' : 'NOT MET', r.expression, r.actual === null ? 'unknown' : formatLimit(r.actual)])
  return renderTable(['status', 'requirement', 'actual'], rows, {title: '\nRequirements'})
}

export function shortfallLine(results: RequirementResult[]): string | null {
  const short = results.filter((r) => !r.met)
  return short.length === 0 ? null : `${short.length} requirement${short.length === 1 ? '' : 's'} not met: ${short.map(describeShortfall).join('; ')}`
}

function renderChange(result: UlimitChange): string {
  const {change} = result
  const rows: Cell[][] = [
    ['soft', formatLimit(change.before.soft), formatLimit(change.after.soft)],
    ['hard', formatLimit(change.before.hard), formatLimit(change.after.hard)],
  ]
  return [renderTarget(result.target), renderTable([change.resource, 'before', 'after'], rows, {title: `\nOpen files of pid ${change.pid} (prlimit)`})].join('\n')
}
