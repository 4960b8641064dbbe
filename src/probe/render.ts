// The printers of a probe report: human tables, shell-sourceable env lines, C macros. Each reads the
// same ProbeReport; adding a capability or a catalog entry never touches them. (--json is the report.)
import {type Cell, fitText, renderTable} from '../output/table.js'
import {formatBytes} from './availability.js'
import type {BitSection, ProbeReport} from './probe.js'

export type ProbeFormat = 'table' | 'env' | 'c'

export function renderProbe(report: ProbeReport, format: ProbeFormat, prefix: string): string {
  if (format === 'env') return renderEnv(report, prefix)
  if (format === 'c') return renderC(report, prefix)
  return renderText(report)
}

function evidenceLine(report: ProbeReport): string {
  const e = report.availability.evidence
  const parts = [
    `io_uring_setup ${e.setupErrnoName ?? 'ok'}`,
    `kernel.io_uring_disabled=${e.ioUringDisabled ?? 'absent'}`,
    `kernel.io_uring_group=${e.ioUringGroup ?? 'absent'}${e.ioUringGroupName ? ` (${e.ioUringGroupName})` : ''}${
      e.userInGroup === null ? '' : e.userInGroup ? ', user in it' : ', user not in it'}`,
    `Seccomp ${e.seccompMode ?? '?'} (${e.seccompFilters ?? '?'} filters)`,
    `RLIMIT_MEMLOCK ${formatBytes(e.memlock?.soft ?? null)}/${formatBytes(e.memlock?.hard ?? null)}, locked ${formatBytes(e.lockedBytes)}`,
    `uid ${e.uid ?? '?'}${e.user ? ` (${e.user})` : ''}${e.capSysAdmin ? ' with CAP_SYS_ADMIN' : ''}`,
  ]
  return parts.join('; ')
}

function headline(report: ProbeReport): string[] {
  const {availability: a, kernel} = report
  const where = `Linux ${kernel.release} (${kernel.machine})`
  if (a.available) return [`io_uring: available on ${where}`, `  evidence: ${evidenceLine(report)}`]
  return [
    `io_uring: UNAVAILABLE on ${where}: ${a.verdict}`,
    `  why: ${a.summary}`,
    `  fix: ${a.fix}`,
    `  evidence: ${evidenceLine(report)}`,
  ]
}

function since(version: string | null, inKernel: boolean): string {
  if (version === null) return 'newer than uringctl'
  return inKernel ? version : `${version} (not in this kernel)`
}

function bitRows(section: BitSection): Cell[][] {
  return section.bits.map((b) => [b.bit, b.name, since(b.since, true), b.set])
}

