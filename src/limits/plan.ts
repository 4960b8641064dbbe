// The connection plan: can the target hold N connections? One check per limit with its exact fixes.
// Pure arithmetic over collected figures, so it runs the same on fixtures of /proc values.
import type {Figures} from './figures.js'
import type {HostFigures} from './host.js'
import {formatBytes, formatLimit} from './quantities.js'
import type {Target} from './target.js'

export type Role = 'server' | 'client'
/** unknown: the check could not be made because a figure it needs is absent (a host-wide sysctl inside a network namespace). */
export type Status = 'pass' | 'warn' | 'fail' | 'unknown'
export type FixKind = 'prlimit' | 'shell' | 'systemd' | 'limits.conf' | 'sysctl' | 'design'

export interface Fix {
  kind: FixKind
  /** The exact command to run or line to add. */
  text: string
  note: string
}

export interface PlanCheck {
  id: string
  subject: string
  status: Status
  /** null when the figure is absent (status unknown). */
  have: number | null
  need: number
  unit: 'fds' | 'ports' | 'connections' | 'bytes'
  explanation: string
  fixes: Fix[]
}

export interface Trap {
  id: string
  message: string
}

export interface ConnectionPlan {
  connections: number
  role: Role
  /** connections + planConstants.fdReserve */
  fdsNeeded: number
  status: Status
  checks: PlanCheck[]
  traps: Trap[]
}

export const planConstants = {
  /** fds a server has besides its connections: std streams, listeners, epoll/io_uring, logs, libraries. */
  fdReserve: 64,
  /** glibc's FD_SETSIZE: select() cannot watch an fd numbered at or above it. */
  fdSetSize: 1024,
  /** listen() backlogs programs pass and kernels before 5.4 capped somaxconn at (u16). */
  maxBacklog: 65535,
  /** The widest sensible ephemeral port range: everything above the privileged ports. */
  widestPorts: {low: 1024, high: 65535},
} as const

/**
 * What one idle connection costs, measured with `node benchmarks/capacity.mjs idle` and `hold` (docs/benchmarks.md,
 * "Capacity"): the kernel's memory for one end of a TCP connection (socket, socket inode, file, dentry, and
 * the armed io_uring receive or epoll item), and the user-space memory of uringctl's server (`echo serve`, io_uring
 * backend) and load generator (`echo bench`) per connection. Busy connections add their buffers (tcp_mem checks).
 */
export const connectionCosts = {
  kernelPerEnd: 4500,
  server: 47,
  client: 512,
} as const

export function planConnections(figures: Figures, request: {connections: number; role: Role}): ConnectionPlan {
  const {connections, role} = request
  const fdsNeeded = connections + planConstants.fdReserve
  const checks = [
    ...nofileChecks(figures, fdsNeeded),
    nrOpenCheck(figures, fdsNeeded),
    fileMaxCheck(figures, fdsNeeded),
    ...(role === 'client' ? [planPortsCheck(figures, connections)] : backlogChecks(figures, connections)),
    ...tcpMemoryChecks(figures, connections),
    memoryCheck(figures, connections, role),
    memlockCheck(figures, connections),
  ]
  return {connections, role, fdsNeeded, status: worst(checks.map((check) => check.status)), checks, traps: trapsFor(figures, fdsNeeded, checks)}
}

/** fail, then warn, then unknown (nothing fails, but something could not be checked), then pass. */
export function worst(statuses: Status[]): Status {
  for (const status of ['fail', 'warn', 'unknown'] as const) if (statuses.includes(status)) return status
  return 'pass'
}

/** A check whose sysctl does not exist here: inside a network namespace host-wide net sysctls are absent. */
function absentCheck(id: string, subject: string, sysctl: string, need: number, unit: PlanCheck['unit']): PlanCheck {
  return {
    id,
    subject,
    status: 'unknown',
    have: null,
    need,
    unit,
    explanation: `not checked: /proc/sys/${sysctl.replaceAll('.', '/')} is absent (${sysctl} is host-wide; inside a network namespace other than the host's it is not visible), so run uringctl ulimit in the host's network namespace to check it`,
    fixes: [],
  }
}

