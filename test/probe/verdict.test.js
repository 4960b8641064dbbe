import assert from 'node:assert/strict'
import {constants} from 'node:os'
import {test} from 'node:test'

import {decideVerdict, gatherEvidence, verdictExitCodes} from '../../dist/probe/availability.js'
import {inGroup, isInitialUserNamespace, nameForId, parseMemlock, parseProcStatus} from '../../dist/probe/host.js'
import {classifySetupTrial} from '../../dist/probe/setup-flags.js'
import {interpretZcrxProbe} from '../../dist/probe/zcrx.js'

const {EPERM, ENOSYS, ENOMEM, EMFILE, EINVAL, EFAULT, EOPNOTSUPP, EACCES} = constants.errno
const MiB = 1 << 20

// Host facts of an ordinary unprivileged process with io_uring allowed; each test changes what it needs.
function host(overrides = {}) {
  return {
    uid: 1000, gid: 1000, fsgid: 1000, groups: [1000], capSysAdmin: false, capNetAdmin: false,
    seccompMode: 0, seccompFilters: 0, lockedBytes: 0,
    ioUringDisabled: 0, ioUringGroup: -1, ioUringGroupName: null, user: 'alice',
    memlock: {soft: 8 * MiB, hard: 8 * MiB},
    ...overrides,
  }
}
const verdictOf = (errno, overrides) => decideVerdict(gatherEvidence(errno, host(overrides)))

test('every verdict has its own exit code, 0 only for available', () => {
  const codes = Object.values(verdictExitCodes)
  assert.equal(new Set(codes).size, codes.length)
  assert.equal(verdictExitCodes.available, 0)
  assert.ok(codes.filter((c) => c !== 0).every((c) => c >= 3))
})

test('setup success is available, whatever else is set', () => {
  const v = verdictOf(0, {ioUringDisabled: 1, seccompMode: 2, seccompFilters: 3})
  assert.equal(v.verdict, 'available')
  assert.equal(v.available, true)
  assert.equal(v.fix, null)
})

test('EPERM with io_uring_disabled=2 is the sysctl, even under seccomp, and names the sysctl in the fix', () => {
  const v = verdictOf(EPERM, {ioUringDisabled: 2, seccompMode: 2, seccompFilters: 1})
  assert.equal(v.verdict, 'disabled-by-sysctl')
  assert.equal(v.exitCode, 3)
  assert.match(v.summary, /kernel\.io_uring_disabled=2/)
  assert.match(v.fix, /sysctl -w kernel\.io_uring_disabled=0/)
})

test('io_uring_disabled=1 with no group set: the fix says to set kernel.io_uring_group', () => {
  const v = verdictOf(EPERM, {ioUringDisabled: 1, ioUringGroup: -1})
  assert.equal(v.verdict, 'disabled-by-sysctl')
  assert.match(v.summary, /no group is set/)
  assert.match(v.fix, /kernel\.io_uring_group=<gid>/)
})

test('io_uring_disabled=1 with a group the user is not in: the fix names the group and the user', () => {
  const v = verdictOf(EPERM, {ioUringDisabled: 1, ioUringGroup: 990, ioUringGroupName: 'iouring'})
  assert.equal(v.verdict, 'disabled-by-sysctl')
  assert.match(v.summary, /members of group iouring \(gid 990\); alice \(uid 1000\) is not a member/)
  assert.match(v.fix, /usermod -aG iouring alice/)
})

test('io_uring_disabled=1 with the user in the group (or CAP_SYS_ADMIN) is not blamed on the sysctl', () => {
  const member = gatherEvidence(EPERM, host({ioUringDisabled: 1, ioUringGroup: 990, groups: [1000, 990]}))
  assert.equal(member.userInGroup, true)
  assert.equal(decideVerdict(member).verdict, 'unknown-errno')
  assert.match(decideVerdict(member).fix, /LSM/)
  const admin = verdictOf(EPERM, {ioUringDisabled: 1, capSysAdmin: true, seccompMode: 2, seccompFilters: 1})
  assert.equal(admin.verdict, 'blocked-by-seccomp')
})

test('the fs gid counts for group membership, as in the kernel', () => {
  assert.equal(inGroup({fsgid: 990, groups: []}, 990), true)
  assert.equal(inGroup({fsgid: 1000, groups: [4, 24]}, 990), false)
})

