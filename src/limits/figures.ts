// Everything `uringctl ulimit` reports about one target: its limits, open fds, and the host's ceilings.
import {type HostFigures, readHostFigures} from './host.js'
import {type SystemPaths, countOpenFds, readProcessLimits} from './proc.js'
import type {ProcessLimits} from './resources.js'
import type {Target} from './target.js'

export interface Figures {
  target: Target
  limits: ProcessLimits
  /** fds open in the target now, or null when its /proc/PID/fd is not ours to list. */
  openFds: number | null
  host: HostFigures
}

export function collectFigures(paths: SystemPaths, target: Target, pageSize: number): Figures {
  return {
    target,
    limits: readProcessLimits(paths, target.pid),
    openFds: countOpenFds(paths, target.pid),
    host: readHostFigures(paths, pageSize),
  }
}