function planPortsCheck(figures: Figures, connections: number): PlanCheck {
  const {ipLocalPortRange} = figures.host
  if (ipLocalPortRange === null) return absentCheck('ports', 'ephemeral ports per destination (net.ipv4.ip_local_port_range)', 'net.ipv4.ip_local_port_range', connections, 'ports')
  return portsCheck({host: {ipLocalPortRange}}, connections)
}

/** What the open-files checks read: a process's limits and fs.nr_open (so `echo bench` can check itself without the rest). */
export type NofileFigures = Pick<Figures, 'target' | 'limits'> & {host: Pick<HostFigures, 'nrOpen'>}

export function nofileChecks(figures: NofileFigures, need: number): PlanCheck[] {
  const {soft, hard} = figures.limits.nofile
  const {pid} = figures.target
  const hardOk = hard >= need
  const nrOpenShort = need > figures.host.nrOpen ? `, after raising fs.nr_open (${figures.host.nrOpen})` : ''
  const hardCheck: PlanCheck = {
    id: 'nofile-hard',
    subject: 'open files, hard limit (nofile)',
    status: hardOk ? 'pass' : 'fail',
    have: hard,
    need,
    unit: 'fds',
    explanation: hardOk
      ? `programs started from pid ${pid} may raise their soft limit up to ${formatLimit(hard)}`
      : `no program started from pid ${pid} can open more than ${hard} files; only root (CAP_SYS_RESOURCE) can raise a hard limit${nrOpenShort}`,
    fixes: hardOk ? [] : raiseNofile(figures, need, need),
  }
  const softCheck: PlanCheck = {
    id: 'nofile-soft',
    subject: 'open files, soft limit (nofile)',
    status: soft >= need ? 'pass' : hardOk ? 'warn' : 'fail',
    have: soft,
    need,
    unit: 'fds',
    explanation:
      soft >= need
        ? `programs started from pid ${pid} can open ${formatLimit(soft)} files`
        : hardOk
          ? `programs started from pid ${pid} get ${soft} open files unless they raise their own soft limit (Node.js and Go do; most C servers do not)`
          : `cannot rise above the hard limit ${hard}: fix nofile-hard (its fixes raise both)`,
    fixes: soft >= need || !hardOk ? [] : raiseNofile(figures, need, null),
  }
  return [softCheck, hardCheck]
}

/** Fixes that give the target `soft` open files, and `hard` too when it is not null (null keeps the hard limit). */
function raiseNofile(figures: NofileFigures, soft: number, hard: number | null): Fix[] {
  const {target} = figures
  const pid = target.pid
  const keptHard = figures.limits.nofile.hard
  const fixes: Fix[] = [
    {
      kind: 'prlimit',
      text: hard === null ? `prlimit --pid ${pid} --nofile=${soft}:` : `prlimit --pid ${pid} --nofile=${soft}:${hard}`,
      note: `changes pid ${pid} now; programs it starts afterwards inherit it${hard === null ? '' : '; needs root'} (same as: uringctl ulimit --pid ${pid} --nofile ${soft}:${hard ?? ''})`,
    },
  ]
  if (target.shell) {
    fixes.push(
      hard === null
        ? {kind: 'shell', text: `ulimit -Sn ${soft}`, note: 'in that shell, before starting the program; -S leaves the hard limit alone'}
        : {kind: 'shell', text: `ulimit -Hn ${hard} && ulimit -Sn ${soft}`, note: 'in that shell, as root only'},
    )
  }
  fixes.push(
    systemdDropIn(target, 'LimitNOFILE', hard === null ? `${soft}:${formatLimit(keptHard)}` : String(hard)),
    limitsConf(target, 'nofile', hard === null ? [['soft', soft]] : [['soft', soft], ['hard', hard]], ''),
  )
  return fixes
}

