// Host-wide zcrx checks: does the kernel have zcrx, may this process use io_uring, and does it hold
// CAP_NET_ADMIN in the initial user namespace. Each is `uringctl probe`'s own reading, in check form.
import {release} from 'node:os'

import {type Availability, checkAvailability, checkZcrx, type ZcrxSupport} from '../probe/index.js'
import type {CheckStatus, ReadinessCheck} from './readiness.js'

export interface HostFacts {
  kernel: string
  /** `uringctl probe`'s io_uring verdict for this process. */
  availability: Availability
  /** `uringctl probe`'s zcrx register test, with this process's privilege. */
  zcrx: ZcrxSupport
}

export function gatherHostFacts(): HostFacts {
  return {kernel: release(), availability: checkAvailability(), zcrx: checkZcrx()}
}

export function hostChecks(f: HostFacts): ReadinessCheck[] {
  return [kernelCheck(f), ioUringCheck(f.availability), capabilityCheck(f.zcrx)]
}

const statusOf = (holds: boolean | null): CheckStatus => (holds === null ? 'unknown' : holds ? 'pass' : 'fail')

function kernelCheck({kernel, zcrx}: HostFacts): ReadinessCheck {
  return {
    id: 'kernel-zcrx',
    title: 'kernel has io_uring zcrx',
    status: statusOf(zcrx.kernelHas),
    evidence: `kernel ${kernel}: ${zcrx.detail}`,
    // When the kernel has zcrx, what is left to fix is privilege: the cap-net-admin check's fix.
    fix: zcrx.kernelHas === true ? null : zcrx.fix,
  }
}

function ioUringCheck(a: Availability): ReadinessCheck {
  return {
    id: 'io-uring-allowed',
    title: 'io_uring allowed for this process',
    // An errno probe cannot explain may not be a refusal at all.
    status: a.available ? 'pass' : a.verdict === 'unknown-errno' ? 'unknown' : 'fail',
    evidence: `${a.summary} (uringctl probe: ${a.verdict})`,
    fix: a.fix,
  }
}

function capabilityCheck(zcrx: ZcrxSupport): ReadinessCheck {
  const {privilege} = zcrx
  return {
    id: 'cap-net-admin',
    title: 'CAP_NET_ADMIN in the initial user namespace',
    status: statusOf(privilege.sufficient),
    evidence: privilege.detail,
    fix: privilege.fix,
  }
}
