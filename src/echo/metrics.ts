// `echo serve --metrics HOST:PORT`: a Prometheus /metrics endpoint (text exposition format 0.0.4).
// A scrape reads the engine threads' own counters (relaxed loads, no locks), so it never touches the
// echo path; everything else here runs on the JS thread.
import {readdirSync, readFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {isIP} from 'node:net'

import {usageError, UserError} from '../base/errors.js'
import {quoteInput} from '../base/quote.js'
import {checkScope} from './options.js'
import type {EngineCounters, EngineErrors, ThreadCounters} from './native.js'

export interface MetricsAddress {
  host: string
  port: number
}

/** What a scrape describes: the running engine and how to read its counters. */
export interface MetricsSource {
  backend: string
  features: string[]
  threads: number
  version: string
  startedAtSeconds: number
  counters(): EngineCounters
}

export interface MetricsEndpoint {
  /** http://host:port/metrics with the real port. */
  url: string
  /** Scrapes answer 503 until the engine is running. */
  attach(source: MetricsSource): void
  close(): Promise<void>
}

/** Exit codes shared with the echo listener: the same problems, on the --metrics address. */
export interface MetricsExitCodes {
  addressInUse: number
  permissionDenied: number
  badAddress: number
}

/** "HOST:PORT", "[IPv6]:PORT" or ":PORT" (all IPv4 addresses). */
export function parseMetricsAddress(text: string): MetricsAddress {
  const shown = quoteInput(text, {always: true})
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text)
  if (!match) throw usageError(`--metrics ${shown} is not HOST:PORT; use e.g. 127.0.0.1:9464, [::1]:9464 or :9464 (all addresses)`)
  if (BigInt(match[3]) > 65535n) throw usageError(`--metrics ${shown}: the port must be from 0 to 65535`)
  const port = Number(match[3])
  const host = match[1] ?? (match[2] || '0.0.0.0')
  if (match[1] !== undefined && isIP(host.split('%')[0]) !== 6) {
    throw usageError(`--metrics ${shown}: brackets hold an IPv6 address; use e.g. [::1]:9464`)
  }
  checkScope(host, '--metrics')
  return {host, port}
}