test('EPERM or ENOSYS under a seccomp filter is seccomp, with the /proc/self/status evidence', () => {
  for (const errno of [EPERM, ENOSYS]) {
    const v = verdictOf(errno, {seccompMode: 2, seccompFilters: 2})
    assert.equal(v.verdict, 'blocked-by-seccomp')
    assert.equal(v.exitCode, 4)
    assert.match(v.summary, /Seccomp: 2, Seccomp_filters: 2/)
    assert.match(v.fix, /seccomp profile that allows io_uring_setup, io_uring_enter and io_uring_register/)
  }
})

test('ENOSYS without seccomp is a kernel built without io_uring', () => {
  const v = verdictOf(ENOSYS, {ioUringDisabled: null})
  assert.equal(v.verdict, 'not-built-in')
  assert.equal(v.exitCode, 5)
  assert.match(v.summary, /CONFIG_IO_URING/)
  assert.match(v.summary, /io_uring_disabled is absent/)
  assert.match(v.fix, /CONFIG_IO_URING=y/)
})

test('ENOSYS without seccomp where kernel.io_uring_disabled exists is an emulator or sandbox, not the kernel', () => {
  const v = verdictOf(ENOSYS, {ioUringDisabled: 0})
  assert.equal(v.verdict, 'not-built-in')
  assert.equal(v.exitCode, 5)
  assert.match(v.summary, /kernel\.io_uring_disabled=0 shows the kernel has io_uring/)
  assert.match(v.summary, /qemu-user/)
  assert.doesNotMatch(v.summary, /CONFIG_IO_URING/)
  assert.match(v.fix, /^run uringctl natively on the host kernel/)
})

test('ENOMEM with a small RLIMIT_MEMLOCK is out of locked memory, with the figures', () => {
  const v = verdictOf(ENOMEM, {memlock: {soft: 64 * 1024, hard: 128 * 1024}, lockedBytes: 60 * 1024})
  assert.equal(v.verdict, 'out-of-locked-memory')
  assert.equal(v.exitCode, 6)
  assert.match(v.summary, /RLIMIT_MEMLOCK soft 64 KiB, hard 128 KiB, locked now 60 KiB/)
  assert.match(v.fix, /ulimit -l/)
})

test('ENOMEM with room left under RLIMIT_MEMLOCK points at the memory cgroup instead', () => {
  for (const memlock of [{soft: 'unlimited', hard: 'unlimited'}, {soft: 64 * MiB, hard: 64 * MiB}]) {
    const v = verdictOf(ENOMEM, {memlock})
    assert.equal(v.verdict, 'out-of-locked-memory')
    assert.match(v.summary, /memory cgroup/)
    assert.match(v.fix, /memory\.max/)
  }
})

test('any other errno is unknown-errno and named', () => {
  const v = verdictOf(EMFILE)
  assert.equal(v.verdict, 'unknown-errno')
  assert.equal(v.exitCode, 7)
  assert.match(v.summary, /EMFILE/)
  assert.match(v.fix, /ulimit -n/)
  assert.match(verdictOf(EACCES).summary, /EACCES/)
  assert.match(verdictOf(9999).summary, /errno 9999/)
})

test('/proc/self/status parsing: credentials, CAP_SYS_ADMIN, seccomp, VmLck', () => {
  const status = [
    'Name:\tnode', 'Uid:\t1000\t1000\t1000\t1000', 'Gid:\t1000\t1001\t1000\t1002', 'Groups:\t4 24 27 ',
    'VmLck:\t      12 kB', 'CapEff:\t0000000000200000', 'Seccomp:\t2', 'Seccomp_filters:\t3',
  ].join('\n')
  assert.deepEqual(parseProcStatus(status), {
    uid: 1000, gid: 1001, fsgid: 1002, groups: [4, 24, 27], capSysAdmin: true, capNetAdmin: false,
    seccompMode: 2, seccompFilters: 3, lockedBytes: 12 * 1024,
  })
  const plain = parseProcStatus('Uid:\t0\t0\t0\t0\nCapEff:\t0000000000000000\nGroups:\t\n')
  assert.equal(plain.capSysAdmin, false)
  assert.equal(parseProcStatus('CapEff:\t0000000000001000').capNetAdmin, true)
  assert.deepEqual(plain.groups, [])
  assert.equal(plain.seccompMode, null, 'a kernel without the field is unknown, not 0')
})

test('/proc/self/limits parsing of RLIMIT_MEMLOCK, numeric and unlimited', () => {
  const limits = 'Limit                     Soft Limit           Hard Limit           Units\n' +
    'Max locked memory         8388608              unlimited            bytes\n'
  assert.deepEqual(parseMemlock(limits), {soft: 8388608, hard: 'unlimited'})
  assert.equal(parseMemlock('nothing here'), null)
})

