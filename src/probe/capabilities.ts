// The capabilities operators ask about, as data: what each is derived from, and which functional
// test confirms it. A capability's first kernel version is the newest of its needs in the catalog.
import {type Catalog, compareVersions} from './catalog.js'
import type {BitItem, OpcodeItem, RegisterOpcodeItem} from './decode.js'
import {errnoName} from '../base/errno.js'
import type {FunctionalOutcome} from './native.js'
import type {SetupFlagResult} from './setup-flags.js'
import type {ZcrxSupport} from './zcrx.js'

export type Source = 'probe' | 'query' | 'setup-test' | 'register-test' | 'functional-test'

export interface Need {
  /** op: IORING_REGISTER_PROBE says supported; feat: bit set in io_uring_params.features; setup: the
   *  setup test accepts the flag; register: the kernel knows the register opcode; zcrx-register: the
   *  zcrx register test says usable. */
  kind: 'op' | 'feat' | 'setup' | 'register' | 'zcrx-register'
  /** Catalog name; its version is part of the capability's `since`. */
  name: string
  /** Why this need is here, when it is a version marker rather than the feature itself. */
  why?: string
}

export interface CapabilityDefinition {
  id: string
  title: string
  needs: Need[]
  /** The native functional test (native/probe/functional.cc); null when loopback cannot show it. */
  functionalTest: string | null
  note?: string
  /** Appended to the detail when present: what the kernel alone cannot promise. */
  caveat?: string
}

export const capabilityDefinitions: CapabilityDefinition[] = [
  {
    id: 'multishot-accept',
    title: 'multishot accept (IORING_ACCEPT_MULTISHOT)',
    needs: [
      {kind: 'op', name: 'IORING_OP_ACCEPT'},
      {kind: 'op', name: 'IORING_OP_SOCKET', why: 'marks 5.19, the release that added IORING_ACCEPT_MULTISHOT'},
    ],
    functionalTest: 'multishot-accept',
  },
  {
    id: 'multishot-recv',
    title: 'multishot recv (IORING_RECV_MULTISHOT)',
    needs: [
      {kind: 'op', name: 'IORING_OP_RECV'},
      {kind: 'register', name: 'IORING_REGISTER_PBUF_RING', why: 'multishot recv takes ring-provided buffers'},
      {kind: 'op', name: 'IORING_OP_SEND_ZC', why: 'marks 6.0, the release that added IORING_RECV_MULTISHOT'},
    ],
    functionalTest: 'multishot-recv',
  },
  {
    id: 'buffer-rings',
    title: 'provided buffer rings (IORING_REGISTER_PBUF_RING)',
    needs: [{kind: 'register', name: 'IORING_REGISTER_PBUF_RING'}],
    functionalTest: 'buffer-ring',
  },
  {
    id: 'recv-bundle',
    title: 'recv bundles (IORING_RECVSEND_BUNDLE)',
    needs: [
      {kind: 'feat', name: 'IORING_FEAT_RECVSEND_BUNDLE'},
      {kind: 'op', name: 'IORING_OP_RECV'},
      {kind: 'register', name: 'IORING_REGISTER_PBUF_RING'},
    ],
    functionalTest: 'recv-bundle',
  },
  {
    id: 'send-bundle',
    title: 'send bundles (IORING_RECVSEND_BUNDLE)',
    needs: [
      {kind: 'feat', name: 'IORING_FEAT_RECVSEND_BUNDLE'},
      {kind: 'op', name: 'IORING_OP_SEND'},
      {kind: 'register', name: 'IORING_REGISTER_PBUF_RING'},
    ],
    functionalTest: 'send-bundle',
  },
  {
    id: 'send-zc',
    title: 'zero-copy send (IORING_OP_SEND_ZC)',
    needs: [{kind: 'op', name: 'IORING_OP_SEND_ZC'}],
    functionalTest: 'send-zc',
  },
  {
    id: 'sqpoll',
    title: 'kernel submission thread (IORING_SETUP_SQPOLL)',
    needs: [{kind: 'setup', name: 'IORING_SETUP_SQPOLL'}],
    functionalTest: 'sqpoll',
    note: 'tested under the current privileges: unprivileged since 5.13, CAP_SYS_NICE from 5.11, CAP_SYS_ADMIN before',
  },
  {
    id: 'defer-taskrun',
    title: 'deferred task work (IORING_SETUP_DEFER_TASKRUN)',
    needs: [{kind: 'setup', name: 'IORING_SETUP_DEFER_TASKRUN'}],
    functionalTest: 'defer-taskrun',
  },
  {
    id: 'registered-ring-fd',
    title: 'registered ring fd (IORING_REGISTER_RING_FDS)',
    needs: [{kind: 'register', name: 'IORING_REGISTER_RING_FDS'}],
    functionalTest: 'registered-ring-fd',
  },
  {
    id: 'fixed-files',
    title: 'fixed files (IORING_REGISTER_FILES)',
    needs: [{kind: 'register', name: 'IORING_REGISTER_FILES'}],
    functionalTest: 'fixed-files',
  },
  {
    id: 'linked-timeout',
    title: 'linked timeouts (IORING_OP_LINK_TIMEOUT)',
    needs: [{kind: 'op', name: 'IORING_OP_LINK_TIMEOUT'}],
    functionalTest: 'linked-timeout',
  },
  {
    id: 'zcrx',
    title: 'zero-copy receive (IORING_REGISTER_ZCRX_IFQ)',
    needs: [
      {kind: 'op', name: 'IORING_OP_RECV_ZC'},
      {kind: 'zcrx-register', name: 'IORING_REGISTER_ZCRX_IFQ'},
    ],
    functionalTest: null,
    note: 'also needs a NIC with TCP header/data split and a free RX queue, which loopback is not: see uringctl tcp-data-split check',
    caveat: 'needs a capable NIC too: uringctl tcp-data-split check',
  },
]

