import assert from 'node:assert/strict'
import {test} from 'node:test'

import {errnoName} from '../../dist/base/errno.js'
import {addon} from '../../dist/native/addon.js'

test('the ring layer submits and reaps 10000 NOPs with their user_data intact', () => {
  const result = addon().ringSelfTest(10000)
  assert.equal(result.errno, 0)
  assert.equal(result.completed, 10000)
  assert.equal(result.userDataMatches, true)
  assert.ok(result.features & 1, 'IORING_FEAT_SINGLE_MMAP reported')
})

test("errno names come from Node's table, with the kernel's name where Node has two", () => {
  assert.equal(errnoName(1), 'EPERM')
  assert.equal(errnoName(12), 'ENOMEM')
  assert.equal(errnoName(95), 'EOPNOTSUPP')
  assert.equal(errnoName(11), 'EAGAIN')
  assert.equal(errnoName(4095), 'errno 4095')
})