function systemdDropIn(target: Target, directive: string, value: string): Fix {
  const unit = target.systemdUnit?.name ?? '<your-server>.service'
  const user = target.systemdUnit?.userManager ?? false
  const dir = user ? `~/.config/systemd/user/${unit}.d` : `/etc/systemd/system/${unit}.d`
  const ctl = user ? 'systemctl --user' : 'systemctl'
  const file = `${dir}/90-${directive.toLowerCase()}.conf`
  return {
    kind: 'systemd',
    text: `mkdir -p ${dir} && printf '[Service]\\n${directive}=${value}\\n' > ${file} && ${ctl} daemon-reload && ${ctl} restart ${unit}`,
    note: target.systemdUnit
      ? `for ${unit}, the systemd service pid ${target.pid} runs in`
      : 'for a server run by systemd (services do not read limits.conf)',
  }
}

function limitsConf(target: Target, item: string, entries: Array<[string, number]>, unitNote: string): Fix {
  const user = target.user ?? '<user>'
  return {
    kind: 'limits.conf',
    text: entries.map(([type, value]) => `${user} ${type} ${item} ${formatLimit(value)}`).join('\n'),
    note:
      'lines for /etc/security/limits.conf (or a file in /etc/security/limits.d/); pam_limits applies them at the next login' +
      (target.uid === 0 ? '; `*` does not match root, so root is named' : '') +
      unitNote,
  }
}

function sysctlFix(name: string, value: string): Fix {
  const assignment = value.includes(' ') ? `${name}="${value}"` : `${name}=${value}`
  return {kind: 'sysctl', text: `sysctl -w ${assignment}`, note: `now; to keep it across reboots add "${name} = ${value}" to /etc/sysctl.d/90-connections.conf`}
}

function nrOpenCheck(figures: Figures, need: number): PlanCheck {
  const {nrOpen} = figures.host
  const ok = need <= nrOpen
  return {
    id: 'fs.nr_open',
    subject: 'per-process open files ceiling (fs.nr_open)',
    status: ok ? 'pass' : 'fail',
    have: nrOpen,
    need,
    unit: 'fds',
    explanation: ok ? `hard limits up to ${nrOpen} are allowed` : `no process may have more than ${nrOpen} open files, root included`,
    fixes: ok ? [] : [sysctlFix('fs.nr_open', String(need))],
  }
}

function fileMaxCheck(figures: Figures, need: number): PlanCheck {
  const {fileMax, fileNr} = figures.host
  const free = fileMax - fileNr.allocated
  const ok = free >= need
  return {
    id: 'fs.file-max',
    subject: 'open files on the whole host (fs.file-max)',
    status: ok ? 'pass' : 'fail',
    have: free,
    need,
    unit: 'fds',
    explanation: `${fileNr.allocated} of ${formatLimit(fileMax)} open files are in use host-wide, ${formatLimit(free)} left` + (ok ? '' : '; beyond it every open() and accept() fails with ENFILE'),
    fixes: ok ? [] : [sysctlFix('fs.file-max', String(fileNr.allocated + need))],
  }
}

export function portsCheck(figures: {host: {ipLocalPortRange: NonNullable<HostFigures['ipLocalPortRange']>}}, connections: number): PlanCheck {
  const {low, high, count} = figures.host.ipLocalPortRange
  const widest = planConstants.widestPorts
  const widestCount = widest.high - widest.low + 1
  const ok = count >= connections
  const fixes: Fix[] = []
  if (!ok && connections <= widestCount) {
    // Keep the low end (ports below it may be in use by servers) and extend upwards first.
    const newHigh = Math.min(widest.high, low + connections - 1)
    const newLow = Math.min(low, newHigh - connections + 1)
    const fix = sysctlFix('net.ipv4.ip_local_port_range', `${newLow} ${newHigh}`)
    fix.note += '; keep listening ports out of it with net.ipv4.ip_local_reserved_ports'
    fixes.push(fix)
  } else if (!ok) {
    fixes.push(sysctlFix('net.ipv4.ip_local_port_range', `${widest.low} ${widest.high}`), {
      kind: 'design',
      text: `spread the ${connections} connections over ${Math.ceil(connections / widestCount)} destination addresses or ports, or several source addresses`,
      note: `one source address has at most ${widestCount} ephemeral ports per destination address and port; bind() extra source addresses with IP_BIND_ADDRESS_NO_PORT`,
    })
  }
  return {
    id: 'ports',
    subject: 'ephemeral ports per destination (net.ipv4.ip_local_port_range)',
    status: ok ? 'pass' : 'fail',
    have: count,
    need: connections,
    unit: 'ports',
    explanation: `ports ${low}-${high}: at most ${count} connections from one source address to one destination address and port` + (ok ? '' : '; beyond it connect() fails with EADDRNOTAVAIL'),
    fixes,
  }
}

