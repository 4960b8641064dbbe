// Everything we read about each interface: the link (rtnetlink), its driver (sysfs), ring parameters and
// channels (ethtool netlink), and its queues with their memory providers (netdev netlink). Read-only.
import {readdirSync, readlinkSync} from 'node:fs'
import {basename, join} from 'node:path'

import {type Channels, type RingParameters, getChannels, getRings} from '../netlink/ethtool.js'
import {type GenericFamily, resolveFamily} from '../netlink/generic.js'
import {type Link, dumpLinks} from '../netlink/links.js'
import {type Queue, dumpQueues} from '../netlink/netdev.js'
import {NetlinkError, type NetlinkSocket, withSocket} from '../netlink/socket.js'
import {ethtool} from '../netlink/families/ethtool.js'
import {netdev} from '../netlink/families/netdev.js'
import {paravirtualDrivers} from './drivers.js'

export type DeviceClass = 'physical' | 'paravirtual' | 'virtual' | 'loopback'

/** Why a netlink question got no answer: the errno name and what it means here. */
export interface Unavailable {
  errno: string
  reason: string
}

export interface InterfaceFacts {
  link: Link
  driver: string | null
  deviceClass: DeviceClass
  rings: RingParameters | null
  ringsUnavailable: Unavailable | null
  channels: Channels | null
  channelsUnavailable: Unavailable | null
  /** Count of /sys/class/net/X/queues/rx-* (the kernel's real_num_rx_queues), or null if unreadable. */
  sysfsRxQueues: number | null
  /** This interface's RX queues from netdev queue-get, or null when that could not be asked. */
  rxQueues: Queue[] | null
  rxQueuesUnavailable: Unavailable | null
}

const sysClassNet = '/sys/class/net'

function sysfsDriver(name: string): string | null {
  try {
    return basename(readlinkSync(join(sysClassNet, name, 'device', 'driver')))
  } catch {
    return null
  }
}

function sysfsRxQueueCount(name: string): number | null {
  try {
    return readdirSync(join(sysClassNet, name, 'queues')).filter((q) => q.startsWith('rx-')).length
  } catch {
    return null
  }
}

export function classify(link: Link, driver: string | null): DeviceClass {
  if (link.loopback) return 'loopback'
  if (link.kind !== null || link.parentBus === null || driver === null) return 'virtual'
  return paravirtualDrivers.includes(driver) ? 'paravirtual' : 'physical'
}

function unavailable(error: unknown, what: string): Unavailable {
  if (!(error instanceof NetlinkError)) throw error
  const reasons: Record<string, string> = {
    EOPNOTSUPP: `the driver does not report ${what}`,
    ENODEV: 'the interface disappeared while being checked',
    EPERM: `not permitted to read ${what}`,
    EACCES: `not permitted to read ${what}`,
  }
  return {errno: error.errnoName, reason: reasons[error.errnoName] ?? error.message}
}

const familyMissing = (family: string, since: string): Unavailable => ({
  errno: 'ENOENT',
  reason: `this kernel has no "${family}" generic netlink family (added in ${since})`,
})

/** The links of this network namespace (sorted by ifindex). */
export function listLinks(): Link[] {
  return withSocket('route', dumpLinks)
}

function perInterface(socket: NetlinkSocket, family: GenericFamily | null, link: Link) {
  const facts: Pick<InterfaceFacts, 'rings' | 'ringsUnavailable' | 'channels' | 'channelsUnavailable'> = {
    rings: null, ringsUnavailable: null, channels: null, channelsUnavailable: null,
  }
  if (!family) {
    facts.ringsUnavailable = facts.channelsUnavailable = familyMissing(ethtool.name, 'Linux 5.6')
    return facts
  }
  try {
    facts.rings = getRings(socket, family, link.ifindex, link.name)
  } catch (error) {
    facts.ringsUnavailable = unavailable(error, 'ring parameters (no get_ringparam)')
  }
  try {
    facts.channels = getChannels(socket, family, link.ifindex, link.name)
  } catch (error) {
    facts.channelsUnavailable = unavailable(error, 'channels (no get_channels)')
  }
  return facts
}

/** Reads the facts of the given links; one generic netlink socket serves every question. */
export function gatherInterfaceFacts(links: Link[]): InterfaceFacts[] {
  return withSocket('generic', (socket) => {
    const ethtoolFamily = resolveFamily(socket, ethtool.name)
    const netdevFamily = resolveFamily(socket, netdev.name)
    let queues: Queue[] | null = null
    let queuesUnavailable: Unavailable | null = null
    if (netdevFamily) {
      try {
        queues = dumpQueues(socket, netdevFamily)
      } catch (error) {
        queuesUnavailable = unavailable(error, 'queues')
      }
    } else {
      queuesUnavailable = familyMissing(netdev.name, 'Linux 6.5')
    }
    return links.map((link) => {
      const driver = sysfsDriver(link.name)
      return {
        link,
        driver,
        deviceClass: classify(link, driver),
        ...perInterface(socket, ethtoolFamily, link),
        sysfsRxQueues: sysfsRxQueueCount(link.name),
        rxQueues: queues ? queues.filter((q) => q.ifindex === link.ifindex && q.type === 'rx') : null,
        rxQueuesUnavailable: queuesUnavailable,
      }
    })
  })
}
