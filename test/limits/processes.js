// Real processes for the limits tests: a shell that waits for us, children with unusual limits, and
// independent readings of their limits (util-linux prlimit and /proc/PID/limits) to compare against.
import {execFileSync, spawn} from 'node:child_process'
import {readFileSync, readdirSync} from 'node:fs'
import {once} from 'node:events'

import {root, runJs} from '../helpers/cli.js'

export const uringctl = `${process.execPath} ${runJs}`

/**
 * Starts `bash -c script` that prints its output and then blocks on `read`, so its pid, fds and limits
 * can be checked while it is alive. `until(marker)` waits for a line; `close()` ends it.
 */
export function startShell(script, {env = {}} = {}) {
  const child = spawn('bash', ['-c', `${script}\necho __DONE__\nread -r _`], {cwd: root, env: {...process.env, NO_COLOR: '1', ...env}, stdio: ['pipe', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => { stdout += d })
  child.stderr.on('data', (d) => { stderr += d })
  const exited = once(child, 'exit')
  return {
    pid: child.pid,
    async done() {
      while (!stdout.includes('__DONE__\n')) {
        if (child.exitCode !== null) throw new Error(`shell exited early: ${stderr}`)
        await once(child.stdout, 'data')
      }
      return {stdout: stdout.replace('__DONE__\n', ''), stderr}
    },
    async close() {
      child.stdin.end('\n')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Starts a long-sleeping process (argv after any wrapper such as prlimit), resolving once it runs `sleep`. */
export async function startSleeper(argv) {
  const child = spawn(argv[0], argv.slice(1), {stdio: 'ignore'})
  // prlimit/setpriv exec the sleep: wait until the pid shows it, so we read the final limits.
  for (let i = 0; i < 500; i++) {
    try {
      if (readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim() === 'sleep') break
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return {
    pid: child.pid,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGKILL')
      await exited
    },
  }
}

function limitValue(text) {
  return text === 'unlimited' ? 'unlimited' : Number(text)
}

/** util-linux `prlimit --pid` (run through `wrap`, e.g. setpriv, for another user's process): {nofile: {soft, hard}, memlock: ..., nproc: ...} with "unlimited" as in our JSON. */
export function prlimitOf(pid, {wrap = []} = {}) {
  const argv = [...wrap, 'prlimit', '--pid', String(pid), '--raw', '--noheadings', '--output', 'RESOURCE,SOFT,HARD']
  const out = execFileSync(argv[0], argv.slice(1), {encoding: 'utf8'})
  const limits = {}
  for (const line of out.trim().split('\n')) {
    const [resource, soft, hard] = line.trim().split(/\s+/)
    limits[resource.toLowerCase()] = {soft: limitValue(soft), hard: limitValue(hard)}
  }
  return limits
}

/** /proc/PID/limits read by the kernel's own labels, independently of uringctl's parser. */
export function procLimitsOf(pid) {
  const text = readFileSync(`/proc/${pid}/limits`, 'utf8')
  const row = (label) => {
    const line = text.split('\n').find((l) => l.startsWith(label))
    const [soft, hard] = line.slice(label.length).trim().split(/\s+/)
    return {soft: limitValue(soft), hard: limitValue(hard)}
  }
  return {nofile: row('Max open files'), memlock: row('Max locked memory'), nproc: row('Max processes')}
}

export function openFdsOf(pid) {
  return readdirSync(`/proc/${pid}/fd`).length
}

export function pick(limits) {
  return {nofile: limits.nofile, memlock: limits.memlock, nproc: limits.nproc}
}

/** The JSON document uringctl printed between `begin` and `end` marker lines. */
export function jsonBetween(stdout, begin, end) {
  const start = stdout.indexOf(`${begin}\n`)
  const stop = stdout.indexOf(`${end}\n`, start)
  return JSON.parse(stdout.slice(start + begin.length + 1, stop))
}
