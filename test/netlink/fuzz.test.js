import assert from 'node:assert/strict'
import {test} from 'node:test'

import {fuzzNetlink} from '../../scripts/fuzz-netlink.js'

// A bounded run of scripts/fuzz-netlink.js (which runs a million by default): fixed seeds, so a failure
// is reproducible with `node scripts/fuzz-netlink.js --inputs 10000 --seed <seed>`.
for (const seed of [1, 0x5eed]) {
  test(`10000 random and mutated inputs (seed ${seed}) decode or throw only NetlinkDecodeError`, () => {
    const result = fuzzNetlink({inputs: 10_000, seed})
    assert.equal(result.inputs, 10_000)
    assert.ok(result.decodeErrors > 0, 'malformed inputs were produced and rejected')
    assert.ok(result.accepted > 0, 'well-formed inputs were produced and decoded')
  })
}
