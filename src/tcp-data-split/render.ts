// Human rendering of a TcpDataSplitReport: one table of interfaces, then (with --zcrx) one table of
// readiness checks per interface. JSON output is the report itself.
import {escapeControls} from '../base/quote.js'
import {fitText, renderTable} from '../output/table.js'
import type {InterfaceReport, TcpDataSplitReport} from './check.js'

function splitCell(i: InterfaceReport): string {
  switch (i.tcpDataSplit.state) {
    case 'on': return 'on'
    case 'off': return 'off'
    case 'unknown-value': return `unknown value ${i.tcpDataSplit.value}`
    case 'not-reported': return i.ringsUnavailable ? `not reported (${i.ringsUnavailable.errno})` : 'not reported'
  }
}

function pair(current: number | null, max: number | null): string | null {
  if (current === null && max === null) return null
  return `${current ?? '-'}/${max ?? '-'}`
}

function deviceCell(i: InterfaceReport): string {
  return `${i.driver ?? i.kind ?? (i.deviceClass === 'loopback' ? 'loopback' : '-')} (${i.deviceClass})`
}

function note(i: InterfaceReport): string | null {
  if (i.ringsUnavailable) return i.ringsUnavailable.reason
  if (i.tcpDataSplit.state === 'not-reported') return 'the driver reports rings but not tcp-data-split'
  return null
}

export function renderInterfaces(report: TcpDataSplitReport): string {
  // An interface name may hold any byte but '/', ':' and whitespace, ANSI escapes included: never print it raw.
  const rows = report.interfaces.map((i) => [
    escapeControls(i.name),
    deviceCell(i),
    splitCell(i),
    pair(i.hdsThreshold, i.hdsThresholdMax),
    i.rings ? pair(i.rings.rx, i.rings.rxMax) : null,
    i.rings ? pair(i.rings.tx, i.rings.txMax) : null,
    i.rxQueues.count,
    note(i),
  ])
  return renderTable(['interface', 'driver (class)', 'TCP data split', 'HDS thresh/max', 'RX ring/max', 'TX ring/max', 'RX queues', 'note'], rows)
}

export function renderZcrx(i: InterfaceReport): string {
  const rows = i.zcrx.checks.map((c) => [c.title, c.status, escapeControls(c.evidence), c.fix === null ? null : escapeControls(c.fix)])
  const verdict = i.zcrx.ready ? 'ready' : 'not ready'
  return renderTable(['check', 'status', 'evidence', 'fix'], rows, {title: `zero-copy receive on ${escapeControls(i.name)}: ${verdict}`})
}

export function renderSummary(report: TcpDataSplitReport, zcrx: boolean): string {
  const n = report.interfaces.length
  const split = report.interfaces.filter((i) => i.tcpDataSplit.supported).length
  const line = `${split} of ${n} interface${n === 1 ? ' supports' : 's support'} TCP data split`
  if (!zcrx) return fitText(line)
  const ready = report.interfaces.filter((i) => i.zcrx.ready).length
  return fitText(`${line}; ${ready} of ${n} ready for io_uring zero-copy receive`)
}
