// kernel.io_uring_disabled and kernel.io_uring_group toggled for real (as root), for root and for an
// unprivileged user; both sysctls are restored in `finally`. Exclusive: it changes host-wide state.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, test} from 'node:test'

import {checkAvailability} from '../../dist/probe/index.js'
import {runCli} from '../helpers/cli.js'

const disabledPath = '/proc/sys/kernel/io_uring_disabled'
const groupPath = '/proc/sys/kernel/io_uring_group'
const skip = (process.getuid() !== 0 && 'needs root to change sysctls') || (!existsSync(disabledPath) && 'kernel without kernel.io_uring_disabled (before 6.6)')

const nobodyHome = mkdtempSync(join(tmpdir(), 'uringctl-nobody-'))
execFileSync('chmod', ['755', nobodyHome])
after(() => rmSync(nobodyHome, {recursive: true, force: true}))
const nobody = (groupOptions = ['--regid=65534', '--clear-groups']) => ({
  wrap: ['setpriv', '--reuid=65534', ...groupOptions, '--'],
  env: {HOME: nobodyHome},
})

let saved
before(() => {
  if (!skip) saved = {disabled: readFileSync(disabledPath, 'utf8').trim(), group: readFileSync(groupPath, 'utf8').trim()}
})

/** Runs `body` with the sysctls set, and puts the saved values back whatever happens. */
async function withSysctl(disabled, group, body) {
  try {
    writeFileSync(groupPath, String(group))
    writeFileSync(disabledPath, String(disabled))
    await body()
  } finally {
    writeFileSync(disabledPath, saved.disabled)
    writeFileSync(groupPath, saved.group)
  }
}

test('io_uring_disabled=2 refuses root too: verdict disabled-by-sysctl, exit 3, query still answers', {skip}, async () => {
  await withSysctl(2, -1, async () => {
    const r = await runCli(['probe', '--json'])
    assert.equal(r.code, 3, r.stderr)
    const report = r.json()
    assert.equal(report.availability.verdict, 'disabled-by-sysctl')
    assert.equal(report.availability.evidence.ioUringDisabled, 2)
    assert.equal(report.availability.evidence.setupErrnoName, 'EPERM')
    assert.match(report.availability.fix, /sysctl -w kernel\.io_uring_disabled=0/)
    assert.ok(report.capabilities.every((c) => !c.present))
    if (report.query.available) assert.equal(report.features.source, 'query', 'fd -1 query works without a ring')
    // The exported check other commands use says the same, in-process.
    const a = checkAvailability()
    assert.equal(a.verdict, 'disabled-by-sysctl')
    assert.equal(a.exitCode, 3)
  })
})

test('io_uring_disabled=2 refuses an unprivileged user with the same verdict', {skip}, async () => {
  await withSysctl(2, -1, async () => {
    const r = await runCli(['probe'], nobody())
    assert.equal(r.code, 3)
    assert.match(r.stdout, /UNAVAILABLE.*disabled-by-sysctl\n  why: kernel\.io_uring_disabled=2/)
  })
})

test('io_uring_disabled=1 lets root (CAP_SYS_ADMIN) through', {skip}, async () => {
  await withSysctl(1, -1, async () => {
    const r = await runCli(['probe', '--json'])
    assert.equal(r.code, 0, r.stderr)
    const e = r.json().availability.evidence
    assert.deepEqual([r.json().availability.verdict, e.ioUringDisabled, e.capSysAdmin], ['available', 1, true])
  })
})

test('io_uring_disabled=1 with no group refuses an unprivileged user and says to set kernel.io_uring_group', {skip}, async () => {
  await withSysctl(1, -1, async () => {
    const r = await runCli(['probe', '--json'], nobody())
    assert.equal(r.code, 3)
    const a = r.json().availability
    assert.equal(a.verdict, 'disabled-by-sysctl')
    assert.match(a.summary, /no group is set \(kernel\.io_uring_group=-1\); nobody \(uid 65534\) has neither/)
    assert.match(a.fix, /kernel\.io_uring_group=<gid>/)
  })
})

test('io_uring_disabled=1 with a group the user is not in: names the group and the usermod fix', {skip}, async () => {
  await withSysctl(1, 100, async () => {
    const r = await runCli(['probe', '--json'], nobody())
    assert.equal(r.code, 3)
    const a = r.json().availability
    assert.equal(a.evidence.userInGroup, false)
    assert.match(a.summary, /members of group \S+ \(gid 100\); nobody \(uid 65534\) is not a member/)
    assert.match(a.fix, /usermod -aG \S+ nobody/)
  })
})

test('io_uring_disabled=1 with the user in kernel.io_uring_group: available', {skip}, async () => {
  await withSysctl(1, 100, async () => {
    const r = await runCli(['probe', '--json'], nobody(['--regid=65534', '--groups=100']))
    assert.equal(r.code, 0, r.stderr)
    const a = r.json().availability
    assert.equal(a.verdict, 'available')
    assert.equal(a.evidence.userInGroup, true)
  })
})

test('the sysctls are back to their saved values', {skip}, () => {
  assert.equal(readFileSync(disabledPath, 'utf8').trim(), saved.disabled)
  assert.equal(readFileSync(groupPath, 'utf8').trim(), saved.group)
})
