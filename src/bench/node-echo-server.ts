#!/usr/bin/env node
// Node's own `net` echo server, the baseline `uringctl echo bench --compare --with-node` measures.
// It keeps the `echo serve --json` contract: the first stdout line is
// {"event":"listening","backend":"node","host":...,"port":N,"pid":N,"threads":1}; SIGTERM stops it.
import {createServer, type Socket} from 'node:net'
import {parseArgs} from 'node:util'

const {values} = parseArgs({options: {host: {type: 'string', default: '127.0.0.1'}, port: {type: 'string', default: '0'}}})
const sockets = new Set<Socket>()
let connections = 0

const server = createServer({noDelay: true}, (socket) => {
  connections++
  sockets.add(socket)
  socket.on('close', () => sockets.delete(socket))
  socket.on('error', () => socket.destroy())
  socket.pipe(socket)
})

server.on('error', (error: NodeJS.ErrnoException) => {
  process.stdout.write(`${JSON.stringify({error: {code: error.code ?? 'LISTEN', message: error.message}})}\n`)
  process.exit(3)
})

server.listen(Number(values.port), values.host, () => {
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('not a TCP server')
  const line = {event: 'listening', backend: 'node', host: address.address, port: address.port, pid: process.pid, threads: 1}
  process.stdout.write(`${JSON.stringify(line)}\n`)
})

function stop() {
  server.close()
  for (const socket of sockets) socket.destroy()
  process.stdout.write(`${JSON.stringify({event: 'stopped', backend: 'node', connections})}\n`, () => process.exit(0))
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
