// `uringctl tcp-data-split check`: per interface, TCP header/data split as the kernel reports it, and
// the zero-copy receive readiness checks. Read-only: nothing on the host is changed.
import {ExitCode, UserError} from '../base/errors.js'
import {quoteInput} from '../base/quote.js'
import {type Channels, type RingParameters, type TcpDataSplitState, describeTcpDataSplit} from '../netlink/ethtool.js'
import type {Link} from '../netlink/links.js'
import {type HostFacts, gatherHostFacts, hostChecks} from './host.js'
import {type DeviceClass, type InterfaceFacts, type Unavailable, gatherInterfaceFacts, listLinks} from './interfaces.js'
import {type ReadinessCheck, permissionChecks} from './readiness.js'
import {type RxQueueCount, interfaceChecks, rxQueueCount, targetQueue} from './zcrx.js'

export const tcpDataSplitExitCodes = {
  notSupported: 3,
  noSuchInterface: 4,
  permission: 5,
} as const

export const schemaVersion = 1

/** The ring sizes `ethtool -g` prints, in the report's order; split and threshold have fields of their own. */
const reportedRingFields = ['rx', 'rxMax', 'rxMini', 'rxMiniMax', 'rxJumbo', 'rxJumboMax', 'tx', 'txMax', 'rxBufLen', 'cqeSize'] as const
export type ReportedRings = Pick<RingParameters, (typeof reportedRingFields)[number]>

function reportedRings(r: RingParameters): ReportedRings {
  return Object.fromEntries(reportedRingFields.map((field) => [field, r[field]])) as ReportedRings
}

export interface InterfaceReport {
  name: string
  ifindex: number
  driver: string | null
  /** IFLA_INFO_KIND of software devices (veth, ifb, bridge, ...). */
  kind: string | null
  deviceClass: DeviceClass
  physical: boolean
  parentBus: string | null
  tcpDataSplit: {
    state: TcpDataSplitState
    /** ETHTOOL_A_RINGS_TCP_DATA_SPLIT as sent; null when not sent. */
    value: number | null
    /** What `ethtool -g` prints after "TCP data split:", or null when it prints no such line (no ring parameters). */
    ethtool: string | null
    supported: boolean
    enabled: boolean
  }
  hdsThreshold: number | null
  hdsThresholdMax: number | null
  rings: ReportedRings | null
  /** Why there are no ring parameters (EOPNOTSUPP: the driver has no get_ringparam). */
  ringsUnavailable: Unavailable | null
  channels: Channels | null
  rxQueues: RxQueueCount
  xdp: Link['xdp']
  zcrx: {
    ready: boolean
    /** The RX queue the queue-free check looked at. */
    queue: number | null
    checks: ReadinessCheck[]
  }
}

export interface TcpDataSplitReport {
  schemaVersion: typeof schemaVersion
  kernel: string
  /** Every reported interface supports TCP data split (reports it on or off). */
  allSupportSplit: boolean
  /** Every reported interface passes every zcrx check. */
  allZcrxReady: boolean
  interfaces: InterfaceReport[]
}

export interface CheckOptions {
  /** Interface names; empty = every interface in this network namespace. */
  interfaces: string[]
  /** RX queue for the queue-free check (default: each interface's highest RX queue). */
  queue?: number
}

export function checkTcpDataSplit(options: CheckOptions): TcpDataSplitReport {
  const links = selectLinks(permitted(listLinks), options.interfaces)
  const host = gatherHostFacts()
  const facts = permitted(() => gatherInterfaceFacts(links))
  const interfaces = facts.map((f) => interfaceReport(f, host, options.queue))
  return {
    schemaVersion,
    kernel: host.kernel,
    allSupportSplit: interfaces.every((i) => i.tcpDataSplit.supported),
    allZcrxReady: interfaces.every((i) => i.zcrx.ready),
    interfaces,
  }
}

/** A netlink socket or request refused outright (seccomp, LSM) is a permission problem, not a bug. */
function permitted<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    const errno = (error as {errno?: unknown}).errno
    if (errno === 1 || errno === 13) {
      throw new UserError(`${(error as Error).message}: not permitted to ask the kernel over netlink; run with more privilege`, {
        code: 'PERMISSION', exitCode: tcpDataSplitExitCodes.permission,
      })
    }
    throw error
  }
}

function selectLinks(links: Link[], names: string[]): Link[] {
  if (names.length === 0) return links
  const unique = [...new Set(names)]
  const missing = unique.filter((n) => !links.some((l) => l.name === n))
  if (missing.length > 0) {
    const plural = missing.length > 1 ? 's' : ''
    throw new UserError(
      `no such interface${plural}: ${missing.map((n) => quoteInput(n, {always: true})).join(', ')} (interfaces in this network namespace: ${links.map((l) => quoteInput(l.name)).join(', ') || 'none'})`,
      {code: 'NO_SUCH_INTERFACE', exitCode: tcpDataSplitExitCodes.noSuchInterface},
    )
  }
  return unique.map((n) => links.find((l) => l.name === n) as Link)
}

function interfaceReport(f: InterfaceFacts, host: HostFacts, queue: number | undefined): InterfaceReport {
  const split = describeTcpDataSplit(f.rings?.tcpDataSplit ?? null)
  const checks = [...hostChecks(host), ...interfaceChecks(f, host.kernel, queue)]
  const r = f.rings
  return {
    name: f.link.name,
    ifindex: f.link.ifindex,
    driver: f.driver,
    kind: f.link.kind,
    deviceClass: f.deviceClass,
    physical: f.deviceClass === 'physical',
    parentBus: f.link.parentBus,
    tcpDataSplit: {
      state: split.state,
      value: r?.tcpDataSplit ?? null,
      ethtool: r ? split.ethtoolText : null,
      supported: split.state === 'on' || split.state === 'off',
      enabled: split.state === 'on',
    },
    hdsThreshold: r?.hdsThresh ?? null,
    hdsThresholdMax: r?.hdsThreshMax ?? null,
    rings: r ? reportedRings(r) : null,
    ringsUnavailable: f.ringsUnavailable,
    channels: f.channels,
    rxQueues: rxQueueCount(f),
    xdp: f.link.xdp,
    zcrx: {ready: checks.every((c) => c.status === 'pass'), queue: targetQueue(f, queue), checks},
  }
}

const deniedErrnos = ['EPERM', 'EACCES']

/**
 * The exit code scripts see: 0 when every interface supports split (with zcrx: is ready); 5 when the only
 * obstacles are privileges; 3 otherwise.
 */
export function verdictExitCode(report: TcpDataSplitReport, zcrx: boolean): number {
  if (zcrx) {
    if (report.allZcrxReady) return ExitCode.ok
    const blocking = report.interfaces.flatMap((i) => i.zcrx.checks).filter((c) => c.status !== 'pass')
    return blocking.every((c) => permissionChecks.includes(c.id)) ? tcpDataSplitExitCodes.permission : tcpDataSplitExitCodes.notSupported
  }
  if (report.allSupportSplit) return ExitCode.ok
  const unsupported = report.interfaces.filter((i) => !i.tcpDataSplit.supported)
  const denied = unsupported.every((i) => i.ringsUnavailable && deniedErrnos.includes(i.ringsUnavailable.errno))
  return denied ? tcpDataSplitExitCodes.permission : tcpDataSplitExitCodes.notSupported
}
