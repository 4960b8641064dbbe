// Before a run: can this process hold what it was asked for? Memory for the load generator's tables, one fd
// per connection (checked with `ulimit`'s planner, so the fixes are the same) and source ports per
// destination. Each shortfall is one usage-error line with its fix, instead of an abort or EMFILE mid-run.
import {readFileSync} from 'node:fs'

import {usageError} from '../base/errors.js'
import {meminfoBytes, readSysctl} from '../limits/host.js'
import {type NofileFigures, nofileChecks, portsCheck} from '../limits/plan.js'
import {type SystemPaths, countOpenFds, hostPaths, readProcessLimits} from '../limits/proc.js'
import {formatBytes} from '../limits/quantities.js'
import {selectTarget} from '../limits/target.js'

export interface CapacityFigures {
  /** What the load generator's threads may open: this process's limits (Node raised its soft limit to the hard one). */
  nofile: NofileFigures
  openFds: number
  /** null when the sysctl cannot be read (then the kernel's own error tells). */
  portRange: {low: number; high: number; count: number} | null
  /** MemAvailable from /proc/meminfo, or null when unknown. */
  memAvailable: number | null
}

export interface LoadShape {
  connections: number
  pipeline: number
  threads: number
  destinations: number
}

export interface MemorySizes {
  perConnection: number
  perInFlight: number
}

/** Per thread besides its connections: the io_uring client's provided buffers (32 MiB at most), two latency histograms, a receive buffer. */
export const perThreadBytes = 32 * 1024 * 1024 + 2 * 36 * 1024 + 64 * 1024
/** fds per thread besides its connections: a ring or an epoll fd, and one spare. */
export const fdsPerThread = 2
/** fds Node may open while the run goes on (timers, signal pipes, stdio): room on top of those open now. */
export const fdMargin = 16

export function readCapacityFigures(paths: SystemPaths = hostPaths): CapacityFigures {
  const limits = readProcessLimits(paths, process.pid)
  let target
  try {
    target = selectTarget(paths, {})
  } catch {
    target = selectTarget(paths, {self: true})
  }
  const nrOpen = readSysctl(paths, 'fs.nr_open')![0]
  let portRange: CapacityFigures['portRange'] = null
  try {
    const range = readSysctl(paths, 'net.ipv4.ip_local_port_range')
    if (range) portRange = {low: range[0], high: range[1], count: range[1] - range[0] + 1}
  } catch {}
  let memAvailable: number | null = null
  try {
    memAvailable = meminfoBytes(readFileSync(`${paths.proc}/meminfo`, 'utf8'), 'MemAvailable')
  } catch {}
  return {nofile: {target, limits, host: {nrOpen}}, openFds: countOpenFds(paths, process.pid) ?? 0, portRange, memAvailable}
}

/** Bytes the load generator allocates up front for this load. */
export function tableBytes(load: LoadShape, sizes: MemorySizes): number {
  return load.connections * (sizes.perConnection + load.pipeline * sizes.perInFlight) + load.threads * perThreadBytes
}

/** Throws a usage error naming the first limit the load does not fit in, with its fix. */
export function checkCapacity(load: LoadShape, figures: CapacityFigures, sizes: MemorySizes): void {
  const bytes = tableBytes(load, sizes)
  if (figures.memAvailable !== null && bytes > figures.memAvailable) {
    throw usageError(
      `--connections ${load.connections} with --pipeline ${load.pipeline} needs ${formatBytes(bytes)} for the load generator's tables ` +
        `(${sizes.perConnection} B per connection and ${sizes.perInFlight} B per message in flight) but only ${formatBytes(figures.memAvailable)} is available: ` +
        'lower --pipeline or --connections, or run bench on several hosts',
    )
  }

  const need = load.connections + fdsPerThread * load.threads + figures.openFds + fdMargin
  const failing = nofileChecks(figures.nofile, need).filter((check) => check.status !== 'pass')
  if (failing.length > 0) {
    const have = figures.nofile.limits.nofile.soft
    const fixes = failing.flatMap((check) => check.fixes)
    const fix = fixes.find((f) => f.kind === 'shell') ?? fixes.find((f) => f.kind === 'prlimit')
    const pid = figures.nofile.target.pid
    const perProcess = Math.max(0, have - (need - load.connections))
    const nrOpen = need > figures.nofile.host.nrOpen ? `raise fs.nr_open (sysctl -w fs.nr_open=${need}) and ` : ''
    throw usageError(
      `--connections ${load.connections} needs ${need} open files (one per connection, ${fdsPerThread} per thread, ${figures.openFds} open now and ${fdMargin} spare) ` +
        `but this process may open ${have} (nofile): ${nrOpen}${fix ? `raise the limit of pid ${pid} (${figures.nofile.target.comm}): ${fix.text}` : 'raise nofile'}, ` +
        `or run several bench processes with at most ${perProcess} connections each (uringctl ulimit --connections ${load.connections} --role client shows every fix)`,
    )
  }

  if (figures.portRange) {
    const perDestination = Math.ceil(load.connections / load.destinations)
    const ports = portsCheck({host: {ipLocalPortRange: figures.portRange}}, perDestination)
    if (ports.status !== 'pass') {
      const {low, high, count} = figures.portRange
      const widen = ports.fixes.find((f) => f.kind === 'sysctl')
      throw usageError(
        `--connections ${load.connections} over ${load.destinations} destination address${load.destinations === 1 ? '' : 'es'} needs ${perDestination} source ports per destination ` +
          `but net.ipv4.ip_local_port_range (${low}-${high}) allows ${count}: spread them over ${Math.ceil(load.connections / count)} or more addresses with --host ` +
          `(e.g. --host 127.0.0.1-127.0.0.${Math.min(254, Math.ceil(load.connections / count))} when the server listens on 0.0.0.0)` +
          (widen ? `, or widen the range: ${widen.text}` : ''),
      )
    }
  }
}
