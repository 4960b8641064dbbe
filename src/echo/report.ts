// How `uringctl echo serve` shows itself: the ready line, live stats and the final summary, as NDJSON
// (one object per line, each with an "event") or for people.
import {renderTable} from '../output/table.js'
import type {Listening, StatsSample, Summary} from './server.js'

/** One NDJSON line, written synchronously so scripts see it at once. */
export function jsonLine(event: Listening | StatsSample | Summary): string {
  return `${JSON.stringify(event)}\n`
}

export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

export function readyLine(l: Listening): string {
  return `listening on ${hostPort(l.host, l.port)} (${l.backend}, ${l.threads} thread${l.threads === 1 ? '' : 's'})\n`
}

export function statsText(s: StatsSample): string {
  return `${s.connections} connections · ${count(s.messagesPerSec)} msg/s · ${bytes(s.bytesPerSec)}/s · ${count(s.totals.messages)} messages echoed`
}

export function fdLimitWarning(s: StatsSample): string {
  return `warning: accept hit the open-file limit (EMFILE/ENFILE) with ${s.connections} connections open; backing off and retrying. Raise it with \`ulimit -n\` or cap connections with --max-conns\n`
}

export function summaryTable(s: Summary, threads: number): string {
  const rows: Array<[string, string | number]> = [
    ['connections served', s.connectionsServed],
    ['messages echoed', s.messages],
    ['bytes received', `${s.bytesIn} (${bytes(s.bytesIn)})`],
    ['bytes echoed', `${s.bytesOut} (${bytes(s.bytesOut)})`],
    ['average messages/s', s.seconds > 0 ? Math.round(s.messages / s.seconds) : 0],
    ['process CPU time', `${s.cpuSeconds.toFixed(2)} s`],
    ['CPU per message', s.cpuMicrosPerMessage === null ? '-' : `${s.cpuMicrosPerMessage.toFixed(2)} µs`],
  ]
  const errors = Object.entries(s.errors).filter(([, n]) => n > 0)
  for (const [kind, n] of errors) rows.push([`errors: ${kind}`, n])
  if (errors.length === 0) rows.push(['errors', 'none'])
  if (s.lastError) rows.push(['last unexpected error', s.lastError])
  const title = `summary (${s.backend}, ${threads} thread${threads === 1 ? '' : 's'}, ${s.seconds.toFixed(1)} s, stopped by ${s.stopReason})`
  return `${renderTable(['', 'total'], rows, {title})}\n`
}

function count(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n)
}

function bytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`
  return `${n} B`
}
