// Echo servers for the echo bench tests: the faulty fixture server and our shipped Node net server, as
// child processes that print the `echo serve --json` listening line; always stopped by the caller.
import {spawn} from 'node:child_process'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

import {root} from '../helpers/cli.js'

export const faultyServer = join(root, 'test', 'fixtures', 'bench', 'faulty-echo-server.js')
export const nodeServer = join(root, 'dist', 'bench', 'node-echo-server.js')

/** Starts `node script ...args` and resolves {port, pid, stop()} once it prints its listening line. */
export function startServer(script, args = []) {
  const child = spawn(process.execPath, [script, ...args], {stdio: ['ignore', 'pipe', 'inherit']})
  const exited = new Promise((resolve) => child.once('exit', resolve))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${script} printed no listening line`))
    }, 10000)
    const lines = createInterface({input: child.stdout})
    // The fixture server prints {"event":"connection"} as each connection arrives.
    const connected = new Promise((resolveConnected) => {
      lines.on('line', (line) => { if (line.includes('"connection"')) resolveConnected() })
    })
    lines.once('line', (line) => {
      clearTimeout(timer)
      const listening = JSON.parse(line)
      resolve({
        port: listening.port,
        pid: child.pid,
        connected,
        async stop() {
          child.kill('SIGTERM')
          await exited
        },
      })
    })
  })
}

export const startFaulty = (mode) => startServer(faultyServer, [mode])

/** A loopback port nobody listens on: bind one, note it, close it. */
export function unusedPort(host = '127.0.0.1') {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, host, () => {
      const {port} = server.address()
      server.close(() => resolve(port))
    })
  })
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
