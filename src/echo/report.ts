// How `uringctl echo serve` shows itself: the ready line, live stats and the final summary, as NDJSON
// (one object per line, each with an "event") or for people.
import {renderTable} from '../output/table.js'
import {formatByteRate, formatBytes, formatCount, hostPort} from '../output/units.js'
import type {Listening, StatsSample, Summary} from './server.js'

/** One NDJSON line, written synchronously so scripts see it at once. */
export function jsonLine(event: Listening | StatsSample | Summary): string {
  return `${JSON.stringify(event)}\n`
}

export {hostPort} from '../output/units.js'

export function readyLine(l: Listening): string {
  const metrics = l.metrics ? `; metrics at ${l.metrics}` : ''
  return `listening on ${hostPort(l.host, l.port)} (${l.backend}, ${l.threads} thread${l.threads === 1 ? '' : 's'})${metrics}\n`
}

export function statsText(s: StatsSample): string {
  return `${formatCount(s.connections)} connections · ${formatCount(s.messagesPerSec)} msg/s · ${formatByteRate(s.bytesPerSec)} · ${formatCount(s.totals.messages)} messages echoed`
}

/** A stats line for a log (off a terminal, or asked for with SIGUSR1): timestamped, one line. */
export function statsLine(s: StatsSample): string {
  return `${s.time} ${statsText(s)}\n`
}

export function fdLimitWarning(s: StatsSample): string {
  return `warning: accept hit the open-file limit (EMFILE/ENFILE) with ${s.connections} connections open; backing off and retrying. Raise it with \`ulimit -n\` or cap connections with --max-conns\n`
}

export function summaryTable(s: Summary, threads: number): string {
  const rows: Array<[string, string | number]> = [
    ['connections served', formatCount(s.connectionsServed)],
    ['messages echoed', formatCount(s.messages)],
    ['bytes received', `${formatCount(s.bytesIn)} (${formatBytes(s.bytesIn)})`],
    ['bytes echoed', `${formatCount(s.bytesOut)} (${formatBytes(s.bytesOut)})`],
    ['average messages/s', formatCount(s.seconds > 0 ? s.messages / s.seconds : 0)],
    ['process CPU time', `${s.cpuSeconds.toFixed(2)} s`],
    ['CPU per message', s.cpuMicrosPerMessage === null ? '-' : `${s.cpuMicrosPerMessage.toFixed(2)} µs`],
  ]
  const errors = Object.entries(s.errors).filter(([, n]) => n > 0)
  for (const [kind, n] of errors) rows.push([`errors: ${kind}`, formatCount(n)])
  if (errors.length === 0) rows.push(['errors', 'none'])
  if (s.lastError) rows.push(['last unexpected error', s.lastError])
  const title = `summary (${s.backend}, ${threads} thread${threads === 1 ? '' : 's'}, ${s.seconds.toFixed(1)} s, stopped by ${s.stopReason})`
  return `${renderTable(['', 'total'], rows, {title})}\n`
}
