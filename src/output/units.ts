// How every command writes quantities for people (README "Units"): byte sizes and rates in binary units
// (B, KiB, MiB, GiB, ... and MiB/s), measured counts and rates with thousands separators (1,234,567),
// addresses as host:port with IPv6 in brackets ([::1]:8080). Values a person would type back (limits,
// sysctl values, flag values, pids, ports, CPU numbers) are printed bare, as typed.

/** A measured count: rounded, with thousands separators. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

/** A byte size in binary units, one decimal at most: 512 B, 16 KiB, 1.1 GiB. */
export function formatBytes(bytes: number): string {
  if (bytes === Number.POSITIVE_INFINITY) return 'unlimited'
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${Math.round(bytes)} B` : `${Number(value.toFixed(1))} ${byteUnits[unit]}`
}

/** A byte rate in the same binary units: 7.3 MiB/s. */
export function formatByteRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

/** host:port, with an IPv6 address in brackets: 127.0.0.1:8080, [::1]:8080. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