export const capabilityIds = capabilityDefinitions.map((c) => c.id)

/** The newest catalog version among a capability's needs: the first kernel that has all of them. */
export function capabilitySince(definition: CapabilityDefinition, catalog: Catalog): string {
  return definition.needs.map((n) => catalog.named(n.name).since).sort(compareVersions).at(-1) ?? '5.1'
}

export interface NeedResult extends Omit<Need, 'why'> {
  why: string | null
  /** Holds for this process; null: the probe could not tell (e.g. io_uring_setup refused, no query). */
  holds: boolean | null
  /** Holds in the kernel, whatever this process may do (a flag refused with EPERM is still there). */
  kernelHolds: boolean | null
  source: Source | null
}

export interface FunctionalResult {
  ran: boolean
  ok: boolean | null
  errno: number | null
  errnoName: string | null
  detail: string
}

export interface CapabilityResult {
  id: string
  title: string
  since: string
  /** Usable by this process: io_uring available, every need holds and, with --functional, the test passed. */
  present: boolean
  /** Every need holds in the kernel, whether or not this process may use io_uring; null if unknown. */
  kernelHas: boolean | null
  sources: Source[]
  /** One line: what shows it, or what is missing. */
  detail: string
  needs: NeedResult[]
  functional: FunctionalResult | null
  note: string | null
}

export interface ProbeFacts {
  available: boolean
  /** Shown when io_uring is unusable, e.g. "disabled-by-sysctl". */
  verdict: string
  opcodes: {source: Source | null; items: OpcodeItem[]}
  features: {source: Source | null; bits: BitItem[]}
  setupFlags: SetupFlagResult[]
  registerOpcodes: {source: Source | null; items: RegisterOpcodeItem[]}
  zcrx: ZcrxSupport | null
}

