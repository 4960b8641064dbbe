// Builds a small VM from this checkout and boots it under QEMU (TCG, no KVM): Debian's own
// linux-image-6.1.*-amd64 kernel, an initramfs with busybox-static, this machine's node and the shared
// libraries it and the addon need, and the built project. Inside, /init runs test/kernels/inside.js,
// which writes one JSON line per check to the second serial port; QEMU writes that port to a host file.
import {execFileSync, spawn} from 'node:child_process'
import {chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {root} from '../helpers/cli.js'

/** Outside git (gitignored): the kernel .deb, its extracted files, the built initramfs, and the last run's console.log and results.ndjson. */
export const cacheDir = process.env.URINGCTL_VM_CACHE ?? join(root, '.cache', 'kernels')

// Development-only packages the VM never runs (TypeScript is compiled on the host).
const skippedModules = new Set(['typescript', 'tsx', 'esbuild', '@esbuild', '@types', 'undici-types'])

function sh(command, args, options = {}) {
  return execFileSync(command, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options})
}

function need(command, debianPackage) {
  try {
    sh('sh', ['-c', `command -v ${command}`])
  } catch {
    throw new Error(`${command} is missing: install it with apt-get install -y ${debianPackage} (.ci/run does this as root)`)
  }
}

// The e1000 NIC driver inside the kernel package (QEMU's e1000 NIC gives tcp-data-split check a real driver).
const e1000Path = './lib/modules/RELEASE/kernel/drivers/net/ethernet/intel/e1000/e1000.ko'

/** The kernel package Debian 12's linux-image-amd64 points at, e.g. linux-image-6.1.0-57-amd64. */
function kernelPackageName() {
  const depends = sh('apt-cache', ['depends', 'linux-image-amd64'])
  const name = depends.match(/Depends: (linux-image-6\.1\.\S+-amd64)\b/)?.[1]
  if (!name) throw new Error(`apt-cache depends linux-image-amd64 names no linux-image-6.1.*-amd64 package (run apt-get update):\n${depends}`)
  return name
}

