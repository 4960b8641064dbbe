// Every IORING_SETUP_* flag tried on its own, with the flags it cannot be used without.
import {bitOf, type Catalog} from './catalog.js'
import {hex, unknownName} from './decode.js'
import {errno, errnoName} from '../base/errno.js'
import type {SetupTrial} from './native.js'

/**
 * Flags a setup flag is only valid together with (the kernel returns EINVAL for it alone). Resources
 * a flag needs (CQSIZE's cq_entries, ATTACH_WQ's first ring, NO_MMAP's memory, SQ_AFF's CPU) are
 * supplied by the native trial itself (native/probe/setup_trial.cc).
 */
export const setupPrerequisites: Record<string, {with: string[]; why: string}> = {
  IORING_SETUP_SQ_AFF: {with: ['IORING_SETUP_SQPOLL'], why: 'it pins the SQPOLL thread'},
  IORING_SETUP_TASKRUN_FLAG: {with: ['IORING_SETUP_COOP_TASKRUN'], why: 'it flags pending cooperative task work'},
  IORING_SETUP_DEFER_TASKRUN: {with: ['IORING_SETUP_SINGLE_ISSUER'], why: 'deferred task work runs in the one issuing task'},
  IORING_SETUP_REGISTERED_FD_ONLY: {with: ['IORING_SETUP_NO_MMAP'], why: 'a ring without an fd cannot be mmap()ed'},
  IORING_SETUP_HYBRID_IOPOLL: {with: ['IORING_SETUP_IOPOLL'], why: 'it tunes IOPOLL'},
  IORING_SETUP_SQ_REWIND: {with: ['IORING_SETUP_NO_SQARRAY'], why: 'it rewinds the SQ without an index array'},
}

export type SetupStatus = 'supported' | 'unsupported' | 'not-permitted' | 'no-resources' | 'error' | 'untested'

export interface SetupFlagResult {
  name: string
  bit: number
  value: string
  since: string | null
  status: SetupStatus
  errno: number | null
  errnoName: string | null
  /** Other flags set for the test (prerequisites). */
  testedWith: string[]
  /** The bit is in IORING_REGISTER_QUERY's ring_setup_flags; null without the query. */
  knownToKernel: boolean | null
  note: string | null
}

const resourceErrnos = new Set([errno.ENOMEM, errno.EMFILE, errno.ENFILE, errno.EAGAIN, errno.ENOBUFS, errno.EBUSY])

export function classifySetupTrial(trial: SetupTrial): {status: SetupStatus; note: string | null} {
  if (trial.resource) {
    return {status: 'no-resources', note: `the test could not get ${trial.resource}: ${errnoName(trial.resourceErrno)}`}
  }
  if (trial.errno === 0) return {status: 'supported', note: null}
  if (trial.errno === errno.EINVAL) return {status: 'unsupported', note: null}
  if (trial.errno === errno.EPERM || trial.errno === errno.EACCES) {
    return {status: 'not-permitted', note: 'refused under the current privileges'}
  }
  if (resourceErrnos.has(trial.errno)) {
    return {status: 'no-resources', note: 'the kernel may accept the flag, but the test ring could not get its resources'}
  }
  return {status: 'error', note: null}
}

interface SetupFlagInput {
  catalog: Catalog
  /** Runs one trial; null when io_uring_setup is unusable (every flag is then untested). */
  trial: ((flags: number) => SetupTrial) | null
  /** ring_setup_flags from IORING_REGISTER_QUERY, when the kernel has it. */
  queried: bigint | null
}

/** The catalog's setup flags, then unknown bits the kernel accepts or reports in its query. */
export function testSetupFlags({catalog, trial, queried}: SetupFlagInput): SetupFlagResult[] {
  const entries = catalog.ofKind('setup')
  const known = new Map(entries.map((e) => [bitOf(e.value), e]))
  const results: SetupFlagResult[] = []
  for (let bit = 0; bit < 32; bit++) {
    const entry = known.get(bit)
    const name = entry?.name ?? unknownName(bit)
    const testedWith = setupPrerequisites[name]?.with ?? []
    const flags = (testedWith.reduce((word, n) => word | catalog.named(n).value, 0) | (1 << bit)) >>> 0
    const knownToKernel = queried === null ? null : ((queried >> BigInt(bit)) & 1n) === 1n
    const outcome = trial ? trial(flags) : null
    const {status, note} = outcome ? classifySetupTrial(outcome) : {status: 'untested' as const, note: 'io_uring_setup is unusable here'}
    if (!entry && status !== 'supported' && knownToKernel !== true) continue
    const failed = outcome && !outcome.resource && outcome.errno !== 0 ? outcome.errno : null
    results.push({
      name,
      bit,
      value: hex(2 ** bit),
      since: entry?.since ?? null,
      status,
      errno: failed,
      errnoName: failed === null ? null : errnoName(failed),
      testedWith,
      knownToKernel,
      note,
    })
  }
  for (const result of results) {
    if (result.status !== 'unsupported') continue
    const missing = result.testedWith.filter((n) => results.find((r) => r.name === n)?.status !== 'supported')
    if (missing.length > 0) result.note = `needs ${missing.join(', ')}, which this kernel does not accept either`
  }
  return results
}
