import {Flags} from '@oclif/core'

import {BaseCommand, describeWithExitCodes} from '../base/command.js'
import {usageError} from '../base/errors.js'
import {quoteInput} from '../base/quote.js'
import {startProgress} from '../output/spinner.js'
import {capabilityIds} from '../probe/capabilities.js'
import {probeExitCode, probeExitCodes, type ProbeReport, runProbe} from '../probe/probe.js'
import {renderProbe} from '../probe/render.js'
import {parseRequireList} from '../probe/require.js'

export default class Probe extends BaseCommand {
  static override summary = "Report what this kernel's io_uring can do for this process, and why not when it can't"

  static override description = describeWithExitCodes(
    'Tries io_uring_setup and explains a refusal (kernel.io_uring_disabled, seccomp, missing CONFIG_IO_URING, ' +
      'RLIMIT_MEMLOCK) with a one-line fix; decodes the features word; tries every IORING_SETUP_* flag with its ' +
      'prerequisites; lists every opcode (IORING_REGISTER_PROBE), register opcode and IORING_REGISTER_QUERY answer; ' +
      'derives the capabilities servers ask about, each with its first kernel version and the source of the ' +
      `answer. --functional runs each capability once on a loopback TCP pair.\n\nCapabilities: ${capabilityIds.join(', ')}.`,
    probeExitCodes,
  )

  static override examples = [
    {description: 'Everything, as tables', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Confirm each capability by running it once', command: '<%= config.bin %> <%= command.id %> --functional'},
    {description: 'Gate a deployment script', command: '<%= config.bin %> <%= command.id %> --require multishot-recv,send-zc,buffer-rings'},
    {description: 'Shell variables for a build script', command: 'eval "$(<%= config.bin %> <%= command.id %> --format env)"'},
    {description: 'A C header of #defines', command: '<%= config.bin %> <%= command.id %> --format c --prefix MYAPP_URING_ > uring_features.h'},
  ]

  static override flags = {
    functional: Flags.boolean({description: 'confirm each capability by running it once on a loopback TCP pair', default: false}),
    require: Flags.string({description: 'comma-separated capabilities that must be present (exit 8 lists the missing ones)'}),
    format: Flags.string({description: 'output format (ignored with --json)', options: ['table', 'env', 'c'], default: 'table'}),
    prefix: Flags.string({description: 'prefix of --format env/c names', default: 'URING_'}),
  }

  async run(): Promise<ProbeReport> {
    const {flags} = await this.parse(Probe)
    const require = flags.require === undefined ? null : parseRequireList(flags.require)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.prefix)) {
      throw usageError(`--prefix ${quoteInput(flags.prefix, {always: true})} is not a C identifier prefix: use letters, digits and _`)
    }
    const progress = startProgress(flags.functional ? 'probing io_uring and running functional tests' : 'probing io_uring', this.jsonEnabled())
    const report = runProbe({functional: flags.functional, require})
    progress.stop()
    if (!this.jsonEnabled()) this.log(renderProbe(report, flags.format as 'table' | 'env' | 'c', flags.prefix))
    if (report.require && !report.require.satisfied) this.note(`missing required capabilities: ${report.require.missing.join(', ')}`)
    this.setExitCode(probeExitCode(report))
    return report
  }
}