/** Downloads (once) and extracts the kernel package; returns its release and the vmlinuz and e1000.ko paths. */
function kernel() {
  const dir = join(cacheDir, 'kernel')
  mkdirSync(dir, {recursive: true})
  let deb = readdirSync(dir).find((f) => f.startsWith('linux-image-6.1.') && f.endsWith('_amd64.deb'))
  if (!deb) {
    const name = kernelPackageName()
    sh('apt-get', ['download', name], {cwd: dir})
    deb = readdirSync(dir).find((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'))
    if (!deb) throw new Error(`apt-get download ${name} left no .deb in ${dir}`)
  }
  const tree = join(dir, 'tree')
  if (!existsSync(join(tree, 'boot'))) {
    rmSync(tree, {recursive: true, force: true})
    mkdirSync(tree)
    // Only the kernel and the one module /init loads, not the package's 400 MB of modules.
    sh('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards './boot/vmlinuz-*' '${e1000Path.replace('RELEASE', '*')}'`, 'sh', join(dir, deb), tree])
  }
  const vmlinuz = readdirSync(join(tree, 'boot')).find((f) => f.startsWith('vmlinuz-'))
  const release = vmlinuz.slice('vmlinuz-'.length)
  return {deb, release, vmlinuz: join(tree, 'boot', vmlinuz), e1000: join(tree, e1000Path.replace('RELEASE', release))}
}

/** Shared libraries (absolute paths) a binary needs, by ldd. */
function libraries(binary) {
  const out = sh('ldd', [binary])
  return [...out.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1])
}

function isDynamic(binary) {
  try {
    sh('ldd', [binary])
    return true
  } catch {
    return false // "not a dynamic executable"
  }
}

function copyInto(stage, file) {
  const target = join(stage, file)
  mkdirSync(dirname(target), {recursive: true})
  copyFileSync(file, target)
  chmodSync(target, statSync(file).mode & 0o7777)
}

const init = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs tmp /tmp
ip link set lo up
# A NIC for tcp-data-split check to look at; QEMU gives it no route off the machine (restrict=on).
insmod /lib/modules/e1000.ko && sleep 1 && ip link set eth0 up
stty -F /dev/ttyS1 raw -echo
export HOME=/root PATH=/usr/bin:/bin NO_COLOR=1 TMPDIR=/tmp
echo "uringctl-vm: $(uname -r), $(nproc) CPUs, up $(cut -d' ' -f1 /proc/uptime) s"
cd /uringctl && node test/kernels/inside.js /dev/ttyS1
echo "uringctl-vm: inside.js exited $?, up $(cut -d' ' -f1 /proc/uptime) s"
poweroff -f
`

/** Stages the initramfs tree and packs it (uncompressed newc cpio: nothing to decompress under TCG). */
function initramfs(kernelFiles) {
  const stage = join(cacheDir, 'stage')
  rmSync(stage, {recursive: true, force: true})
  for (const d of ['bin', 'usr/bin', 'proc', 'sys', 'dev', 'tmp', 'root', 'etc', 'lib/modules']) mkdirSync(join(stage, d), {recursive: true})
  copyFileSync('/bin/busybox', join(stage, 'bin/busybox'))
  chmodSync(join(stage, 'bin/busybox'), 0o755)
  writeFileSync(join(stage, 'init'), init, {mode: 0o755})
  writeFileSync(join(stage, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n')
  writeFileSync(join(stage, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n')
  writeFileSync(join(stage, 'etc/hosts'), '127.0.0.1 localhost\n::1 localhost\n')
  copyFileSync(kernelFiles.e1000, join(stage, 'lib/modules/e1000.ko'))

  const node = process.execPath
  const addon = join(root, 'build', 'Release', 'uringctl.node')
  if (!existsSync(addon)) throw new Error(`${addon} is missing: run npm ci (or npm run build:native) first`)
  copyFileSync(node, join(stage, 'usr/bin/node'))
  chmodSync(join(stage, 'usr/bin/node'), 0o755)
  for (const lib of new Set([...libraries(node), ...libraries(addon)])) copyInto(stage, lib)

  const project = join(stage, 'uringctl')
  for (const p of ['bin', 'dist', 'data', 'package.json', 'oclif.manifest.json', 'build/Release/uringctl.node', 'test/kernels/inside.js']) {
    cpSync(join(root, p), join(project, p), {recursive: true})
  }
  cpSync(join(root, 'node_modules'), join(project, 'node_modules'), {
    recursive: true,
    filter: (src) => !skippedModules.has(src.split('/node_modules/').pop().split('/')[0]) && !src.includes('/node_modules/.bin'),
  })
  symlinkSync('/usr/bin/node', join(stage, 'bin/node'))

  const image = join(cacheDir, 'initramfs.cpio')
  sh('sh', ['-c', `cd "${stage}" && find . | cpio -o -H newc --quiet -R 0:0 > "${image}"`])
  rmSync(stage, {recursive: true, force: true})
  return image
}

/** Builds the kernel and initramfs from this checkout; returns their paths. */
export function buildVm() {
  need('qemu-system-x86_64', 'qemu-system-x86')
  need('cpio', 'cpio')
  need('dpkg-deb', 'dpkg')
  if (!existsSync('/bin/busybox') || isDynamic('/bin/busybox')) throw new Error('/bin/busybox is missing or not static: install it with apt-get install -y busybox-static')
  const kernelFiles = kernel()
  return {...kernelFiles, initramfs: initramfs(kernelFiles)}
}

/**
 * Boots the VM and waits for it to power off (or kills QEMU after timeoutMs). Resolves with the check
 * records inside.js wrote, the serial console text and how QEMU ended.
 */
export function bootVm(vm, {timeoutMs = 10 * 60 * 1000} = {}) {
  const resultsFile = join(cacheDir, 'results.ndjson')
  rmSync(resultsFile, {force: true})
  const args = [
    '-machine', 'q35', '-accel', 'tcg', '-cpu', 'max', '-smp', '2', '-m', '2G',
    '-nographic', '-no-reboot', '-monitor', 'none',
    '-kernel', vm.vmlinuz, '-initrd', vm.initramfs,
    '-append', 'console=ttyS0 rdinit=/init panic=-1 quiet loglevel=4',
    '-serial', 'stdio', '-serial', `file:${resultsFile}`,
    // One NIC for tcp-data-split check to inspect; user-mode networking with restrict=on cannot reach out.
    '-netdev', 'user,id=n0,restrict=on', '-device', 'e1000,netdev=n0,romfile=',
  ]
  const started = Date.now()
  return new Promise((resolve, reject) => {
    // --pdeathsig: QEMU dies with this process even when the test runner kills it without cleanup.
    const qemu = spawn('setpriv', ['--pdeathsig', 'KILL', 'qemu-system-x86_64', ...args], {stdio: ['ignore', 'pipe', 'pipe']})
    let consoleText = ''
    qemu.stdout.on('data', (d) => { consoleText += d })
    qemu.stderr.on('data', (d) => { consoleText += d })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      qemu.kill('SIGKILL')
    }, timeoutMs)
    const stop = () => qemu.kill('SIGKILL')
    process.once('exit', stop)
    qemu.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    qemu.on('close', (code, signal) => {
      clearTimeout(timer)
      process.removeListener('exit', stop)
      const records = existsSync(resultsFile) ? parseResults(readFileSync(resultsFile, 'utf8')) : []
      const seconds = Math.round((Date.now() - started) / 1000)
      writeFileSync(join(cacheDir, 'console.log'), consoleText)
      resolve({qemu: {args, code, signal, timedOut}, seconds, console: consoleText.replaceAll('\r', ''), records})
    })
  })
}

/** One JSON object per line; a line cut short (the VM died mid-write) is reported, not thrown. */
export function parseResults(text) {
  const records = []
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue
    try {
      records.push(JSON.parse(line))
    } catch {
      records.push({check: 'unparsed', line})
    }
  }
  return records
}
