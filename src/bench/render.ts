// Human output for echo bench: the progress line, the result table, the --compare table.
import {renderTable} from '../output/table.js'
import {formatByteRate, formatBytes, formatCount, hostPort} from '../output/units.js'
import type {CompareReport} from './compare.js'
import type {BenchProgressView, BenchReport} from './run.js'

const integer = formatCount
const fixed = (n: number | null | undefined, digits = 2) => (n === null || n === undefined ? null : n.toFixed(digits))
/** Microseconds at a useful precision: 12.34, 123.4, 1,234. */
export function formatMicros(us: number | null | undefined): string | null {
  if (us === null || us === undefined) return null
  if (us < 10) return us.toFixed(2)
  if (us < 1000) return us.toFixed(1)
  return integer(us)
}

export function describeSize(report: Pick<BenchReport, 'config'>): string {
  const {min, max} = report.config.size
  return min === max ? `${min} B` : `${min}-${max} B`
}

export function describeLoad(report: BenchReport): string {
  const c = report.config
  const amount = c.messages === null ? `${c.durationSeconds} s` : `${integer(c.messages)} messages`
  const warmup = c.warmupSeconds > 0 ? ` after ${c.warmupSeconds} s warmup` : ''
  const loop =
    c.messageRate === 0
      ? 'idle (no messages)'
      : c.messageRate !== null
      ? `open loop at ${c.messageRate} msg/s per connection (pipeline ${c.pipeline})`
      : c.rate === null
        ? `pipeline ${c.pipeline}`
        : `open loop at ${integer(c.rate)} msg/s (pipeline ${c.pipeline})`
  return `${c.connections} connections · ${describeSize(report)} · ${loop} · ${amount}${warmup}`
}

export function progressText(p: BenchProgressView): string {
  if (p.phase === 'connecting') return `connecting: ${integer(p.connected)} of ${integer(p.connections)} up`
  const errors = p.errors ? ` · ${integer(p.errors)} error${p.errors === 1 ? '' : 's'}` : ''
  return `${p.phase} ${p.elapsedSeconds.toFixed(1)} s · ${integer(p.messagesPerSecond)} msg/s · ${formatByteRate(p.bytesPerSecond)}${errors}`
}

export function errorSummary(report: BenchReport): string {
  const e = report.errors
  if (e.total === 0) return 'none'
  const names: [keyof typeof e, string][] = [
    ['mismatch', 'mismatch'],
    ['shortEcho', 'short echo'],
    ['closedEarly', 'closed early'],
    ['reset', 'reset'],
    ['timeout', 'timeout'],
    ['connect', 'connect'],
  ]
  return names.filter(([key]) => e[key]).map(([key, name]) => `${name} ${integer(e[key])}`).join(', ')
}

function connectionsCell(report: BenchReport): string {
  const c = report.connections
  const spread = report.target.destinations.length > 1 ? ` over ${report.target.destinations.length} addresses` : ''
  const ramp = report.config.connectRate === null ? '' : ` in ${c.connectSeconds.toFixed(1)} s`
  return `${integer(c.established)} of ${integer(c.requested)} up${spread}${ramp}, ${integer(c.aliveAtEnd)} held to the end`
}

function cpuCell(micros: number | null, utilization?: number): string | null {
  if (micros === null) return null
  return utilization === undefined ? `${micros.toFixed(2)} µs/msg` : `${micros.toFixed(2)} µs/msg (${Math.round(utilization * 100)}% of a CPU)`
}

