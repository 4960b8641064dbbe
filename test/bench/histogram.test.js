import assert from 'node:assert/strict'
import {test} from 'node:test'

import {addon} from '../../dist/native/addon.js'

const percentiles = (values, ps) => addon().benchLatencyPercentiles(values, ps)

test('the latency histogram keeps every percentile within 1/128 of the exact value', () => {
  const values = []
  for (let i = 1; i <= 200000; i++) values.push(i * 37) // 37 ns .. 7.4 ms
  const ps = [1, 10, 50, 90, 99, 99.9, 100]
  const h = percentiles(values, ps)
  ps.forEach((p, i) => {
    const exact = values[Math.ceil((p / 100) * values.length) - 1]
    assert.ok(Math.abs(h.values[i] - exact) <= exact / 128, `p${p}: ${h.values[i]} vs ${exact}`)
  })
  assert.equal(h.count, values.length)
  assert.equal(h.min, 37)
  assert.equal(h.max, 200000 * 37)
})

test('small values are exact and no percentile exceeds the largest value recorded', () => {
  const h = percentiles([5, 5, 7, 200], [50, 75, 100])
  assert.deepEqual(h.values, [5, 7, 200])
  const big = percentiles([1_000_000_007], [50, 100])
  assert.deepEqual(big.values, [1_000_000_007, 1_000_000_007])
})

test('values spanning nine orders of magnitude land in the right order', () => {
  const values = [1, 100, 10_000, 1_000_000, 100_000_000, 10_000_000_000]
  const h = percentiles(values, [0, 20, 40, 60, 80, 100])
  for (let i = 1; i < h.values.length; i++) assert.ok(h.values[i] >= h.values[i - 1])
  assert.ok(Math.abs(h.values[5] - 10_000_000_000) <= 10_000_000_000 / 128)
  assert.ok(Math.abs(h.mean - values.reduce((a, b) => a + b) / values.length) < 1)
})

test('an empty histogram reports zeros', () => {
  const h = percentiles([], [50, 99])
  assert.deepEqual(h.values, [0, 0])
  assert.equal(h.count, 0)
  assert.equal(h.max, 0)
})
