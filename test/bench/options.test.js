import assert from 'node:assert/strict'
import {test} from 'node:test'

import {verdictOf} from '../../dist/bench/exit-codes.js'
import {benchOptionsFrom, formatCpuList, parseCpuList, parseSize} from '../../dist/bench/options.js'

const noErrors = {connect: 0, mismatch: 0, shortEcho: 0, closedEarly: 0, reset: 0, timeout: 0}
const flags = {host: '127.0.0.1', connections: 50, size: '128', pipeline: 1, warmup: 1, threads: 1, timeout: 5, 'client-backend': 'auto'}

test('--size takes a byte count or a low-high range, and rejects anything else with exit code 2', () => {
  assert.deepEqual(parseSize('128'), {min: 128, max: 128})
  assert.deepEqual(parseSize('64-4096'), {min: 64, max: 4096})
  assert.deepEqual(parseSize('1K-64K'), {min: 1024, max: 65536})
  for (const bad of ['0', '10-5', 'abc', '1-70000', '-5', '', '1e3', '0x10', '99999999999999999999']) {
    assert.throws(() => parseSize(bad), (e) => e.exitCode === 2 && e.message.includes('--size'), bad)
  }
})

test('CPU lists read like taskset and print back compactly', () => {
  assert.deepEqual(parseCpuList('3,0-1', '--pin', 4), [0, 1, 3])
  assert.equal(formatCpuList([0, 1, 2, 5, 7, 8]), '0-2,5,7-8')
  assert.throws(() => parseCpuList('2-1', '--pin'), /low to high/)
  assert.throws(() => parseCpuList('x', '--pin'), /CPU numbers/)
  assert.throws(() => parseCpuList('', '--pin'), /CPU numbers/)
  assert.throws(() => parseCpuList('99999999999999999999', '--pin', 4), /--pin 99999999999999999999: CPU 99999999999999999999 does not exist here; this machine's CPUs are 0-3/)
  assert.throws(() => parseCpuList('0-1000000000', '--pin', 4), /CPU 1000000000 does not exist here/)
})

test('options: duration defaults to 10 s only without --messages; threads never exceed connections', () => {
  assert.equal(benchOptionsFrom(flags, 7).durationSeconds, 10)
  const counted = benchOptionsFrom({...flags, messages: 500}, 7)
  assert.equal(counted.durationSeconds, null)
  assert.equal(counted.messages, 500)
  assert.equal(benchOptionsFrom({...flags, connections: 2, threads: 8}, 7).threads, 2)
  assert.throws(() => benchOptionsFrom(flags, Number.NaN), /--port is required/)
  assert.equal(benchOptionsFrom({...flags, duration: 0.5}, 7).durationSeconds, 0.5)
  assert.equal(benchOptionsFrom(flags, null).port, 0)
})

test('the exit code names the most telling error when several kinds occur', () => {
  assert.deepEqual(verdictOf(noErrors), {verdict: 'ok', exitCode: 0})
  assert.deepEqual(verdictOf(noErrors, false), {verdict: 'nothing-measured', exitCode: 10})
  assert.equal(verdictOf({...noErrors, timeout: 1}, false).exitCode, 7)
  assert.equal(verdictOf({...noErrors, connect: 1}).exitCode, 3)
  assert.equal(verdictOf({...noErrors, connect: 1, timeout: 2}).exitCode, 7)
  assert.equal(verdictOf({...noErrors, reset: 1, timeout: 2}).exitCode, 6)
  assert.equal(verdictOf({...noErrors, shortEcho: 1, reset: 1}).exitCode, 5)
  assert.equal(verdictOf({...noErrors, closedEarly: 1}).exitCode, 5)
  assert.equal(verdictOf({...noErrors, mismatch: 1, shortEcho: 1, reset: 1, timeout: 1, connect: 1}).exitCode, 4)
})
