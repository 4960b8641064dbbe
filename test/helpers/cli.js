// Spawns the real CLI (bin/run.js) and collects its output and exit code.
import {spawn} from 'node:child_process'
import {join} from 'node:path'

export const root = join(import.meta.dirname, '..', '..')
export const runJs = join(root, 'bin', 'run.js')

/**
 * Runs `uringctl ...args` to completion. Options: env (merged over a colourless, non-TTY env;
 * a name set to undefined is removed),
 * timeoutMs (kills the process and fails), input, wrap (argv prefix such as ['setpriv', ...]).
 */
export function runCli(args, options = {}) {
  const env = {...process.env, NO_COLOR: '1', ...options.env}
  delete env.FORCE_COLOR
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name]
  const argv = [...(options.wrap ?? []), process.execPath, runJs, ...args]
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {env, cwd: options.cwd ?? root, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`uringctl ${args.join(' ')} did not finish within ${options.timeoutMs ?? 60000} ms`))
    }, options.timeoutMs ?? 60000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stdout, stderr, json: () => JSON.parse(stdout)})
    })
    child.stdin.end(options.input ?? '')
  })
}
