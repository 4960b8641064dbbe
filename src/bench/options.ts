// Turns the command's flags into a validated load description; every problem is one usage-error line.
import {existsSync, readFileSync} from 'node:fs'
import {isIP, isIPv4} from 'node:net'
import {availableParallelism} from 'node:os'

import {usageError} from '../base/errors.js'
import {readQuantity, valueError} from '../base/numbers.js'
import {quoteInput} from '../base/quote.js'
import {scopeProblem} from '../base/scope.js'
import type {ClientBackend} from './native.js'

export interface SizeRange {
  min: number
  max: number
}

export interface BenchOptions {
  host: string // as typed
  hosts: HostItem[] // connection i goes to the i-th address (mod count) once names are resolved
  port: number
  connections: number
  connectRate: number | null // new connections/s over all threads; null: all at once
  messageRate: number | null // open loop: messages/s per connection (sets rate to messageRate × connections)
  size: SizeRange
  pipeline: number
  durationSeconds: number | null // null with messages: until the count is done
  messages: number | null
  warmupSeconds: number
  threads: number
  rate: number | null // messages/s over all connections; null: closed loop
  pin: number[]
  timeoutSeconds: number
  clientBackend: ClientBackend | 'auto'
}

/** One destination of --host: a numeric address, or a name resolved before the run. */
export type HostItem = {address: string} | {name: string}

/** More destinations than any client can use: ranges beyond it are a typo. */
export const maxDestinations = 65536

export const maxMessageSize = 65536
export const maxPipeline = 1024

/** "128", "64-4096" or "1K-64K" (bytes, 1..65536; K = 1024). */
export function parseSize(text: string): SizeRange {
  const match = /^([^-]+)(?:-([^-]+))?$/.exec(text)
  const low = match ? readQuantity(match[1]) : null
  const high = match?.[2] === undefined ? low : readQuantity(match[2])
  if (low === null || high === null) throw valueError('--size', text, 'expected a byte count such as 128 or 4K, or a range such as 64-4096')
  if (low < 1n || high > BigInt(maxMessageSize)) throw valueError('--size', text, `message sizes must be from 1 to ${maxMessageSize} bytes`)
  if (high < low) throw valueError('--size', text, 'the range must run from low to high, e.g. 64-4096')
  return {min: Number(low), max: Number(high)}
}

const ipv4Number = (address: string) => address.split('.').reduce((n, part) => n * 256 + Number(part), 0)
const ipv4Text = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')

/**
 * --host: one address or name, a comma list, and IPv4 ranges such as 127.0.0.1-127.0.0.40 (connections
 * are spread over them in turn). IPv6 addresses may be bracketed: [::1].
 */
export function parseHosts(text: string): HostItem[] {
  if (text.trim() === '') throw valueError('--host', text, 'no address given; pass one such as 127.0.0.1, a list (127.0.0.1,::1) or a range (127.0.0.1-127.0.0.40)')
  const tooMany = () => valueError('--host', text, `more than ${maxDestinations} addresses; a client cannot use that many`)
  const items: HostItem[] = []
  for (const raw of text.split(',')) {
    const part = raw.trim().replace(/^\[(.*)\]$/, '$1')
    if (part === '') throw valueError('--host', text, 'an empty item in the list; separate addresses with single commas')
    const range = /^([\d.]+)\s*-\s*([\d.]+)$/.exec(part)
    if (range && isIPv4(range[1]) && isIPv4(range[2])) {
      const low = ipv4Number(range[1])
      const high = ipv4Number(range[2])
      if (high < low) throw valueError('--host', text, `the range ${quoteInput(part)} must run from low to high, e.g. 127.0.0.1-127.0.0.40`)
      if (items.length + high - low + 1 > maxDestinations) throw tooMany()
      for (let n = low; n <= high; n++) items.push({address: ipv4Text(n)})
      continue
    }
    if (isIP(part)) {
      // An IPv6 %zone must name an interface here; the native client would refuse it without saying why.
      const problem = scopeProblem(part)
      if (problem) throw valueError('--host', text, problem)
      items.push({address: part})
    }
    else if (/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(part) && !/^[\d.]+$/.test(part)) items.push({name: part})
    else throw valueError('--host', text, `${quoteInput(part)} is not an IP address, host name or IPv4 range such as 127.0.0.1-127.0.0.40 (IPv6 addresses go in a comma list)`)
    if (items.length > maxDestinations) throw tooMany()
  }
  return items
}

/** The CPU numbers this machine can ever have (/sys/devices/system/cpu/possible), for bounding CPU lists. */
export function possibleCpuCount(): number {
  try {
    const text = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim()
    const last = text.split(/[,-]/).map(Number).filter(Number.isInteger)
    if (last.length > 0) return Math.max(...last) + 1
  } catch {}
  return availableParallelism()
}

