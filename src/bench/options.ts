// Turns the command's flags into a validated load description; every problem is one usage-error line.
import {existsSync, readFileSync} from 'node:fs'
import {availableParallelism} from 'node:os'

import {usageError} from '../base/errors.js'
import {readQuantity, valueError} from '../base/numbers.js'
import {quoteInput} from '../base/quote.js'
import type {ClientBackend} from './native.js'

export interface SizeRange {
  min: number
  max: number
}

export interface BenchOptions {
  host: string
  port: number
  connections: number
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
  return {
    host: flags.host,
    port: port ?? 0,
    connections: flags.connections,
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
