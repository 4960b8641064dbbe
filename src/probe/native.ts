// The probe's part of the native addon (native/addon.cc, probe section; C++ in native/probe/).
import {addon} from '../native/addon.js'

export interface SetupTrial {
  errno: number
  features: number
  sqEntries: number
  cqEntries: number
  resource: string | null
  resourceErrno: number
}

export interface OpcodeProbe {
  errno: number
  lastOp: number
  flags: number[]
}

export interface RegisterOpcodeProbe {
  errno: number
  errors: number[]
}

export interface QueryOutcome {
  errno: number
  result: number
  nrRequestOpcodes: number
  nrRegisterOpcodes: number
  featureFlags: bigint
  ringSetupFlags: bigint
  enterFlags: bigint
  sqeFlags: bigint
  nrQueryOpcodes: number
}

/** The zcrx register test (native/zcrx/register_test.h), read by checkZcrx() for probe and tcp-data-split. */
export interface ZcrxRegisterTest {
  setupErrno: number
  registerErrno: number
}

export interface FunctionalOutcome {
  ran: boolean
  ok: boolean
  errno: number
  detail: string
}

export interface ProbeNative {
  probeSetup(flags: number): SetupTrial
  probeOpcodes(): OpcodeProbe
  probeRegisterOpcodes(limit: number): RegisterOpcodeProbe
  probeQuery(): QueryOutcome
  zcrxRegisterTest(): ZcrxRegisterTest
  probeFunctional(name: string): FunctionalOutcome
  probeFunctionalNames(): string[]
}

export const probeNative = (): ProbeNative => addon<ProbeNative>()
