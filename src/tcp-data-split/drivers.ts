// What we know about drivers and io_uring zero-copy receive, as data. zcrx needs a driver that implements
// the netdev queue management API and unreadable (provider-backed) page pools, plus header/data split.

export interface ZcrxDriver {
  /** The driver's name as sysfs reports it (/sys/class/net/X/device/driver). */
  driver: string
  /** First mainline kernel where io_uring zcrx works with this driver. */
  since: string
  hardware: string
}

export const zcrxDrivers: readonly ZcrxDriver[] = [
  {driver: 'bnxt_en', since: '6.15', hardware: 'Broadcom NetXtreme-C/E (the driver zcrx was developed on)'},
  {driver: 'gve', since: '6.15', hardware: 'Google gVNIC, DQO queue format'},
  {driver: 'mlx5_core', since: '6.16', hardware: 'NVIDIA ConnectX-6 Dx and later'},
  {driver: 'fbnic', since: '6.17', hardware: 'Meta fbnic'},
]

/** Drivers of emulated or paravirtual NICs: bus devices, but no hardware queues zcrx could take over. */
export const paravirtualDrivers: readonly string[] = ['virtio_net', 'hv_netvsc', 'xen-netfront', 'vmxnet3', 'netvsc']

export function findZcrxDriver(driver: string | null): ZcrxDriver | undefined {
  return driver === null ? undefined : zcrxDrivers.find((d) => d.driver === driver)
}

/** "6.18.44-fc-v669" is at least "6.15"? Compares major.minor only; an unparsable release is not. */
export function kernelAtLeast(release: string, since: string): boolean {
  const parse = (s: string) => /^(\d+)\.(\d+)/.exec(s)?.slice(1, 3).map(Number)
  const have = parse(release)
  const want = parse(since)
  if (!have || !want) return false
  return have[0] !== want[0] ? have[0] > want[0] : have[1] >= want[1]
}
