// What other commands use from the probe: availability verdicts (e.g. `echo serve` explaining why
// io_uring is unusable; `tcp-data-split check`'s io-uring-allowed check), the zcrx check (its
// kernel-zcrx and cap-net-admin checks) and the whole probe.
export {type Availability, checkAvailability, decideVerdict, type Verdict, verdictExitCodes, verdictMeanings} from './availability.js'
export {capabilityIds} from './capabilities.js'
export {probeExitCode, type ProbeReport, runProbe} from './probe.js'
export {checkZcrx, type ZcrxPrivilege, type ZcrxSupport} from './zcrx.js'