function backlogChecks(figures: Figures, connections: number): PlanCheck[] {
  const need = Math.min(connections, planConstants.maxBacklog)
  const {somaxconn, tcpMaxSynBacklog} = figures.host
  const somaxconnFix = sysctlFix('net.core.somaxconn', String(need))
  somaxconnFix.note += `; and the server must pass a backlog of ${need} to listen()`
  return [
    somaxconn === null ? absentCheck('net.core.somaxconn', 'accept backlog cap (net.core.somaxconn)', 'net.core.somaxconn', need, 'connections') : {
      id: 'net.core.somaxconn',
      subject: 'accept backlog cap (net.core.somaxconn)',
      status: somaxconn >= need ? 'pass' : 'warn',
      have: somaxconn,
      need,
      unit: 'connections',
      explanation:
        somaxconn >= need
          ? `a burst of ${need} connections fits the accept queue`
          : `listen() backlogs are capped at ${somaxconn}: in a burst, connections beyond that which the server has not accepted yet are dropped and their clients retry after 1 s or more`,
      fixes: somaxconn >= need ? [] : [somaxconnFix],
    },
    tcpMaxSynBacklog === null ? absentCheck('net.ipv4.tcp_max_syn_backlog', 'half-open connections per listener (net.ipv4.tcp_max_syn_backlog)', 'net.ipv4.tcp_max_syn_backlog', need, 'connections') : {
      id: 'net.ipv4.tcp_max_syn_backlog',
      subject: 'half-open connections per listener (net.ipv4.tcp_max_syn_backlog)',
      status: tcpMaxSynBacklog >= need ? 'pass' : 'warn',
      have: tcpMaxSynBacklog,
      need,
      unit: 'connections',
      explanation:
        tcpMaxSynBacklog >= need
          ? `a burst of ${need} handshakes fits the SYN queue`
          : `beyond ${tcpMaxSynBacklog} handshakes in progress the kernel answers with SYN cookies (net.ipv4.tcp_syncookies) or drops SYNs`,
      fixes: tcpMaxSynBacklog >= need ? [] : [sysctlFix('net.ipv4.tcp_max_syn_backlog', String(need))],
    },
  ]
}

const tcpMemSubjects = {
  high: 'TCP memory, hard ceiling (net.ipv4.tcp_mem high)',
  pressure: 'TCP memory, pressure threshold (net.ipv4.tcp_mem pressure)',
} as const

