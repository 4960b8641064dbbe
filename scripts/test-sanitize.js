#!/usr/bin/env node
// `npm run test:sanitize`: builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer into
// build-sanitize/ (build/ stays as it is), then runs the native-heavy tests (echo, bench, probe, netlink)
// against it. Every sanitizer report is written to a file; any report fails the run, whatever the tests said.
// Arguments: test path substrings, as for scripts/test.js (default: the native-heavy directories).
import {execFileSync, spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const root = join(import.meta.dirname, '..')
const out = join(root, 'build-sanitize')
const reports = join(out, 'reports')
// Undefined behaviour traps (SIGILL) and ASan's handler reports it with the stack (file:line): with GCC,
// UBSan's own runtime beside ASan writes to stderr whatever log_path says, where a test's pipe would hide it.
const sanitize = ['-fsanitize=address,undefined', '-fsanitize-undefined-trap-on-error', '-fno-omit-frame-pointer', '-g']
const started = Date.now()

function fail(message) {
  console.error(`test:sanitize: ${message}`)
  process.exit(1)
}

// The addon's own binding.gyp, pointed at ../native, with the sanitizer flags added (-O1 keeps stacks readable).
function writeBindingGyp() {
  const gyp = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8'))
  for (const target of gyp.targets) {
    target.sources = target.sources.map((s) => s.replace("find native ", "find ../native "))
    target.include_dirs = target.include_dirs.map((d) => (d === 'native' ? '../native' : d))
    target.cflags = [...(target.cflags ?? []).filter((f) => !/^-O/.test(f)), ...sanitize, '-O1']
    target.cflags_cc = [...(target.cflags_cc ?? []).filter((f) => !/^-O/.test(f)), ...sanitize, '-O1']
    target.ldflags = [...(target.ldflags ?? []), '-fsanitize=address']
  }
  mkdirSync(out, {recursive: true})
  writeFileSync(join(out, 'binding.gyp'), `${JSON.stringify(gyp, null, 2)}\n`)
}

function build() {
  writeBindingGyp()
  // configure + build (not rebuild): make recompiles only what changed since the last sanitizer build.
  for (const step of ['configure', 'build']) {
    const r = spawnSync('node-gyp', [step, '--directory', out], {cwd: out, stdio: ['ignore', 'ignore', 'inherit']})
    if (r.error) fail(`cannot run node-gyp (${r.error.code}): run this as \`npm run test:sanitize\`, which puts npm's node-gyp on PATH`)
    if (r.status !== 0) fail(`the sanitizer build failed (node-gyp ${step} exit ${r.status})`)
  }
  const addon = join(out, 'build', 'Release', 'uringctl.node')
  if (!existsSync(addon)) fail(`node-gyp left no ${addon}`)
  return addon
}

function runtime(name) {
  const path = execFileSync(process.env.CXX || 'g++', [`-print-file-name=${name}`], {encoding: 'utf8'}).trim()
  if (!path.startsWith('/') || !existsSync(path)) fail(`${name} not found: install the compiler's sanitizer runtimes (Debian: libasan8 libubsan1)`)
  return path
}

const addon = build()
console.log(`test:sanitize: built ${addon} with ${sanitize.join(' ')} in ${((Date.now() - started) / 1000).toFixed(0)} s`)
rmSync(reports, {recursive: true, force: true})
mkdirSync(reports, {recursive: true})

// Node itself is not instrumented: the ASan runtime is preloaded so it is first in the process, and
// leak checking is off (Node frees little at exit). Reports go to files, so none can hide in a test's output.
const env = {
  ...process.env,
  URINGCTL_TEST_ADDON: addon,
  LD_PRELOAD: [runtime('libasan.so'), process.env.LD_PRELOAD].filter(Boolean).join(' '),
  ASAN_OPTIONS: `detect_leaks=0:halt_on_error=1:handle_sigill=1:exitcode=86:log_path=${join(reports, 'asan')}`,
}
const filters = process.argv.slice(2)
const tests = spawnSync(process.execPath, [join(root, 'scripts', 'test.js'), ...(filters.length ? filters : ['test/echo/', 'test/bench/', 'test/probe/', 'test/netlink/'])], {cwd: root, env, stdio: 'inherit'})

const found = readdirSync(reports).filter((f) => readFileSync(join(reports, f), 'utf8').trim() !== '')
for (const f of found) {
  console.error(`\n--- ${f} ---`)
  console.error(readFileSync(join(reports, f), 'utf8'))
}
const minutes = ((Date.now() - started) / 60000).toFixed(1)
if (found.length) fail(`${found.length} sanitizer report(s) in ${reports} (shown above); ${minutes} min`)
if (tests.status !== 0) fail(`the tests failed under the sanitizers (exit ${tests.status ?? tests.signal}); ${minutes} min`)
console.log(`test:sanitize: no sanitizer reports, tests passed; ${minutes} min`)