export async function startMetricsEndpoint(address: MetricsAddress, exit: MetricsExitCodes): Promise<MetricsEndpoint> {
  let source: MetricsSource | undefined
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, {allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8'}).end('only GET /metrics\n')
    } else if (path === '/metrics') {
      if (!source) {
        response.writeHead(503, {'content-type': 'text/plain; charset=utf-8'}).end('the echo server is starting\n')
        return
      }
      const body = renderMetrics(source)
      response.writeHead(200, {'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(body)})
      response.end(request.method === 'HEAD' ? undefined : body)
    } else if (path === '/') {
      response.writeHead(200, {'content-type': 'text/html; charset=utf-8'}).end('<html><body><a href="/metrics">uringctl echo serve metrics</a></body></html>\n')
    } else {
      response.writeHead(404, {'content-type': 'text/plain; charset=utf-8'}).end('not found: the metrics are at /metrics\n')
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, address, exit)))
    server.listen({host: address.host, port: address.port, exclusive: true}, () => resolve())
  })
  const bound = server.address()
  const port = bound && typeof bound === 'object' ? bound.port : address.port
  const host = address.host.includes(':') ? `[${address.host}]` : address.host
  return {
    url: `http://${host}:${port}/metrics`,
    attach(s) { source = s },
    close: () => new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

function listenError(error: NodeJS.ErrnoException, address: MetricsAddress, exit: MetricsExitCodes): UserError {
  const where = `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`
  const code = error.code ?? 'error'
  if (code === 'EADDRINUSE')
    return new UserError(`--metrics: cannot listen on ${where}: the port is already in use (EADDRINUSE); pick another port, or :0 for a free one`, {code: 'ADDRESS_IN_USE', exitCode: exit.addressInUse})
  if (code === 'EACCES' || code === 'EPERM')
    return new UserError(`--metrics: cannot listen on ${where}: permission denied (${code}); ports below 1024 need root or CAP_NET_BIND_SERVICE, so use 1024 or above`, {code: 'PERMISSION_DENIED', exitCode: exit.permissionDenied})
  return new UserError(`--metrics: cannot listen on ${where}: ${code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'no such host' : 'not an address of this machine'} (${code}); use e.g. 127.0.0.1:9464 or :9464`, {code: 'BAD_ADDRESS', exitCode: exit.badAddress})
}

// --- the exposition --------------------------------------------------------------------------------

type Labels = Record<string, string | number>

class Exposition {
  private readonly lines: string[] = []

  family(name: string, type: 'counter' | 'gauge', help: string, samples: Array<[Labels, number]>): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [labels, value] of samples) this.lines.push(`${name}${labelText(labels)} ${formatValue(value)}`)
  }

  text(): string {
    return `${this.lines.join('\n')}\n`
  }
}

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`)
  return pairs.length > 0 ? `{${pairs.join(',')}}` : ''
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf'
  return String(value)
}

/** Error kinds by their engine counter; a counter the engine adds later appears under its own snake_case name. */
const errorKinds: Partial<Record<keyof EngineErrors, string>> = {
  resets: 'reset',
  acceptFdLimit: 'accept_fd_limit',
  acceptErrors: 'accept_other',
  noBuffers: 'no_buffers',
  cqOverflow: 'cq_overflow',
  readPauses: 'read_pause',
  shortSends: 'short_send',
  aborted: 'aborted',
  allocFailures: 'alloc_failure',
  otherErrors: 'other',
}

/** Engine counters shown as their own families rather than as error kinds. */
const ownFamilies = new Set<string>(['rejected', 'idleTimeouts', 'acceptFdLimitBursts', 'threadsFailed'])

function snakeCase(name: string): string {
  return name.replaceAll(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

export function renderMetrics(source: MetricsSource): string {
  const c = source.counters()
  const threads = c.perThread
  const perThread = (value: (t: ThreadCounters) => number): Array<[Labels, number]> => threads.map((t, i) => [{thread: i}, value(t)])
  const out = new Exposition()

  out.family('uringctl_echo_info', 'gauge', 'The running echo server: backend, version and the techniques it uses (always 1).',
    [[{backend: source.backend, version: source.version, techniques: source.features.join(',')}, 1]])
  out.family('uringctl_echo_technique_info', 'gauge', 'One series per technique the engine uses, decided at start from what the kernel reports (always 1).',
    source.features.map((feature) => [{backend: source.backend, technique: feature}, 1]))
  out.family('uringctl_echo_threads', 'gauge', 'Engine threads started.', [[{}, source.threads]])
  out.family('uringctl_echo_threads_running', 'gauge', 'Engine threads serving now.', [[{}, c.threadsRunning]])
  out.family('uringctl_echo_thread_failed', 'gauge', '1 for an engine thread that gave up on an exception (its connections are gone; the others keep serving), else 0.', perThread((t) => t.errors.threadsFailed ?? 0))
  out.family('uringctl_echo_start_time_seconds', 'gauge', 'When the echo server started, in seconds since the Unix epoch.', [[{}, source.startedAtSeconds]])
  out.family('uringctl_echo_connections', 'gauge', 'Connections open now.', perThread((t) => t.accepted - t.closed))
  out.family('uringctl_echo_connections_accepted_total', 'counter', 'Connections accepted (including those closed at once by --max-conns).', perThread((t) => t.accepted))
  out.family('uringctl_echo_connections_closed_total', 'counter', 'Connections closed, for any reason.', perThread((t) => t.closed))
  out.family('uringctl_echo_connections_rejected_total', 'counter', 'Connections closed at once because --max-conns were open.', perThread((t) => t.errors.rejected))
  out.family('uringctl_echo_idle_timeouts_total', 'counter', 'Connections closed by --idle-timeout.', perThread((t) => t.errors.idleTimeouts))
  out.family('uringctl_echo_messages_total', 'counter', 'Receives completed (each one echoed).', perThread((t) => t.messages))
  out.family('uringctl_echo_received_bytes_total', 'counter', 'Bytes received from clients.', perThread((t) => t.bytesIn))
  out.family('uringctl_echo_sent_bytes_total', 'counter', 'Bytes echoed back to clients.', perThread((t) => t.bytesOut))
  const kinds = Object.keys(c.errors).filter((key) => !ownFamilies.has(key)) as Array<keyof EngineErrors>
  out.family('uringctl_echo_errors_total', 'counter',
    'Errors and back-pressure events by kind: reset (peer reset), accept_fd_limit (EMFILE/ENFILE), accept_other, no_buffers (buffer ring ran dry), cq_overflow, read_pause (a client not reading its echo), short_send, aborted (closed with data pending at stop), alloc_failure (closed: no memory for its state or pending bytes), other.',
    threads.flatMap((t, i) => kinds.map((key): [Labels, number] => [{thread: i, kind: errorKinds[key] ?? snakeCase(key)}, t.errors[key] ?? 0])))
  out.family('uringctl_echo_accept_fd_limit_bursts_total', 'counter', 'Runs of accept failures at the open-file limit (one warning each).', perThread((t) => t.errors.acceptFdLimitBursts))
  processMetrics(out)
  return out.text()
}

const processStartSeconds = Math.round(Date.now() / 1000 - process.uptime())

/** The standard process_* metrics every Prometheus client library exports, from /proc/self. */
function processMetrics(out: Exposition): void {
  const cpu = process.cpuUsage()
  const status = readFileSync('/proc/self/status', 'utf8')
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024
  const limits = readFileSync('/proc/self/limits', 'utf8')
  const maxFds = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1]
  out.family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds (all threads, engine included).', [[{}, (cpu.user + cpu.system) / 1e6]])
  out.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [[{}, process.memoryUsage.rss()]])
  out.family('process_virtual_memory_bytes', 'gauge', 'Virtual memory size in bytes.', [[{}, kb('VmSize')]])
  // The directory listing holds one fd of its own while it is read.
  out.family('process_open_fds', 'gauge', 'Number of open file descriptors.', [[{}, readdirSync('/proc/self/fd').length - 1]])
  out.family('process_max_fds', 'gauge', 'Maximum number of open file descriptors (the soft limit).', [[{}, maxFds === 'unlimited' || maxFds === undefined ? Number.POSITIVE_INFINITY : Number(maxFds)]])
  out.family('process_start_time_seconds', 'gauge', 'Start time of the process since the Unix epoch in seconds.', [[{}, processStartSeconds]])
}
