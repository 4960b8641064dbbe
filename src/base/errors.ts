// Errors a user can cause and fix. They render as one line (no stack) with a documented exit code.
export class UserError extends Error {
  readonly exitCode: number
  readonly code: string

  constructor(message: string, options: {code: string; exitCode: number}) {
    super(message)
    this.name = 'UserError'
    this.exitCode = options.exitCode
    this.code = options.code
  }
}

/** Exit codes every command shares; command-specific codes start at 3. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  /** No native addon loads: no prebuilt binary fits and none was compiled at install time. */
  nativeMissing: 69,
} as const

export function usageError(message: string): UserError {
  return new UserError(message, {code: 'USAGE', exitCode: ExitCode.usage})
}