export function renderBenchReport(report: BenchReport): string {
  const l = report.latencyMicros
  const pair = (a: number, b: number) => (report.messages > 0 ? `${formatMicros(a)} / ${formatMicros(b)} µs` : null)
  const pin = report.config.pin.length ? ` on CPU ${report.config.pin.join(',')}` : ''
  const rows: (string | number | null)[][] = [
    ['messages/s', integer(report.messagesPerSecond)],
    ['throughput', `${formatByteRate(report.bytesPerSecond)} echoed`],
    ['messages', `${integer(report.messages)} in ${report.windowSeconds.toFixed(2)} s`],
    ['latency p50 / p90', pair(l.p50, l.p90)],
    ['latency p99 / p99.9', pair(l.p99, l.p999)],
    ['latency min / max', pair(l.min, l.max)],
    ['connections', connectionsCell(report)],
    ['errors', errorSummary(report)],
    ['client CPU', cpuCell(report.client.cpuMicrosPerMessage, report.client.cpuUtilization)],
    ['client', `${report.client.backend}, ${report.config.threads} thread${report.config.threads === 1 ? '' : 's'}${pin}`],
  ]
  if (report.server) rows.push(['server CPU', cpuCell(report.server.cpuMicrosPerMessage, report.server.cpuSeconds / (report.windowSeconds || 1))])
  if (report.server?.rssBytesPerConnection != null) {
    const s = report.server
    rows.push(['server memory', `${integer(s.rssBytesPerConnection!)} B RSS per connection (${formatBytes(s.rssBytesBefore!)} before, ${formatBytes(s.rssBytesHeld!)} held)`])
  }
  const k = report.kernel
  if (k?.held && k.perConnection) {
    rows.push([
      'kernel memory',
      `${integer(k.perConnection.slabBytes)} B slab and ${integer(k.perConnection.tcpBufferBytes)} B TCP buffers per connection (both ends on loopback); ` +
        `TCP sockets in use ${integer(k.before.tcpInUse)} before, ${integer(k.held.tcpInUse)} held`,
    ])
  }
  if (report.openLoop) {
    const o = report.openLoop
    rows.push(['open loop', `target ${integer(o.targetRate)} msg/s, achieved ${integer(o.achievedRate)}, ${integer(o.backlogAtEnd)} due but unsent at the end`])
    rows.push(['send lag p50 / p99 / max', `${formatMicros(o.sendLagMicros.p50)} / ${formatMicros(o.sendLagMicros.p99)} / ${formatMicros(o.sendLagMicros.max)} µs behind schedule (included in latency)`])
  }
  rows.push(['verified', `${integer(report.verifiedBytes)} echoed bytes matched what was sent, byte for byte`])
  const title = `echo bench ${hostPort(report.target.host, report.target.port)}: ${describeLoad(report)}${report.stopped ? ' (stopped early)' : ''}`
  return renderTable(['measure', 'value'], rows, {title})
}

const ratio = (value: number | null | undefined, base: number | null | undefined) =>
  value === null || value === undefined || !base ? null : `${(value / base).toFixed(2)}×`

export function renderCompare(report: CompareReport): string {
  if (report.runs.length === 0) return 'echo bench --compare: stopped by Ctrl-C (SIGINT) before any server was measured'
  const base = report.runs.find((run) => run.bench)?.bench ?? null
  const baseName = report.runs.find((run) => run.bench)?.server ?? 'the first'
  const rows = report.runs.map((run) => {
    const b = run.bench
    if (!b) return [run.server, run.pid === null ? 'did not start' : 'failed', null, null, null, null, null, 'see below', null, null]
    return [
      run.server,
      integer(b.messagesPerSecond),
      formatMicros(b.latencyMicros.p50),
      formatMicros(b.latencyMicros.p99),
      formatMicros(b.latencyMicros.p999),
      fixed(b.server?.cpuMicrosPerMessage),
      fixed(b.client.cpuMicrosPerMessage),
      errorSummary(b),
      ratio(b.messagesPerSecond, base?.messagesPerSecond),
      ratio(b.server?.cpuMicrosPerMessage, base?.server?.cpuMicrosPerMessage),
    ]
  })
  const c = report.config
  const size = c.size.min === c.size.max ? `${c.size.min} B` : `${c.size.min}-${c.size.max} B`
  const amount = c.messages === null ? `${c.durationSeconds} s` : `${integer(c.messages)} messages`
  const title =
    `echo bench --compare: ${c.connections} connections · ${size} · pipeline ${c.pipeline} · ${amount} each` +
    ` · server on CPU ${report.cpus.server.join(',') || 'any'}, client on CPU ${report.cpus.client.join(',') || 'any'}` +
    (report.runs.some((run) => run.bench?.stopped) ? ' (stopped early)' : '')
  return renderTable(
    // Narrow terminals drop the optional columns (last first) before the table goes vertical.
    [
      'server', 'msg/s', 'p50 µs', 'p99 µs', {header: 'p99.9 µs', optional: true}, 'server CPU µs/msg',
      {header: 'client CPU µs/msg', optional: true}, 'errors', `msg/s vs ${baseName}`, {header: `server CPU vs ${baseName}`, optional: true},
    ],
    rows,
    {title},
  )
}
