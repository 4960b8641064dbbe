// The per-process resources uringctl ulimit reports: their prlimit names and their /proc/PID/limits rows.
export const reportedResources = [
  {name: 'nofile', procLabel: 'Max open files', unit: 'files', meaning: 'open files: every connection is one'},
  {name: 'memlock', procLabel: 'Max locked memory', unit: 'bytes', meaning: 'locked memory: io_uring registered buffers count against it'},
  {name: 'nproc', procLabel: 'Max processes', unit: 'processes', meaning: "processes and threads of the target's user"},
] as const

export type ResourceName = (typeof reportedResources)[number]['name']

/** A soft/hard pair; Infinity is "unlimited" (RLIM_INFINITY). */
export interface Limit {
  soft: number
  hard: number
}

export type ProcessLimits = Record<ResourceName, Limit>
