// `uringctl probe` where io_uring is restricted, for real: under a seccomp filter installed by a helper
// this test builds, and as an unprivileged user (setpriv). Host state is not changed here.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'

import {root, runCli} from '../helpers/cli.js'

const tmp = join(root, 'test', '.tmp')
const helper = join(tmp, 'seccomp-exec')
mkdirSync(tmp, {recursive: true})
execFileSync('cc', ['-O2', '-Wall', '-Werror', '-o', helper, join(root, 'test', 'native', 'seccomp-exec.c')])

const isRoot = process.getuid() === 0
const nobodyHome = mkdtempSync(join(tmpdir(), 'uringctl-nobody-'))
execFileSync('chmod', ['755', nobodyHome])
after(() => rmSync(nobodyHome, {recursive: true, force: true}))
const asNobody = {wrap: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'], env: {HOME: nobodyHome}}

const withSeccomp = (errno) => ({wrap: [helper, String(errno)]})
const EPERM = 1
const ENOSYS = 38

for (const [errno, name] of [[EPERM, 'EPERM'], [ENOSYS, 'ENOSYS']]) {
  test(`a seccomp filter returning ${name} for io_uring_setup: verdict blocked-by-seccomp, exit 4, evidence and fix`, async () => {
    const r = await runCli(['probe', '--json'], withSeccomp(errno))
    assert.equal(r.code, 4, r.stderr)
    const report = r.json()
    const a = report.availability
    assert.equal(a.verdict, 'blocked-by-seccomp')
    assert.equal(a.available, false)
    assert.equal(a.evidence.setupErrnoName, name)
    assert.equal(a.evidence.seccompMode, 2)
    assert.ok(a.evidence.seccompFilters >= 1)
    assert.match(a.summary, new RegExp(`fails with ${name} under a seccomp filter`))
    assert.match(a.fix, /seccomp profile/)
    // The filter only blocks setup: the ring-less query still tells what the kernel has.
    assert.equal(report.query.available, true)
    assert.equal(report.opcodes.source, 'query')
    assert.ok(report.capabilities.every((c) => !c.present))
    assert.equal(report.capabilities.find((c) => c.id === 'send-zc').kernelHas, true)
    assert.ok(report.setupFlags.items.every((f) => f.status === 'untested'))
  })
}

test('under seccomp the human output names the verdict, why and fix; --functional neither crashes nor hangs', async () => {
  const r = await runCli(['probe', '--functional', '--require', 'send-zc'], {...withSeccomp(EPERM), timeoutMs: 30000})
  assert.equal(r.code, 4, 'the verdict code wins over --require')
  assert.match(r.stdout, /^io_uring: UNAVAILABLE on Linux .*: blocked-by-seccomp\n  why: .*\n  fix: .*\n  evidence: io_uring_setup EPERM;.*Seccomp 2/)
  assert.doesNotMatch(r.stderr, /\n\s+at /)
})

test('under seccomp, --format env says unavailable', async () => {
  const r = await runCli(['probe', '--format', 'env'], withSeccomp(ENOSYS))
  assert.equal(r.code, 4)
  assert.match(r.stdout, /^URING_VERDICT='blocked-by-seccomp'$/m)
  assert.match(r.stdout, /^URING_AVAILABLE=0$/m)
  assert.match(r.stdout, /^URING_HAVE_SEND_ZC=0$/m)
})

test('a filter on io_uring_register instead: setup works, what register would tell is unknown, nothing crashes', async () => {
  const r = await runCli(['probe', '--functional', '--json'], {wrap: [helper, `${EPERM}:427`], timeoutMs: 30000})
  assert.equal(r.code, 0, r.stderr)
  const report = r.json()
  assert.equal(report.availability.verdict, 'available')
  assert.equal(report.query.errnoName, 'EPERM')
  assert.equal(report.opcodes.source, null)
  assert.equal(report.registerOpcodes.source, null)
  assert.equal(report.setupFlags.items.find((f) => f.name === 'IORING_SETUP_SQPOLL').status, 'supported')
  const caps = Object.fromEntries(report.capabilities.map((c) => [c.id, c]))
  assert.equal(caps['send-zc'].present, false)
  assert.equal(caps['send-zc'].detail, 'IORING_OP_SEND_ZC: could not be determined')
  assert.equal(caps.sqpoll.present, true, 'needs only a setup test and io_uring_enter')
  assert.match(caps.zcrx.detail, /could not be determined|despite CAP_NET_ADMIN/)
  assert.match(report.zcrx.detail, /despite CAP_NET_ADMIN/, 'root has CAP_NET_ADMIN: the EPERM is the filter')
})

test('as an unprivileged user: available, SQPOLL accepted, zcrx refused for lack of CAP_NET_ADMIN', {skip: !isRoot && 'needs root to switch user'}, async () => {
  const r = await runCli(['probe', '--functional', '--json'], asNobody)
  assert.equal(r.code, 0, r.stderr)
  const report = r.json()
  assert.equal(report.availability.evidence.uid, 65534)
  assert.equal(report.availability.evidence.capSysAdmin, false)
  assert.equal(report.availability.verdict, 'available')
  assert.equal(report.setupFlags.items.find((f) => f.name === 'IORING_SETUP_SQPOLL').status, 'supported')
  const caps = Object.fromEntries(report.capabilities.map((c) => [c.id, c]))
  assert.equal(caps.sqpoll.functional.ok, true, caps.sqpoll.functional.detail)
  assert.equal(caps['multishot-recv'].functional.ok, true)
  assert.equal(caps.zcrx.present, false)
  assert.equal(caps.zcrx.kernelHas, true)
  assert.match(caps.zcrx.detail, /CAP_NET_ADMIN/)
  assert.equal(report.zcrx.errnoName, 'EPERM')
})

test('as an unprivileged user, --require zcrx exits 8 naming what is missing', {skip: !isRoot && 'needs root to switch user'}, async () => {
  const r = await runCli(['probe', '--require', 'sqpoll,zcrx', '--format', 'env'], asNobody)
  assert.equal(r.code, 8)
  assert.match(r.stderr, /missing required capabilities: zcrx/)
  assert.match(r.stdout, /^URING_HAVE_SQPOLL=1$/m)
})