function tcpMemoryChecks(figures: Figures, connections: number): PlanCheck[] {
  const {tcpMem, tcpRmem, tcpWmem, pageSize, memTotal} = figures.host
  if (tcpMem === null || tcpRmem === null || tcpWmem === null) {
    const absent = tcpMem === null ? 'net.ipv4.tcp_mem' : tcpRmem === null ? 'net.ipv4.tcp_rmem' : 'net.ipv4.tcp_wmem'
    // What the connections need is known only from tcp_rmem/tcp_wmem; 0 says "not computed" when they are absent.
    const minimal = tcpRmem && tcpWmem ? connections * (tcpRmem.min + tcpWmem.min) : 0
    const byDefault = tcpRmem && tcpWmem ? connections * (tcpRmem.default + tcpWmem.default) : 0
    return [
      absentCheck('tcp_mem-high', tcpMemSubjects.high, absent, minimal, 'bytes'),
      absentCheck('tcp_mem-pressure', tcpMemSubjects.pressure, absent, byDefault, 'bytes'),
    ]
  }
  const pages = (bytes: number) => Math.ceil(bytes / pageSize)
  const beyondMemory = (bytes: number) => memTotal > 0 && bytes > memTotal / 2

  const minimalEach = tcpRmem.min + tcpWmem.min
  const minimalBytes = connections * minimalEach
  const highBytes = tcpMem.high * pageSize
  const highOk = minimalBytes <= highBytes
  const defaultEach = tcpRmem.default + tcpWmem.default
  const defaultBytes = connections * defaultEach
  const pressureBytes = tcpMem.pressure * pageSize
  const pressureOk = defaultBytes <= pressureBytes
  const budgetEach = Math.floor(pressureBytes / connections)
  const smallerBuffers = (bytes: number): Fix => ({
    kind: 'design',
    text: `keep each connection's buffers within ${formatBytes(budgetEach)} (smaller tcp_rmem/tcp_wmem defaults, or SO_RCVBUF/SO_SNDBUF), or spread the connections over more hosts`,
    note: `${formatBytes(bytes)} is more than half of this host's memory (${formatBytes(memTotal)})`,
  })

  let highFixes: Fix[] = []
  if (!highOk) highFixes = beyondMemory(minimalBytes) ? [smallerBuffers(minimalBytes)] : [sysctlFix('net.ipv4.tcp_mem', `${tcpMem.low} ${tcpMem.pressure} ${pages(minimalBytes)}`)]
  let pressureFixes: Fix[] = []
  if (!pressureOk) {
    const pressure = pages(defaultBytes)
    pressureFixes = beyondMemory(defaultBytes) ? [smallerBuffers(defaultBytes)] : [sysctlFix('net.ipv4.tcp_mem', `${tcpMem.low} ${pressure} ${Math.max(tcpMem.high, pressure)}`)]
  }
  return [
    {
      id: 'tcp_mem-high',
      subject: tcpMemSubjects.high,
      status: highOk ? 'pass' : 'fail',
      have: highBytes,
      need: minimalBytes,
      unit: 'bytes',
      explanation:
        `with the smallest buffers (tcp_rmem + tcp_wmem minimum, ${formatBytes(minimalEach)} each) ${connections} busy connections take ${formatBytes(minimalBytes)}; ` +
        `TCP may use at most ${formatBytes(highBytes)} (${tcpMem.high} pages of ${pageSize} B)` +
        (highOk ? '' : ', beyond which the kernel drops packets instead of buffering them'),
      fixes: highFixes,
    },
    {
      id: 'tcp_mem-pressure',
      subject: tcpMemSubjects.pressure,
      status: pressureOk ? 'pass' : 'warn',
      have: pressureBytes,
      need: defaultBytes,
      unit: 'bytes',
      explanation:
        `with default buffers (${formatBytes(defaultEach)} each) ${connections} busy connections take ${formatBytes(defaultBytes)}; ` +
        `above ${formatBytes(pressureBytes)} (${tcpMem.pressure} pages) the kernel shrinks every socket's buffers` +
        (pressureOk ? '' : ' (idle connections hold almost no buffer memory: this matters when they all carry data)'),
      fixes: pressureFixes,
    },
  ]
}

function memoryCheck(figures: Figures, connections: number, role: Role): PlanCheck {
  const {memTotal} = figures.host
  const user = connectionCosts[role]
  const each = connectionCosts.kernelPerEnd + user
  const need = connections * each
  const status: Status = memTotal === 0 || need <= memTotal / 2 ? 'pass' : need <= memTotal ? 'warn' : 'fail'
  const hosts = Math.ceil(need / (memTotal / 2))
  return {
    id: 'memory',
    subject: 'memory for idle connections (kernel sockets and the program)',
    status,
    have: memTotal,
    need,
    unit: 'bytes',
    explanation:
      `an idle connection costs about ${formatBytes(connectionCosts.kernelPerEnd)} of kernel memory (socket, inode, file, the armed receive or epoll item) ` +
      `and ${formatBytes(user)} in uringctl's ${role === 'server' ? 'echo serve (io_uring)' : 'echo bench'} (measured: docs/benchmarks.md, Capacity): ` +
      `${connections} take ${formatBytes(need)}` +
      (memTotal === 0 ? '' : ` of this host's ${formatBytes(memTotal)}`) +
      (status === 'pass' ? '' : status === 'warn' ? ', more than half of it, leaving little for buffers once they carry data' : ', more than it has'),
    fixes:
      status === 'pass'
        ? []
        : [
            {
              kind: 'design',
              text: `spread the connections over ${hosts} hosts like this one, or use one with at least ${formatBytes(2 * need)} of memory`,
              note: 'half of the memory for idle connections leaves the rest for their buffers when they carry data, and for everything else',
            },
          ],
  }
}

