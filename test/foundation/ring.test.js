import assert from 'node:assert/strict'
import {test} from 'node:test'

import {addon} from '../../dist/native/addon.js'

test('the ring layer submits and reaps 10000 NOPs with their user_data intact', () => {
  const result = addon().ringSelfTest(10000)
  assert.equal(result.errno, 0)
  assert.equal(result.completed, 10000)
  assert.equal(result.userDataMatches, true)
  assert.ok(result.features & 1, 'IORING_FEAT_SINGLE_MMAP reported')
})

test('errno names come from the C library', () => {
  assert.equal(addon().errnoName(1), 'EPERM')
  assert.equal(addon().errnoName(12), 'ENOMEM')
})
