// `uringctl probe`: everything this kernel's io_uring can do for this process, as one result object.
import {machine, release} from 'node:os'

import type {ExitCodeDoc} from '../base/command.js'
import {type Availability, checkAvailability, type Verdict, verdictExitCodes, verdictMeanings} from './availability.js'
import {deriveCapabilities, type CapabilityResult, type Source} from './capabilities.js'
import {loadCatalog} from './catalog.js'
import {
  type BitItem,
  decodeBits,
  decodeOpcodes,
  decodeRegisterOpcodes,
  hex,
  type OpcodeItem,
  type RegisterOpcodeItem,
} from './decode.js'
import {errno, errnoName} from '../base/errno.js'
import {probeNative, type QueryOutcome} from './native.js'
import {checkRequirements, type RequireResult} from './require.js'
import {type SetupFlagResult, testSetupFlags} from './setup-flags.js'
import {checkZcrx, type ZcrxSupport} from './zcrx.js'

export const requireMissingExitCode = 8

export const probeExitCodes: ExitCodeDoc[] = [
  ...(Object.entries(verdictExitCodes) as [Verdict, number][])
    .filter(([, code]) => code !== 0)
    .map(([verdict, code]) => ({code, meaning: `${verdict}: ${verdictMeanings[verdict]}`})),
  {code: requireMissingExitCode, meaning: 'io_uring is available but a capability named in --require is missing'},
]

export interface QueryReport {
  /** IORING_REGISTER_QUERY answered (6.18+). */
  available: boolean
  errno: number | null
  errnoName: string | null
  nrRequestOpcodes: number | null
  nrRegisterOpcodes: number | null
  featureFlags: string | null
  ringSetupFlags: string | null
  enterFlags: string | null
  sqeFlags: string | null
  nrQueryOpcodes: number | null
}

export interface BitSection {
  source: Source | null
  /** The whole word in hex; null when nothing reported it. */
  word: string | null
  bits: BitItem[]
}

export interface ProbeReport {
  schemaVersion: 1
  kernel: {release: string; machine: string}
  availability: Availability
  query: QueryReport
  features: BitSection
  setupFlags: {source: Source | null; items: SetupFlagResult[]}
  opcodes: {source: Source | null; lastOp: number | null; supported: number | null; items: OpcodeItem[]}
  registerOpcodes: {source: Source | null; count: number | null; items: RegisterOpcodeItem[]}
  enterFlags: BitSection
  sqeFlags: BitSection
  zcrx: ZcrxSupport | null
  functional: boolean
  capabilities: CapabilityResult[]
  require: RequireResult | null
}

export interface ProbeOptions {
  functional: boolean
  require: string[] | null
}

/** How `uringctl probe` exits for a report: the verdict's code, else 8 for an unmet --require. */
export function probeExitCode(report: ProbeReport): number {
  if (!report.availability.available) return report.availability.exitCode
  return report.require && !report.require.satisfied ? requireMissingExitCode : 0
}

function queryReport(q: QueryOutcome): QueryReport {
  const ok = q.errno === 0 && q.result === 0
  const code = q.errno || -q.result || null
  return {
    available: ok,
    errno: code,
    errnoName: code === null ? null : errnoName(code),
    nrRequestOpcodes: ok ? q.nrRequestOpcodes : null,
    nrRegisterOpcodes: ok ? q.nrRegisterOpcodes : null,
    featureFlags: ok ? hex(q.featureFlags) : null,
    ringSetupFlags: ok ? hex(q.ringSetupFlags) : null,
    enterFlags: ok ? hex(q.enterFlags) : null,
    sqeFlags: ok ? hex(q.sqeFlags) : null,
    nrQueryOpcodes: ok ? q.nrQueryOpcodes : null,
  }
}

export function runProbe(options: ProbeOptions): ProbeReport {
  const catalog = loadCatalog()
  const native = probeNative()
  const availability = checkAvailability()
  const usable = availability.available
  const rawQuery = native.probeQuery()
  const query = queryReport(rawQuery)
  const queried = query.available ? rawQuery : null

  const bitSection = (word: bigint | number | null, kind: Parameters<typeof decodeBits>[1], source: Source | null): BitSection =>
    word === null ? {source: null, word: null, bits: []} : {source, word: hex(word), bits: decodeBits(word, kind, catalog)}

  const features = usable
    ? bitSection(availability.features, 'feat', 'setup-test')
    : bitSection(queried?.featureFlags ?? null, 'feat', 'query')

  let opcodes: ProbeReport['opcodes'] = {source: null, lastOp: null, supported: null, items: []}
  const opcodeProbe = usable ? native.probeOpcodes() : null
  if (opcodeProbe && opcodeProbe.errno === 0) {
    const items = decodeOpcodes(opcodeProbe.flags.length, opcodeProbe.flags, catalog)
    opcodes = {source: 'probe', lastOp: opcodeProbe.lastOp, supported: items.filter((o) => o.supported).length, items}
  } else if (queried) {
    const items = decodeOpcodes(queried.nrRequestOpcodes, null, catalog)
    opcodes = {source: 'query', lastOp: queried.nrRequestOpcodes - 1, supported: null, items}
  }

  let registerOpcodes: ProbeReport['registerOpcodes'] = {source: null, count: null, items: []}
  if (queried) {
    registerOpcodes = {source: 'query', count: queried.nrRegisterOpcodes, items: decodeRegisterOpcodes(queried.nrRegisterOpcodes, catalog)}
  } else if (usable) {
    const test = native.probeRegisterOpcodes(64)
    // Only EINVAL means "beyond IORING_REGISTER_LAST"; anything else (a filter, a limit) leaves it unknown.
    if (test.errno === 0 && test.errors.every((e) => e === 0 || e === errno.EINVAL)) {
      const first = test.errors.indexOf(errno.EINVAL)
      const count = first === -1 ? test.errors.length : first
      registerOpcodes = {source: 'register-test', count, items: decodeRegisterOpcodes(count, catalog)}
    }
  }

  const setupItems = testSetupFlags({
    catalog,
    trial: usable ? (flags) => native.probeSetup(flags) : null,
    queried: queried?.ringSetupFlags ?? null,
  })
  const setupFlags = {source: usable ? ('setup-test' as const) : queried ? ('query' as const) : null, items: setupItems}
  const zcrx = usable ? checkZcrx() : null

  const capabilities = deriveCapabilities(
    {available: usable, verdict: availability.verdict, opcodes, features, setupFlags: setupItems, registerOpcodes, zcrx},
    catalog,
    options.functional ? (test) => native.probeFunctional(test) : null,
  )

  return {
    schemaVersion: 1,
    kernel: {release: release(), machine: machine()},
    availability,
    query,
    features,
    setupFlags,
    opcodes,
    registerOpcodes,
    enterFlags: bitSection(queried?.enterFlags ?? null, 'enter', 'query'),
    sqeFlags: bitSection(queried?.sqeFlags ?? null, 'sqe_flag', 'query'),
    zcrx,
    functional: Boolean(options.functional),
    capabilities,
    require: options.require ? checkRequirements(options.require, capabilities) : null,
  }
}
