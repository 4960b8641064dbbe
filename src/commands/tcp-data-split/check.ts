import {Args, Flags} from '@oclif/core'

import {BaseCommand, describeWithExitCodes} from '../../base/command.js'
import {wholeFlag} from '../../base/flags.js'
import {type TcpDataSplitReport, checkTcpDataSplit, tcpDataSplitExitCodes, verdictExitCode} from '../../tcp-data-split/check.js'
import {renderInterfaces, renderSummary, renderZcrx} from '../../tcp-data-split/render.js'

export default class TcpDataSplitCheck extends BaseCommand {
  static override summary = 'Check TCP header/data split and io_uring zero-copy receive readiness, per interface'

  static override description = describeWithExitCodes(
    'Asks the kernel over ethtool netlink (ETHTOOL_MSG_RINGS_GET) whether each interface splits TCP headers from payload, '
      + 'exactly as the kernel reports it: on, off, not reported (what ethtool -g prints as "n/a"), or an unknown value; '
      + 'also the HDS threshold, ring sizes, and why a driver reports no ring parameters at all (EOPNOTSUPP). '
      + 'With no interface named, checks every interface in this network namespace.\n\n'
      + 'Every run also evaluates io_uring zero-copy receive (zcrx) readiness. --zcrx shows those checks (kernel support, '
      + 'io_uring allowed, CAP_NET_ADMIN, real NIC, driver, split on, HDS threshold 0, two RX queues, no XDP, target queue free) '
      + 'and makes the exit code depend on them. Read-only: nothing on the host is changed.',
    [
      {code: tcpDataSplitExitCodes.notSupported, meaning: 'an interface does not support TCP data split (with --zcrx: is not zcrx-ready)'},
      {code: tcpDataSplitExitCodes.noSuchInterface, meaning: 'no such interface (the message lists the ones that exist)'},
      {code: tcpDataSplitExitCodes.permission, meaning: 'the only obstacle is permission (not allowed to read, or no CAP_NET_ADMIN for zcrx)'},
    ],
  )

  static override examples = [
    {description: 'Every interface in this network namespace', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'One interface, as JSON', command: '<%= config.bin %> <%= command.id %> eth0 --json'},
    {description: 'Is eth1 ready for zero-copy receive on RX queue 3?', command: '<%= config.bin %> <%= command.id %> eth1 --zcrx --queue 3'},
  ]

  static override strict = false

  static override args = {
    interface: Args.string({description: 'interface name(s) to check (default: all in this network namespace)'}),
  }

  static override flags = {
    zcrx: Flags.boolean({description: 'show the zero-copy receive checks and exit 0 only when every interface is zcrx-ready'}),
    queue: wholeFlag({min: 0, max: 65535})({description: 'RX queue for the "queue has no memory provider" check (default: the highest RX queue)'}),
  }

  async run(): Promise<TcpDataSplitReport> {
    const {argv, flags} = await this.parse(TcpDataSplitCheck)
    const report = checkTcpDataSplit({interfaces: argv as string[], queue: flags.queue})
    if (!this.jsonEnabled()) {
      this.log(renderInterfaces(report))
      if (flags.zcrx) for (const i of report.interfaces) this.log(`\n${renderZcrx(i)}`)
      this.log(`\n${renderSummary(report, flags.zcrx)}`)
    }
    this.setExitCode(verdictExitCode(report, flags.zcrx))
    return report
  }
}