/** A CPU list as taskset takes it: "1", "0,2", "0-3"; every CPU must be one this machine can have. */
export function parseCpuList(text: string, flag: string, cpuCount = possibleCpuCount()): number[] {
  const ranges: Array<[number, number]> = []
  for (const part of text.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part)
    if (!match) throw valueError(flag, text, 'expected CPU numbers such as 1, 0,2 or 0-3')
    const low = BigInt(match[1])
    const high = match[2] === undefined ? low : BigInt(match[2])
    if (high < low) throw valueError(flag, text, 'a CPU range must run from low to high, e.g. 0-3')
    if (high >= BigInt(cpuCount)) {
      throw valueError(flag, text, `CPU ${quoteInput(match[2] ?? match[1])} does not exist here; this machine's CPUs are ${cpuCount === 1 ? '0' : `0-${cpuCount - 1}`}`)
    }
    ranges.push([Number(low), Number(high)])
  }
  const cpus = new Set<number>()
  for (const [low, high] of ranges) for (let cpu = low; cpu <= high; cpu++) cpus.add(cpu)
  return [...cpus].sort((a, b) => a - b)
}

/** CPUs must be ones this process may run on. */
export function checkCpus(cpus: number[], allowed: number[], flag: string): void {
  const bad = cpus.filter((cpu) => !allowed.includes(cpu))
  if (bad.length) throw usageError(`${flag}: CPU ${bad.join(',')} is not available here; this process may use CPUs ${formatCpuList(allowed)}`)
}

export function formatCpuList(cpus: number[]): string {
  const parts: string[] = []
  for (let i = 0; i < cpus.length; i++) {
    let j = i
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j] + 1) j++
    parts.push(j > i ? `${cpus[i]}-${cpus[j]}` : String(cpus[i]))
    i = j
  }
  return parts.join(',')
}

export interface BenchFlagValues {
  host: string
  port?: number
  connections: number
  'connect-rate'?: number
  'message-rate'?: number
  size: string
  pipeline: number
  duration?: number // seconds
  messages?: number
  warmup: number // seconds
  threads: number
  rate?: number
  pin?: string
  timeout: number // seconds
  'client-backend': string
}

/** Ranges of bench's numeric flags (the flags and their help read them from here). */
export const benchLimits = {
  port: {min: 1, max: 65535},
  connections: {min: 1, max: 1_000_000},
  pipeline: {min: 1, max: maxPipeline},
  durationSec: {min: 0.1, max: 86_400},
  messages: {min: 1, max: 1_000_000_000_000},
  warmupSec: {min: 0, max: 3600},
  threads: {min: 1, max: 1024},
  rate: {min: 1, max: 1_000_000_000},
  connectRate: {min: 0, max: 10_000_000},
  messageRate: {min: 0, max: 1_000_000_000},
  timeoutSec: {min: 0.01, max: 3600},
  pid: {min: 1, max: 4_194_304}, // the kernel's PID_MAX_LIMIT
} as const

/** A process whose CPU time we can read from /proc/PID/stat. */
export function checkServerPid(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  if (!existsSync(`/proc/${pid}/stat`)) throw usageError(`--server-pid ${pid}: no such process here; pass the pid of the running echo server`)
  return pid
}

/** Flags that only mean something with --compare, and those that mean nothing with it. */
export function checkCompareFlags(flags: {compare: boolean; port?: number; 'with-node': boolean; 'server-cpu'?: string; 'server-pid'?: number}): void {
  if (flags.compare && flags.port !== undefined) throw usageError('--port does not go with --compare: each server it starts picks a free port')
  if (flags.compare && flags['server-pid'] !== undefined) throw usageError('--server-pid does not go with --compare: it measures the servers it starts')
  if (!flags.compare && flags['with-node']) throw usageError('--with-node only works with --compare')
  if (!flags.compare && flags['server-cpu'] !== undefined) throw usageError('--server-cpu only works with --compare')
}

/** `port` null: --compare, where each server picks its own port. Numbers arrive range-checked by their flags. */
export function benchOptionsFrom(flags: BenchFlagValues, port: number | null): BenchOptions {
  if (port !== null && !Number.isInteger(port)) throw usageError('--port is required: the TCP port of the echo server to measure (or use --compare to start our own servers)')
  const messages = flags.messages ?? null
  if (flags.rate !== undefined && flags['message-rate'] !== undefined) throw usageError('--rate and --message-rate both set the open-loop schedule: give one (--message-rate R is --rate R × connections)')
  const messageRate = flags['message-rate'] ?? null
  if (messageRate !== null && messageRate * flags.connections > benchLimits.rate.max) {
    throw usageError(`--message-rate ${messageRate} × ${flags.connections} connections is more than ${benchLimits.rate.max} messages/s in all: no client sends that many`)
  }
  return {
    host: flags.host,
    hosts: parseHosts(flags.host),
    port: port ?? 0,
    connections: flags.connections,
    connectRate: flags['connect-rate'] ?? null,
    messageRate,
    size: parseSize(flags.size),
    pipeline: flags.pipeline,
    durationSeconds: flags.duration ?? (messages === null ? 10 : null),
    messages,
    warmupSeconds: flags.warmup,
    threads: Math.min(flags.threads, flags.connections, messages ?? Number.MAX_SAFE_INTEGER),
    rate: flags.rate ?? null,
    pin: flags.pin === undefined ? [] : parseCpuList(flags.pin, '--pin'),
    timeoutSeconds: flags.timeout,
    clientBackend: flags['client-backend'] as BenchOptions['clientBackend'],
  }
}
