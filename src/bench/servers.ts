// The servers `echo bench --compare` measures: started as child processes that print the `echo serve
// --json` listening line first, pinned to their own CPUs, and always stopped (SIGTERM, then SIGKILL).
import {type ChildProcess, spawn} from 'node:child_process'
import {accessSync, constants} from 'node:fs'
import {delimiter, join} from 'node:path'
import {createInterface} from 'node:readline'

import {packageRoot} from '../native/addon.js'
import {benchNative} from './native.js'

export type ServerKind = 'io_uring' | 'epoll' | 'node'

export interface ListeningLine {
  event: 'listening'
  backend: string
  host: string
  port: number
  pid: number
  threads: number
}

export interface ServerExit {
  code: number | null
  signal: string | null
}

export interface RunningServer {
  kind: ServerKind
  command: string
  pid: number
  listening: ListeningLine
  exitedEarly(): ServerExit | null // set when the server ended before we stopped it
  stop(): Promise<ServerExit>
}

export class ServerStartError extends Error {
  constructor(message: string, readonly exit: ServerExit | null) {
    super(message)
  }
}

const running = new Set<ChildProcess>()
let exitHookInstalled = false

/** The command line that starts each server, on loopback, on a free port, with one engine thread. */
export function serverArgv(kind: ServerKind): string[] {
  if (kind === 'node') return [join(packageRoot, 'dist', 'bench', 'node-echo-server.js'), '--host', '127.0.0.1', '--port', '0']
  // --stats 0: no periodic stats lines, whose timer would be counted in the server's CPU time.
  return [join(packageRoot, 'bin', 'run.js'), 'echo', 'serve', '--backend', kind, '--port', '0', '--host', '127.0.0.1', '--threads', '1', '--stats', '0', '--json']
}

export async function startServer(kind: ServerKind, cpus: number[], startTimeoutMs = 20_000): Promise<RunningServer> {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const child of running) child.kill('SIGKILL')
    })
  }
  const argv = serverArgv(kind)
  const command = ['node', ...argv.map((a) => a.replace(`${packageRoot}/`, ''))].join(' ')
  // Its own process group: a Ctrl-C at the terminal stops our run, and we stop the server ourselves.
  // If we die without stopping it (even by SIGKILL), the kernel kills it: PR_SET_PDEATHSIG, set by setpriv.
  const [file, args] = diesWithUs(argv)
  const child = spawn(file, args, {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}, detached: true})
  running.add(child)
  let exit: ServerExit | null = null
  const exited = new Promise<ServerExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child)
      exit = {code, signal}
      resolve(exit)
    })
  })
  let stderr = ''
  child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-4000) })
  // Keep reading stdout for the whole run: a full pipe would stall the server's stats lines.
  const lines = createInterface({input: child.stdout!})
  const firstLine = new Promise<string | null>((resolve) => {
    lines.once('line', resolve)
    lines.once('close', () => resolve(null))
  })
  const outputEnded = new Promise((resolve) => lines.once('close', resolve))
  // Readline emits every line of a chunk at once: collect from the start, or lines after the first are lost.
  let output = ''
  lines.on('line', (line) => { if (output.length < 8000) output += `${line}\n` })
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), startTimeoutMs) })
  const first = await Promise.race([firstLine, timeout])
  clearTimeout(timer)

  const fail = async (why: string): Promise<never> => {
    child.kill('SIGKILL')
    const status = await exited
    throw new ServerStartError(why, status)
  }
  if (first === 'timeout') return fail(`${command} printed no listening line within ${startTimeoutMs / 1000} s`)
  const listening = parseJson(first) as ListeningLine | null
  if (!listening || listening.event !== 'listening' || typeof listening.port !== 'number') {
    await Promise.race([Promise.all([exited, outputEnded]), new Promise((r) => setTimeout(r, 2000))])
    // A refusal under --json is one error object, possibly spread over several lines.
    const refusal = parseJson(output.trim()) as {error?: {message?: string}} | null
    const said = refusal?.error?.message || lastLine(stderr) || (first ? first.slice(0, 200) : `exited with ${describeExit(exit)}`)
    return fail(`${command}: ${said}`)
  }
  const pid = listening.pid || child.pid!
  if (cpus.length) {
    const pinned = benchNative().benchPinProcess(pid, cpus)
    if (pinned < 0) return fail(`could not pin ${command} (pid ${pid}) to CPU ${cpus.join(',')}: errno ${-pinned}`)
  }
  return {
    kind,
    command,
    pid,
    listening,
    exitedEarly: () => exit,
    async stop() {
      if (exit) return exit
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000)
      const result = await exited
      clearTimeout(killer)
      return result
    },
  }
}

let setprivPath: string | null | undefined

/**
 * The server's command line under util-linux `setpriv --pdeathsig KILL`, which sets the parent-death
 * signal and execs node in the same process: the server never outlives this bench, however it ends.
 * Without setpriv on PATH the server runs as is (the exit hook still kills it on any orderly exit).
 */
function diesWithUs(argv: string[]): [string, string[]] {
  if (setprivPath === undefined) setprivPath = findOnPath('setpriv')
  return setprivPath ? [setprivPath, ['--pdeathsig', 'KILL', process.execPath, ...argv]] : [process.execPath, argv]
}

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    if (!dir) continue
    try {
      accessSync(join(dir, name), constants.X_OK)
      return join(dir, name)
    } catch {}
  }
  return null
}

function parseJson(text: string | null): unknown {
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/^\s*(›\s*)?(Error:\s*)?/, '').trim()).filter(Boolean)
  return lines.at(-1) ?? ''
}

export function describeExit(exit: ServerExit | null): string {
  if (!exit) return 'no exit status'
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`
}