function renderText(report: ProbeReport): string {
  const out: string[] = [...headline(report), '']
  out.push(renderTable(
    ['capability', 'present', 'since', {header: 'source', optional: true}, 'detail'],
    report.capabilities.map((c) => [c.id, c.present, c.since, c.sources.join(', '), c.detail]),
    {title: `Capabilities${report.functional ? ' (with functional tests)' : ' (add --functional to run each once)'}`},
  ), '')
  if (report.features.word !== null) {
    out.push(renderTable(['bit', 'feature', 'since', 'set'], bitRows(report.features),
      {title: `Features: ${report.features.word} (from ${report.features.source})`}), '')
  }
  if (report.setupFlags.items.length > 0) {
    out.push(renderTable(
      ['bit', 'setup flag', 'since', 'result', 'tested with'],
      report.setupFlags.items.map((f) => [
        f.bit,
        f.name,
        since(f.since, true),
        `${f.status}${f.errnoName ? ` (${f.errnoName})` : ''}${f.note ? `: ${f.note}` : ''}`,
        f.testedWith.map((n) => n.replace('IORING_SETUP_', '')).join('+') || '-',
      ]),
      {title: `Setup flags: each tried in io_uring_setup with its prerequisites${report.query.ringSetupFlags ? ` (query: ${report.query.ringSetupFlags})` : ''}`},
    ), '')
  }
  if (report.opcodes.items.length > 0) {
    const o = report.opcodes
    const known = o.items.filter((i) => i.known).length
    const count = o.supported === null ? `${known} known` : `${o.supported} of ${known} supported`
    out.push(renderTable(
      ['op', 'opcode', 'since', 'supported'],
      o.items.map((i) => [i.op, i.name, since(i.since, i.known), i.supported ?? (i.known ? 'known' : false)]),
      {title: `Opcodes: ${count}, last_op ${o.lastOp} (from ${o.source})`},
    ), '')
  }
  if (report.registerOpcodes.items.length > 0) {
    const r = report.registerOpcodes
    out.push(renderTable(
      ['op', 'register opcode', 'since', 'known'],
      r.items.map((i) => [i.op, i.name, since(i.since, i.known !== false), i.known]),
      {title: `Register opcodes: ${r.count} known (from ${r.source})`},
    ), '')
  }
  for (const [title, section] of [['Enter flags', report.enterFlags], ['SQE flags', report.sqeFlags]] as const) {
    if (section.word !== null) {
      out.push(renderTable(['bit', 'flag', 'since', 'accepted'], bitRows(section), {title: `${title}: ${section.word} (from ${section.source})`}), '')
    }
  }
  const q = report.query
  out.push(q.available
    ? `IORING_REGISTER_QUERY: ${q.nrRequestOpcodes} opcodes, ${q.nrRegisterOpcodes} register opcodes, features ${q.featureFlags}, setup flags ${q.ringSetupFlags}, enter flags ${q.enterFlags}, SQE flags ${q.sqeFlags}, ${q.nrQueryOpcodes} query opcode(s)`
    : `IORING_REGISTER_QUERY: not available (${q.errnoName}; needs 6.18)`)
  if (report.zcrx) out.push(`zero-copy receive: ${report.zcrx.detail}`)
  if (report.require) {
    out.push(report.require.satisfied
      ? `--require: all present (${report.require.requested.join(', ')})`
      : `--require: missing ${report.require.missing.join(', ')}`)
  }
  return fitText(out.join('\n'))
}

/** Every fact as a (key, value) pair, keys without the prefix: HAVE_MULTISHOT_RECV, HAVE_OP_SEND_ZC, ... */
function facts(report: ProbeReport): [string, boolean | string][] {
  const key = (name: string) => name.replace(/^IORING_/, '').replace(/^IOSQE_/, 'SQE_').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()
  const list: [string, boolean | string][] = [
    ['KERNEL_RELEASE', report.kernel.release],
    ['VERDICT', report.availability.verdict],
    ['AVAILABLE', report.availability.available],
  ]
  for (const c of report.capabilities) list.push([`HAVE_${key(c.id)}`, c.present])
  const usable = report.availability.available
  for (const o of report.opcodes.items) list.push([`HAVE_${key(o.name.startsWith('unknown') ? `OP_${o.name}` : o.name)}`, usable && o.supported === true])
  for (const f of report.setupFlags.items) list.push([`HAVE_${key(f.name.startsWith('unknown') ? `SETUP_${f.name}` : f.name)}`, f.status === 'supported'])
  const sections: [string, BitSection][] = [['FEAT_', report.features], ['ENTER_', report.enterFlags], ['SQE_', report.sqeFlags]]
  for (const [prefix, section] of sections) {
    for (const b of section.bits) list.push([`HAVE_${key(b.name.startsWith('unknown') ? `${prefix}${b.name}` : b.name)}`, b.set])
  }
  for (const r of report.registerOpcodes.items) list.push([`HAVE_${key(r.name.startsWith('unknown') ? `REGISTER_${r.name}` : r.name)}`, r.known === true])
  return list
}

function renderEnv(report: ProbeReport, prefix: string): string {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`
  return facts(report)
    .map(([k, v]) => `${prefix}${k}=${typeof v === 'string' ? quote(v) : v ? 1 : 0}`)
    .join('\n')
}

function renderC(report: ProbeReport, prefix: string): string {
  const guard = `${prefix}PROBE_H`
  const lines = [
    `/* io_uring features of Linux ${report.kernel.release} (${report.kernel.machine}), by uringctl probe */`,
    `#ifndef ${guard}`,
    `#define ${guard}`,
    '',
  ]
  for (const [k, v] of facts(report)) {
    if (typeof v === 'string') lines.push(`#define ${prefix}${k} ${JSON.stringify(v)}`)
    else lines.push(v ? `#define ${prefix}${k} 1` : `/* ${prefix}${k} is not set */`)
  }
  lines.push('', `#endif /* ${guard} */`)
  return lines.join('\n')
}
