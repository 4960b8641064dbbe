// A real Prometheus for tests: makes sure Debian's `prometheus` package is installed (as root, as CI
// runs; elsewhere the caller skips with the reason), runs one on a free loopback port with its own
// config and storage directory, and queries its HTTP API.
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

function onPath(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0
}

let availability

/**
 * Installs `prometheus` (which brings promtool) with apt-get when missing and this process is root.
 * Returns null when it is there, else the reason it cannot be; under CI (CI set) a missing Prometheus
 * throws instead, so CI never skips the test.
 */
export function ensurePrometheus() {
  availability ??= (() => {
    if (onPath('prometheus') && onPath('promtool')) return null
    if (process.getuid?.() !== 0) return 'prometheus is not installed and installing it needs root: apt-get install prometheus'
    const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'}
    const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus'], {env, encoding: 'utf8', timeout: 600_000})
    let result = install()
    if (result.status !== 0) {
      spawnSync('apt-get', ['update'], {env, timeout: 600_000})
      result = install()
    }
    if (result.status === 0 && onPath('prometheus') && onPath('promtool')) return null
    return `apt-get install prometheus failed: ${(result.stderr || result.error?.message || '').trim().split('\n').pop()}`
  })()
  if (availability && process.env.CI) throw new Error(`CI needs Prometheus: ${availability}`)
  return availability
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** `promtool check metrics` over an exposition: {status, output}. */
export function promtoolCheckMetrics(text) {
  const result = spawnSync('promtool', ['check', 'metrics'], {input: text, encoding: 'utf8'})
  return {status: result.status, output: `${result.stdout}${result.stderr}`}
}

/** Starts Prometheus scraping `target` ("host:port") every second; resolves once it is ready. */
export async function startPrometheus(target) {
  const dir = mkdtempSync(join(tmpdir(), 'uringctl-prometheus-'))
  const port = await freePort()
  writeFileSync(join(dir, 'prometheus.yml'), [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    'scrape_configs:',
    '  - job_name: uringctl',
    '    static_configs:',
    `      - targets: ['${target}']`,
    '',
  ].join('\n'))
  const child = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], {stdio: ['ignore', 'ignore', 'pipe']})
  let log = ''
  child.stderr.on('data', (d) => { log += d })
  const exited = new Promise((resolve) => child.on('close', resolve))
  const base = `http://127.0.0.1:${port}`
  const prometheus = {
    base,
    log: () => log,
    async api(path) {
      const response = await fetch(`${base}${path}`)
      const body = await response.json()
      if (body.status !== 'success') throw new Error(`${path}: ${JSON.stringify(body)}`)
      return body.data
    },
    /** The value of an instant query with one series, or null while it has none. */
    async value(query) {
      const data = await prometheus.api(`/api/v1/query?query=${encodeURIComponent(query)}`)
      return data.result.length > 0 ? Number(data.result[0].value[1]) : null
    },
    async stop() {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
      rmSync(dir, {recursive: true, force: true})
    },
  }
  try {
    await waitFor(async () => (await fetch(`${base}/-/ready`)).ok, 60_000, () => `Prometheus did not get ready: ${log}`)
  } catch (error) {
    await prometheus.stop()
    throw error
  }
  return prometheus
}

/** Polls `check` (200 ms apart) until it returns a truthy value; fails after `limitMs` (a hang guard). */
export async function waitFor(check, limitMs, describe) {
  const until = Date.now() + limitMs
  for (;;) {
    try {
      const value = await check()
      if (value) return value
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(describe())
    await new Promise((r) => setTimeout(r, 200))
  }
}

export function prometheusVersion() {
  return execFileSync('prometheus', ['--version'], {encoding: 'utf8'}).split('\n')[0]
}
