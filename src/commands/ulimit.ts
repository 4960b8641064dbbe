import {Flags} from '@oclif/core'

import {BaseCommand, describeWithExitCodes} from '../base/command.js'
import {usageError} from '../base/errors.js'
import {wholeFlag} from '../base/flags.js'
import {maxPid, UlimitExit, ulimitExitCodes} from '../limits/errors.js'
import {renderUlimit, shortfallLine, ulimitJson} from '../limits/render.js'
import {requirableFigures} from '../limits/require.js'
import {ulimit} from '../limits/ulimit.js'

export default class Ulimit extends BaseCommand {
  static override summary = 'Report, plan, check or change the limits that decide how many connections a process can hold'

  static override description = describeWithExitCodes(
    `Reports the open files, locked memory and process limits of the invoking shell (the nearest ancestor that is not a wrapper such as npx, npm exec, the sh -c npm spawns, or env, since those carry Node's raised soft limit), of any --pid, or of uringctl itself (--self), with the open fds of that process and the host-wide ceilings: fs.nr_open, fs.file-max, fs.file-nr, net.core.somaxconn, net.ipv4.tcp_max_syn_backlog, net.ipv4.ip_local_port_range and net.ipv4.tcp_mem/tcp_rmem/tcp_wmem.

--connections N plans for holding N connections (--role server or client): pass/warn/fail per limit, with the exact fix for each short one (prlimit, systemd LimitNOFILE= drop-in, /etc/security/limits.conf, sysctl).

--require NAME OP VALUE (OP: >= > <= < =; VALUE: a number with optional K/M/G/T, or unlimited; several separated by commas or by repeating the flag) checks for scripts. Names: ${Object.keys(requirableFigures).join(', ')}.

--nofile SOFT:HARD (or SOFT:, :HARD, VALUE, with unlimited allowed) changes a running process's open-files limit through prlimit(2) and prints it before and after; a refused change leaves it as it was. A soft limit of 0 or below the fds the process has open is refused unless --force: the process could open nothing more, and a lowered hard limit cannot be raised back without CAP_SYS_RESOURCE.`,
    ulimitExitCodes,
  )

  static override examples = [
    {description: 'The limits of the shell you typed this in', command: '<%= config.bin %> ulimit'},
    {description: 'Can this shell start a server for 100000 connections?', command: '<%= config.bin %> ulimit --connections 100000'},
    {description: 'A load generator opening 50000 connections to one address', command: '<%= config.bin %> ulimit --connections 50000 --role client'},
    {description: 'In a script: fail unless the limits are high enough', command: "<%= config.bin %> ulimit --require 'nofile>=65536,net.core.somaxconn>=4096'"},
    {description: "Raise a running server's soft limit, keeping its hard limit", command: '<%= config.bin %> ulimit --pid 1234 --nofile 65536:'},
  ]

  static override flags = {
    pid: wholeFlag({min: 1, max: maxPid})({description: 'report (or change) this process instead of the invoking shell'}),
    self: Flags.boolean({description: "report uringctl's own process (Node has raised its soft limit)"}),
    connections: wholeFlag({min: 1, max: 1_000_000_000})({description: 'plan for holding this many connections (at most 1000000000)'}),
    role: Flags.option({options: ['server', 'client'] as const, description: 'what holds the connections [default: server]'})(),
    require: Flags.string({description: 'NAME OP VALUE check, e.g. nofile>=65536 (repeatable, comma-separated)', multiple: true}),
    nofile: Flags.string({description: 'set the open-files limit: SOFT:HARD, SOFT:, :HARD, VALUE or unlimited; each a whole number with optional K/M/G (powers of 1024, as in --require), e.g. 64K:1M', exclusive: ['connections', 'require']}),
    force: Flags.boolean({description: 'with --nofile: set a soft limit of 0 or below the fds the process has open (refused otherwise)', dependsOn: ['nofile']}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Ulimit)
    if (flags.pid !== undefined && flags.self) throw usageError('--pid and --self both choose the process to report: give one of them.')
    if (flags.role && flags.connections === undefined) throw usageError('--role says what holds the --connections N: give --connections too.')
    const result = ulimit({
      target: {pid: flags.pid, self: flags.self},
      connections: flags.connections,
      role: flags.role,
      require: flags.require,
      nofile: flags.nofile,
      force: flags.force,
    })
    if (!this.jsonEnabled()) this.log(renderUlimit(result))
    if (result.kind === 'report') {
      const shortfall = result.requirements ? shortfallLine(result.requirements) : null
      if (shortfall) {
        this.note(`Error: ${shortfall}`)
        this.setExitCode(UlimitExit.requirementsNotMet)
      } else if (result.plan?.status === 'fail') {
        this.note(`Error: the plan for ${result.plan.connections} connections fails: ${result.plan.checks.filter((c) => c.status === 'fail').map((c) => c.id).join(', ')} (fixes above)`)
        this.setExitCode(UlimitExit.planFails)
      }
    }
    return ulimitJson(result)
  }
}