function evaluateNeed(need: Need, facts: ProbeFacts): NeedResult {
  const result = (holds: boolean | null, source: Source | null, kernelHolds = holds): NeedResult =>
    ({...need, why: need.why ?? null, holds, kernelHolds, source})
  switch (need.kind) {
    case 'op': {
      const item = facts.opcodes.items.find((o) => o.name === need.name)
      return result(facts.opcodes.source === null ? null : item ? (item.supported ?? item.known) : false, facts.opcodes.source)
    }
    case 'feat': {
      const bit = facts.features.bits.find((b) => b.name === need.name)
      return result(facts.features.source === null ? null : Boolean(bit?.set), facts.features.source)
    }
    case 'setup': {
      const flag = facts.setupFlags.find((f) => f.name === need.name)
      if (!flag || flag.status === 'untested') return result(flag?.knownToKernel ?? null, flag?.knownToKernel == null ? null : 'query')
      const refusedHere = flag.status === 'not-permitted' || flag.status === 'no-resources'
      return result(flag.status === 'supported', 'setup-test', flag.status === 'supported' || (refusedHere ? flag.knownToKernel ?? true : false))
    }
    case 'register': {
      const item = facts.registerOpcodes.items.find((r) => r.name === need.name)
      return result(item?.known ?? null, facts.registerOpcodes.source)
    }
    case 'zcrx-register':
      return result(facts.zcrx?.usable ?? null, facts.zcrx ? 'register-test' : null, facts.zcrx?.kernelHas ?? null)
  }
}

function describeMissing(need: NeedResult, facts: ProbeFacts): string {
  if (need.kind === 'zcrx-register' && facts.zcrx) return facts.zcrx.detail
  if (need.kind === 'setup') {
    const flag = facts.setupFlags.find((f) => f.name === need.name)
    if (flag) return `${need.name}: ${flag.status}${flag.errnoName ? ` (${flag.errnoName})` : ''}`
  }
  if (need.holds === null) return `${need.name}: could not be determined`
  const what = {op: 'not supported', feat: 'not set', setup: 'not accepted', register: 'unknown to this kernel', 'zcrx-register': ''}
  return `${need.name} ${what[need.kind]}${need.why ? ` (${need.why})` : ''}`
}

function describePresent(need: NeedResult, facts: ProbeFacts): string {
  if (need.kind === 'zcrx-register' && facts.zcrx) return facts.zcrx.detail
  const short = need.name.replace(/^IORING_/, '')
  const what = {op: 'supported', feat: 'set', setup: 'accepted', register: 'known', 'zcrx-register': 'usable'}
  return `${short} ${what[need.kind]}`
}

export type FunctionalRunner = (test: string) => FunctionalOutcome

/** Derives every capability from the facts; runs the functional tests when `runFunctional` is given. */
export function deriveCapabilities(facts: ProbeFacts, catalog: Catalog, runFunctional: FunctionalRunner | null): CapabilityResult[] {
  return capabilityDefinitions.map((definition) => {
    const needs = definition.needs.map((need) => evaluateNeed(need, facts))
    const kernelHas = needs.some((n) => n.kernelHolds === false) ? false : needs.every((n) => n.kernelHolds === true) ? true : null
    const sources = [...new Set(needs.map((n) => n.source).filter((s): s is Source => s !== null))]
    const missing = needs.find((n) => n.holds !== true)
    let present = facts.available && needs.every((n) => n.holds === true)
    let detail = !facts.available
      ? `io_uring is unusable here (${facts.verdict})${kernelHas ? '; the kernel has it' : ''}`
      : missing
        ? describeMissing(missing, facts)
        : needs.map((n) => describePresent(n, facts)).join('; ') + (definition.caveat ? `; ${definition.caveat}` : '')
    let functional: FunctionalResult | null = null
    if (runFunctional) {
      if (!definition.functionalTest) {
        functional = {ran: false, ok: null, errno: null, errnoName: null, detail: `not run: ${definition.note ?? 'no loopback test'}`}
      } else if (!present) {
        functional = {ran: false, ok: null, errno: null, errnoName: null, detail: 'not run: not present'}
      } else {
        const outcome = runFunctional(definition.functionalTest)
        const code = outcome.errno || null
        functional = {ran: outcome.ran, ok: outcome.ok, errno: code, errnoName: code === null ? null : errnoName(code), detail: outcome.detail}
        present = outcome.ok
        detail = outcome.ok ? outcome.detail : `functional test failed: ${outcome.detail}${code ? ` (${errnoName(code)})` : ''}`
        sources.push('functional-test')
      }
    }
    return {
      id: definition.id,
      title: definition.title,
      since: capabilitySince(definition, catalog),
      present,
      kernelHas,
      sources,
      detail,
      needs,
      functional,
      note: definition.note ?? null,
    }
  })
}
