#!/usr/bin/env node
// Markdown table of `echo bench --compare --json` results: for each size x connections and server, the
// median over repeated runs of messages/s, p50/p99 latency, server and client CPU µs per message, and
// the ratios against our io_uring server. Usage: compare-table.mjs FILE.json...
import {readFileSync} from 'node:fs'

const median = (values) => {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b)
  if (v.length === 0) return null
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2
}
const fmt = (n, digits = 0) => (n === null ? '-' : n.toLocaleString('en-US', {maximumFractionDigits: digits, minimumFractionDigits: digits}))

const groups = new Map()
for (const file of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(file, 'utf8'))
  const {size, connections} = report.config
  const key = `${size.min === size.max ? size.min : `${size.min}-${size.max}`} B × ${connections}`
  if (!groups.has(key)) groups.set(key, new Map())
  for (const run of report.runs) {
    const rows = groups.get(key)
    if (!rows.has(run.server)) rows.set(run.server, [])
    rows.get(run.server).push(run)
  }
}

console.log('| load | server | runs | msg/s | p50 µs | p99 µs | server CPU µs/msg | client CPU µs/msg | msg/s vs io_uring | server CPU vs io_uring |')
console.log('|---|---|---|---|---|---|---|---|---|---|')
const order = ([a], [b]) => parseInt(a) - parseInt(b) || parseInt(a.split('× ')[1]) - parseInt(b.split('× ')[1])
for (const [key, rows] of [...groups].sort(order)) {
  const summary = new Map()
  for (const [server, runs] of rows) {
    const ok = runs.filter((r) => r.bench && r.bench.errors.total === 0)
    summary.set(server, {
      runs: `${ok.length}/${runs.length}`,
      rate: median(ok.map((r) => r.bench.messagesPerSecond)),
      p50: median(ok.map((r) => r.bench.latencyMicros.p50)),
      p99: median(ok.map((r) => r.bench.latencyMicros.p99)),
      serverCpu: median(ok.map((r) => r.bench.server?.cpuMicrosPerMessage)),
      clientCpu: median(ok.map((r) => r.bench.client.cpuMicrosPerMessage)),
    })
  }
  const base = summary.get('io_uring')
  const ratio = (a, b) => (a === null || !b ? '-' : `${(a / b).toFixed(2)}×`)
  for (const [server, s] of summary) {
    console.log(`| ${key} | ${server} | ${s.runs} | ${fmt(s.rate)} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.serverCpu, 2)} | ${fmt(s.clientCpu, 2)} | ${ratio(s.rate, base?.rate)} | ${ratio(s.serverCpu, base?.serverCpu)} |`)
  }
}
