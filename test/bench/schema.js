// The documented --json shape of `uringctl echo bench` and a checker, shared by the bench tests.
import assert from 'node:assert/strict'

// The documented --json shape (README, `uringctl echo bench`): every key, with its type.
export const benchReportSchema = {
  target: {host: 'string', address: 'string', port: 'number', destinations: 'array'},
  config: {
    connections: 'number', connectRate: 'number|null', messageRate: 'number|null', size: {min: 'number', max: 'number'}, pipeline: 'number', durationSeconds: 'number|null',
    messages: 'number|null', warmupSeconds: 'number', threads: 'number', rate: 'number|null', pin: 'array', timeoutSeconds: 'number',
  },
  client: {backend: 'string', backendNote: 'string|null', cpuSeconds: 'number', cpuMicrosPerMessage: 'number|null', cpuUtilization: 'number', waitsPerMessage: 'number|null'},
  server: 'object|null',
  kernel: 'object|null',
  windowSeconds: 'number',
  messages: 'number',
  bytes: 'number',
  messagesPerSecond: 'number',
  bytesPerSecond: 'number',
  latencyMicros: {min: 'number', mean: 'number', p50: 'number', p90: 'number', p99: 'number', p999: 'number', max: 'number'},
  verifiedBytes: 'number',
  connections: {requested: 'number', established: 'number', aliveAtEnd: 'number', connectSeconds: 'number'},
  errors: {connect: 'number', mismatch: 'number', shortEcho: 'number', closedEarly: 'number', reset: 'number', timeout: 'number', total: 'number'},
  firstError: 'string|null',
  openLoop: 'object|null',
  stopped: 'boolean',
  verdict: 'string',
  exitCode: 'number',
}

export function assertShape(value, shape, path = 'report') {
  if (typeof shape === 'string') {
    const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
    assert.ok(shape.split('|').includes(type), `${path} is ${type}, expected ${shape}`)
    return
  }
  assert.equal(typeof value, 'object', `${path} is an object`)
  assert.deepEqual(Object.keys(value).sort(), Object.keys(shape).sort(), `${path} has exactly the documented keys`)
  for (const key of Object.keys(shape)) assertShape(value[key], shape[key], `${path}.${key}`)
}
