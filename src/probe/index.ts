// What other commands use from the probe: availability verdicts (e.g. `echo serve` explaining why
// io_uring is unusable), the zcrx check (`tcp-data-split check`) and the whole probe.
export {type Availability, checkAvailability, decideVerdict, type Verdict, verdictExitCodes, verdictMeanings} from './availability.js'
export {capabilityIds} from './capabilities.js'
export {probeExitCode, type ProbeReport, runProbe} from './probe.js'
export {checkZcrx, type ZcrxSupport} from './zcrx.js'
