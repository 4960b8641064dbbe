// The limits part of the native addon: prlimit(2) for any pid, which Node has no API for.
import {addon} from '../native/addon.js'

/** A limit as the addon reports it: Infinity is RLIM_INFINITY; soft/hard are NaN when errno is set. */
export interface NativeLimit {
  errno: number
  soft: number
  hard: number
}

export interface LimitsNative {
  /** prlimit(pid, resource, NULL, &old); pid 0 is this process. */
  limitsGet(pid: number, resource: string): NativeLimit
  /** prlimit(pid, resource, &new, &old): atomic; returns the replaced limit, or errno with nothing changed. */
  limitsSet(pid: number, resource: string, soft: number, hard: number): NativeLimit
  pageSize(): number
}

export function limitsNative(): LimitsNative {
  return addon<LimitsNative>()
}
