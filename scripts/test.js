#!/usr/bin/env node
// Runs the test suite with node's own runner in two phases: every `*.test.js` file in parallel, then
// each `*.exclusive.test.js` file alone (those change host-wide state: sysctls, limits), and only when
// URINGCTL_TEST_EXCLUSIVE=1 asks for them: they flip kernel.io_uring_disabled for the whole host.
// Prints node's spec output and one closing line: "tests: N passed, N failed, N skipped".
import {readdirSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {run} from 'node:test'
import {spec} from 'node:test/reporters'

const root = join(import.meta.dirname, '..')
const filter = process.argv.slice(2)

function findTests(dir) {
  const out = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...findTests(p))
    else if (name.endsWith('.test.js')) out.push(p)
  }
  return out.sort()
}

// test/kernels/ boots another kernel under QEMU (minutes): only when asked, e.g. `npm run test:kernels`.
const kernels = join(root, 'test', 'kernels')
const all = findTests(join(root, 'test')).filter((f) => filter.length === 0 ? !f.startsWith(kernels) : filter.some((s) => f.includes(s)))
const allExclusive = all.filter((f) => f.endsWith('.exclusive.test.js'))
const parallel = all.filter((f) => !allExclusive.includes(f))
const exclusiveAsked = process.env.URINGCTL_TEST_EXCLUSIVE === '1'
const exclusive = exclusiveAsked ? allExclusive : []
const totals = {passed: 0, failed: 0, skipped: 0}

async function phase(files, concurrency) {
  if (files.length === 0) return
  const stream = run({files, concurrency, timeout: 10 * 60 * 1000})
  stream.on('test:pass', (t) => {
    if (t.details?.type === 'suite') return
    if (t.skip || t.todo) totals.skipped++
    else totals.passed++
  })
  stream.on('test:fail', (t) => {
    if (t.details?.type !== 'suite') totals.failed++
  })
  await new Promise((resolve, reject) => {
    stream.compose(spec).on('end', resolve).on('error', reject).pipe(process.stdout, {end: false})
  })
}

console.log(`running ${parallel.length} test files in parallel, then ${exclusive.length} alone`)
if (!exclusiveAsked && allExclusive.length) {
  console.log(`skipped ${allExclusive.length} exclusive test files (${allExclusive.map((f) => relative(root, f)).join(', ')}):`)
  console.log('they change host-wide state (kernel.io_uring_disabled) while they run, which breaks any io_uring service on this host; set URINGCTL_TEST_EXCLUSIVE=1 to run them')
}
await phase(parallel, 2)
if (exclusive.length) {
  console.log(`\nexclusive (host-wide state): ${exclusive.map((f) => relative(root, f)).join(', ')}`)
  await phase(exclusive, 1)
}
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exitCode = totals.failed > 0 || totals.passed === 0 ? 1 : 0