test('names come from passwd/group style files by id', () => {
  const group = 'root:x:0:\nusers:x:100:alice\nnogroup:x:65534:\n'
  assert.equal(nameForId(group, 100), 'users')
  assert.equal(nameForId(group, 5), null)
})

test('setup trials classify into supported, unsupported, not permitted and resource failures', () => {
  const trial = (errno, resource = null, resourceErrno = 0) => ({errno, features: 0, sqEntries: 0, cqEntries: 0, resource, resourceErrno})
  assert.equal(classifySetupTrial(trial(0)).status, 'supported')
  assert.equal(classifySetupTrial(trial(EINVAL)).status, 'unsupported')
  assert.equal(classifySetupTrial(trial(EPERM)).status, 'not-permitted')
  assert.equal(classifySetupTrial(trial(ENOMEM)).status, 'no-resources')
  const noMemory = classifySetupTrial(trial(0, 'two pages of user memory for the rings', ENOMEM))
  assert.equal(noMemory.status, 'no-resources')
  assert.match(noMemory.note, /could not get two pages of user memory for the rings: ENOMEM/)
})

test('the zcrx register answer maps to usable / kernel has it', () => {
  const zcrx = (errno, capNetAdmin = false, setupErrno = 0) => interpretZcrxProbe({setupErrno, registerErrno: errno}, {capNetAdmin, initialUserNamespace: true})
  assert.deepEqual([zcrx(EFAULT, true).usable, zcrx(EFAULT, true).kernelHas], [true, true])
  const noCap = zcrx(EPERM)
  assert.deepEqual([noCap.usable, noCap.kernelHas], [false, true])
  assert.match(noCap.detail, /needs CAP_NET_ADMIN/)
  const filtered = zcrx(EPERM, true)
  assert.deepEqual([filtered.usable, filtered.kernelHas], [false, null])
  assert.match(filtered.detail, /despite CAP_NET_ADMIN/)
  assert.match(zcrx(EOPNOTSUPP).detail, /CONFIG_IO_URING_ZCRX/)
  assert.match(zcrx(EINVAL).detail, /before 6\.15/)
  assert.equal(zcrx(0, false, EINVAL).kernelHas, false)
})

test('zcrx privilege: CAP_NET_ADMIN counts only in the initial user namespace', () => {
  const zcrx = (registerErrno, capNetAdmin, initialUserNamespace) =>
    interpretZcrxProbe({setupErrno: 0, registerErrno}, {capNetAdmin, initialUserNamespace})
  // Root of a child user namespace (unshare -U -r): the EPERM is the kernel's capable() check, not a filter.
  const child = zcrx(EPERM, true, false)
  assert.deepEqual([child.usable, child.kernelHas, child.privilege.sufficient], [false, true, false])
  assert.match(child.privilege.detail, /CapEff has CAP_NET_ADMIN; inside a child user namespace; the zcrx test registration was refused with EPERM/)
  assert.match(child.privilege.fix, /initial user namespace/)
  assert.equal(child.fix, child.privilege.fix)
  const filtered = zcrx(EPERM, true, true)
  assert.equal(filtered.privilege.sufficient, true)
  assert.equal(filtered.privilege.fix, null)
  assert.match(filtered.fix, /seccomp profile that allows .*io_uring_register/)
  // Unreadable facts: the register answer decides.
  assert.equal(zcrx(EFAULT, null, null).privilege.sufficient, true)
  assert.equal(zcrx(EPERM, null, null).privilege.sufficient, false)
  assert.equal(zcrx(EOPNOTSUPP, null, null).privilege.sufficient, null)
  assert.equal(zcrx(EOPNOTSUPP, null, null).privilege.fix, null)
  // A kernel without zcrx: the kernel is the first obstacle, whatever the privilege.
  const old = zcrx(EINVAL, false, true)
  assert.match(old.fix, /^boot Linux 6\.15 or later built with CONFIG_IO_URING_ZCRX=y$/)
  assert.equal(old.privilege.sufficient, false)
  const noRing = interpretZcrxProbe({setupErrno: EINVAL, registerErrno: 0}, {capNetAdmin: true, initialUserNamespace: true})
  assert.match(noRing.detail, /kernel before 6\.1$/)
  assert.equal(noRing.fix, old.fix)
})

test('the initial user namespace is told by its fixed inode', () => {
  assert.equal(isInitialUserNamespace('user:[4026531837]'), true)
  assert.equal(isInitialUserNamespace('user:[4026532410]'), false)
})
