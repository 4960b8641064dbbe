// Turns the command's flags into a validated load description; every problem is one usage-error line.
import {existsSync} from 'node:fs'

import {usageError} from '../base/errors.js'
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

/** "128" or "64-4096" (bytes, 1..65536). */
export function parseSize(text: string): SizeRange {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text)
  if (!match) throw usageError(`--size ${text}: expected a byte count such as 128, or a range such as 64-4096`)
  const min = Number(match[1])
  const max = match[2] === undefined ? min : Number(match[2])
  if (min < 1 || max > maxMessageSize) throw usageError(`--size ${text}: message sizes must be between 1 and ${maxMessageSize} bytes`)
  if (max < min) throw usageError(`--size ${text}: the range must run from low to high, e.g. 64-4096`)
  return {min, max}
}

/** A CPU list as taskset takes it: "1", "0,2", "0-3". */
export function parseCpuList(text: string, flag: string): number[] {
  const cpus = new Set<number>()
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part)
    if (!match) throw usageError(`${flag} ${text}: expected CPU numbers such as 1, 0,2 or 0-3`)
    const low = Number(match[1])
    const high = match[2] === undefined ? low : Number(match[2])
    if (high < low) throw usageError(`${flag} ${text}: a CPU range must run from low to high`)
    for (let cpu = low; cpu <= high; cpu++) cpus.add(cpu)
  }
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
  duration?: string // seconds, as typed
  messages?: number
  warmup: string
  threads: number
  rate?: number
  pin?: string
  timeout: string
  'client-backend': string
}

/** A process whose CPU time we can read from /proc/PID/stat. */
export function checkServerPid(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  if (!Number.isInteger(pid) || pid <= 0 || !existsSync(`/proc/${pid}/stat`)) throw usageError(`--server-pid ${pid}: no such process here; pass the pid of the running echo server`)
  return pid
}

/** Flags that only mean something with --compare, and those that mean nothing with it. */
export function checkCompareFlags(flags: {compare: boolean; port?: number; 'with-node': boolean; 'server-cpu'?: string; 'server-pid'?: number}): void {
  if (flags.compare && flags.port !== undefined) throw usageError('--port does not go with --compare: each server it starts picks a free port')
  if (flags.compare && flags['server-pid'] !== undefined) throw usageError('--server-pid does not go with --compare: it measures the servers it starts')
  if (!flags.compare && flags['with-node']) throw usageError('--with-node only works with --compare')
  if (!flags.compare && flags['server-cpu'] !== undefined) throw usageError('--server-cpu only works with --compare')
}

/** `port` null: --compare, where each server picks its own port. */
export function benchOptionsFrom(flags: BenchFlagValues, port: number | null): BenchOptions {
  const positive = (value: number, flag: string, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isFinite(value) || value <= 0 || value > max) throw usageError(`${flag} ${value}: must be a number above 0${max < Number.MAX_SAFE_INTEGER ? ` and at most ${max}` : ''}`)
    return value
  }
  const whole = (value: number, flag: string, max?: number) => {
    positive(value, flag, max)
    if (!Number.isInteger(value)) throw usageError(`${flag} ${value}: must be a whole number`)
    return value
  }
  const seconds = (text: string, flag: string) => {
    const n = Number(text)
    if (text.trim() === '' || !Number.isFinite(n)) throw usageError(`${flag} ${text}: expected a number of seconds, such as 10 or 0.5`)
    return n
  }
  if (port !== null && !Number.isInteger(port)) throw usageError('--port is required: the TCP port of the echo server to measure (or use --compare to start our own servers)')
  if (port !== null && (port < 1 || port > 65535)) throw usageError(`--port ${port}: must be a TCP port between 1 and 65535`)
  const connections = whole(flags.connections, '--connections', 1_000_000)
  const messages = flags.messages === undefined ? null : whole(flags.messages, '--messages')
  const durationSeconds = flags.duration === undefined ? (messages === null ? 10 : null) : positive(seconds(flags.duration, '--duration'), '--duration')
  const warmupSeconds = seconds(flags.warmup, '--warmup')
  if (warmupSeconds < 0) throw usageError(`--warmup ${flags.warmup}: must be 0 or more seconds`)
  const threads = whole(flags.threads, '--threads', 1024)
  return {
    host: flags.host,
    port: port ?? 0,
    connections,
    size: parseSize(flags.size),
    pipeline: whole(flags.pipeline, '--pipeline', maxPipeline),
    durationSeconds,
    messages,
    warmupSeconds,
    threads: Math.min(threads, connections, messages ?? Number.MAX_SAFE_INTEGER),
    rate: flags.rate === undefined ? null : positive(flags.rate, '--rate'),
    pin: flags.pin === undefined ? [] : parseCpuList(flags.pin, '--pin'),
    timeoutSeconds: positive(seconds(flags.timeout, '--timeout'), '--timeout', 3600),
    clientBackend: flags['client-backend'] as BenchOptions['clientBackend'],
  }
}
