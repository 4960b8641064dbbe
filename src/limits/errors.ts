// The exit codes `uringctl ulimit` adds to the shared ones, and the errors that carry them.
import type {ExitCodeDoc} from '../base/command.js'
import {UserError} from '../base/errors.js'

export const UlimitExit = {
  requirementsNotMet: 3,
  planFails: 4,
  noSuchProcess: 5,
  permissionDenied: 6,
  softAboveHard: 7,
  aboveNrOpen: 8,
  belowOpenFds: 9,
} as const

/** PID_MAX_LIMIT: no pid on Linux is larger (kernel/pid.c); a larger --pid is a usage error, not a missing process. */
export const maxPid = 4_194_304

export const ulimitExitCodes: ExitCodeDoc[] = [
  {code: UlimitExit.requirementsNotMet, meaning: 'a --require check is not met (each shortfall is listed)'},
  {code: UlimitExit.planFails, meaning: 'the --connections plan has a failing line (see its fixes)'},
  {code: UlimitExit.noSuchProcess, meaning: 'no such process (the pid never existed or has exited)'},
  {code: UlimitExit.permissionDenied, meaning: "--nofile refused: raising a hard limit needs root (CAP_SYS_RESOURCE), or the process is another user's"},
  {code: UlimitExit.softAboveHard, meaning: '--nofile refused: the soft limit would be above the hard limit'},
  {code: UlimitExit.aboveNrOpen, meaning: '--nofile refused: above fs.nr_open, the kernel ceiling for open files (unlimited included)'},
  {code: UlimitExit.belowOpenFds, meaning: '--nofile refused: the soft limit is 0 or below the fds the process has open (--force sets it anyway)'},
]

export function noSuchProcess(pid: number): UserError {
  return new UserError(`no process with pid ${pid} (it has exited, or never existed): check the pid with \`ps -p ${pid}\``, {
    code: 'NO_SUCH_PROCESS',
    exitCode: UlimitExit.noSuchProcess,
  })
}

export function permissionDenied(message: string): UserError {
  return new UserError(message, {code: 'PERMISSION_DENIED', exitCode: UlimitExit.permissionDenied})
}

export function softAboveHard(message: string): UserError {
  return new UserError(message, {code: 'SOFT_ABOVE_HARD', exitCode: UlimitExit.softAboveHard})
}

export function belowOpenFds(message: string): UserError {
  return new UserError(message, {code: 'BELOW_OPEN_FDS', exitCode: UlimitExit.belowOpenFds})
}

export function aboveNrOpen(message: string): UserError {
  return new UserError(message, {code: 'ABOVE_NR_OPEN', exitCode: UlimitExit.aboveNrOpen})
}