function memlockCheck(figures: Figures, connections: number): PlanCheck {
  const {soft, hard} = figures.limits.memlock
  const {pageSize} = figures.host
  const need = connections * pageSize
  const {target} = figures
  const ok = target.canLockMemory || soft >= need
  const fixes: Fix[] = []
  if (!ok) {
    const newHard = Math.max(hard, need)
    fixes.push(
      {
        kind: 'prlimit',
        text: `prlimit --pid ${target.pid} --memlock=${need}:${formatLimit(newHard)}`,
        note: `changes pid ${target.pid} now${hard < need ? '; raising the hard limit needs root' : ''}`,
      },
      systemdDropIn(target, 'LimitMEMLOCK', String(need)),
      limitsConf(target, 'memlock', [['soft', Math.ceil(need / 1024)], ['hard', Math.ceil(newHard / 1024)]], '; limits.conf counts memlock in KiB'),
    )
  }
  return {
    id: 'memlock',
    subject: 'locked memory for io_uring registered buffers (memlock)',
    status: ok ? 'pass' : 'warn',
    have: soft,
    need,
    unit: 'bytes',
    explanation: target.canLockMemory
      ? `pid ${target.pid} has CAP_IPC_LOCK, so io_uring does not count registered buffers against memlock`
      : `registered (fixed) buffers are pinned and count against memlock: one ${pageSize} B buffer per connection needs ${formatBytes(need)}, memlock allows ${formatBytes(soft)}` +
        (ok ? '' : '; only servers that register buffers need it (provided-buffer rings do not pin their buffers)'),
    fixes,
  }
}

function trapsFor(figures: Figures, fdsNeeded: number, checks: PlanCheck[]): Trap[] {
  const traps: Trap[] = []
  const status = (id: string) => checks.find((check) => check.id === id)?.status
  const nofileShort = status('nofile-soft') !== 'pass' || status('nofile-hard') !== 'pass'
  if (fdsNeeded > planConstants.fdSetSize) {
    traps.push({
      id: 'select-fd-setsize',
      message:
        `programs that use select() cannot watch an fd numbered ${planConstants.fdSetSize} or above (FD_SETSIZE): FD_SET writes past the set and corrupts memory. ` +
        `${fdsNeeded} fds need poll, epoll or io_uring; a select() program must keep its soft limit at ${planConstants.fdSetSize}`,
    })
  }
  // A hard limit equal to fs.nr_open is what LimitNOFILE=infinity (or a container runtime's default) leaves behind.
  const looksInfinite = figures.limits.nofile.hard === figures.host.nrOpen
  if (nofileShort || looksInfinite) {
    traps.push({
      id: 'limitnofile-infinity',
      message:
        (looksInfinite ? `pid ${figures.target.pid}'s hard limit equals fs.nr_open, the mark of LimitNOFILE=infinity. ` : '') +
        `systemd's LimitNOFILE=infinity does not mean unlimited: it becomes fs.nr_open (${figures.host.nrOpen} here), and programs that size tables by the limit ` +
        'or close every possible fd at start-up get slow and memory-hungry. Give the number you need',
    })
  }
  if (nofileShort) {
    traps.push(
      {
        id: 'bash-ulimit-n',
        message: "bash's `ulimit -n N` sets the soft AND the hard limit: a non-root shell can then never raise it again. Use `ulimit -Sn N` for the soft limit only",
      },
    )
  }
  if (status('nofile-soft') === 'warn') {
    traps.push({
      id: 'runtime-raises-soft',
      message:
        `Node.js and Go (1.19+) raise their own soft limit to the hard limit (${formatLimit(figures.limits.nofile.hard)}) at start-up, and so does everything they launch, ` +
        'npx and npm included: that is why uringctl reports the invoking shell, not itself',
    })
  }
  return traps
}
