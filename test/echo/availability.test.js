// The io_uring availability verdicts `echo serve` prints (until it uses `uringctl probe`'s own).
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'

import {classifyUringSetup, uringAvailability} from '../../dist/echo/availability.js'

const seccomp = Number(readFileSync('/proc/self/status', 'utf8').match(/^Seccomp:\s*(\d+)/m)?.[1] ?? 0)

test('io_uring is available on this test machine', () => {
  assert.equal(uringAvailability().verdict, 'available')
})

test('ENOSYS without a seccomp filter means io_uring is not built into the kernel', {skip: seccomp > 0 && 'running under seccomp'}, () => {
  const v = classifyUringSetup(38)
  assert.equal(v.verdict, 'not-built')
  assert.match(v.fix, /CONFIG_IO_URING/)
})

test('ENOMEM is reported as out of locked memory, with the RLIMIT_MEMLOCK figures', () => {
  const v = classifyUringSetup(12)
  assert.equal(v.verdict, 'memlock')
  assert.match(v.reason, /RLIMIT_MEMLOCK soft \S+, hard \S+/)
  assert.match(v.fix, /ulimit -l/)
})

test('an errno with no known cause is named', () => {
  const v = classifyUringSetup(22)
  assert.equal(v.verdict, 'unknown')
  assert.match(v.reason, /EINVAL/)
})
