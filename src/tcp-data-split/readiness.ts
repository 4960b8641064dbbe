// The shape of one zero-copy receive readiness check, shared by the host and per-interface checks.

export type CheckStatus = 'pass' | 'fail' | 'unknown'

export type CheckId =
  | 'kernel-zcrx'
  | 'io-uring-allowed'
  | 'cap-net-admin'
  | 'real-device'
  | 'driver-queue-api'
  | 'tcp-data-split'
  | 'hds-threshold'
  | 'rx-queues'
  | 'no-xdp'
  | 'queue-free'

export interface ReadinessCheck {
  id: CheckId
  /** What is being checked, in a few words. */
  title: string
  status: CheckStatus
  /** What we saw that decided the status. */
  evidence: string
  /** The command (or step) that would make a failing check pass; null when passing or when none exists. */
  fix: string | null
}

/** Checks that fail for lack of privilege rather than for lack of hardware or configuration. */
export const permissionChecks: readonly CheckId[] = ['io-uring-allowed', 'cap-net-admin']
