// echo serve --metrics: the exposition passes promtool, a real Prometheus scrapes it and sees traffic
// move the counters, and a bad or busy --metrics address is refused like a bad --port.
import assert from 'node:assert/strict'
import net from 'node:net'
import {after, before, describe, test} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {ensurePrometheus, promtoolCheckMetrics, startPrometheus, waitFor} from '../helpers/prometheus.js'
import {startServer, whileIoUringDisabledElsewhere} from './harness.js'

const missing = ensurePrometheus()

async function scrape(url) {
  const response = await fetch(url)
  assert.equal(response.status, 200)
  assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  return response.text()
}

/** The value of one sample line of an exposition, e.g. sampleValue(text, 'process_open_fds'). */
function sampleValue(text, series) {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

function bench(port, seconds) {
  return runCli(['echo', 'bench', '--host', '127.0.0.1', '--port', String(port), '--duration', String(seconds), '--connections', '4', '--json'], {timeoutMs: 60_000})
}

for (const backend of ['io_uring', 'epoll']) {
  describe(`echo serve --backend ${backend} --metrics`, {skip: missing ?? false}, () => {
    let server
    before(async () => {
      server = await startServer(['--backend', backend, '--host', '127.0.0.1', '--threads', '2', '--metrics', '127.0.0.1:0'])
    })
    after(async () => {
      if (server && !server.exit) await server.stop()
    })

    test('the listening event names the endpoint; a loaded server\'s exposition passes promtool check metrics', {timeout: 120_000}, async () => {
      assert.match(server.listening.metrics, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
      const load = bench(server.port, 2)
      // Scraped while the load runs.
      await new Promise((r) => setTimeout(r, 1000))
      const text = await scrape(server.listening.metrics)
      const result = await load
      assert.equal(result.code, 0, result.stderr)
      const check = promtoolCheckMetrics(text)
      assert.equal(check.status, 0, `promtool check metrics: ${check.output}`)
      assert.equal(check.output.trim(), '', 'no lint findings')
      assert.match(text, /^# TYPE uringctl_echo_messages_total counter$/m)
      assert.match(text, /^# TYPE uringctl_echo_connections gauge$/m)
      assert.match(text, new RegExp(`^uringctl_echo_info\\{backend="${backend}",`, 'm'))
      for (const thread of ['0', '1']) assert.match(text, new RegExp(`^uringctl_echo_messages_total\\{thread="${thread}"\\} \\d+$`, 'm'))
      for (const kind of ['reset', 'accept_fd_limit', 'no_buffers', 'cq_overflow', 'read_pause', 'short_send', 'aborted', 'alloc_failure', 'other']) {
        assert.match(text, new RegExp(`^uringctl_echo_errors_total\\{thread="0",kind="${kind}"\\} \\d+$`, 'm'))
      }
      const fds = sampleValue(text, 'process_open_fds')
      assert.ok(fds > 4, `process_open_fds ${fds}`)
      assert.ok(sampleValue(text, 'process_resident_memory_bytes') > 1 << 20)
      assert.ok(sampleValue(text, 'process_cpu_seconds_total') > 0)
    })

    test('after the load, the counters add up to the summary the server prints', {timeout: 120_000}, async () => {
      const text = await scrape(server.listening.metrics)
      const sum = (name) => text.split('\n').filter((l) => l.startsWith(`${name}{`)).reduce((n, l) => n + Number(l.split(' ').pop()), 0)
      const summary = await server.stop()
      assert.equal(sum('uringctl_echo_messages_total'), summary.messages)
      assert.equal(sum('uringctl_echo_received_bytes_total'), summary.bytesIn)
      assert.equal(sum('uringctl_echo_connections_accepted_total'), summary.connectionsServed)
      assert.ok(summary.messages > 0)
    })
  })
}

describe('a real Prometheus scrapes echo serve', {skip: missing ?? false}, () => {
  let server
  let prometheus
  before(async () => {
    server = await startServer(['--host', '127.0.0.1', '--threads', '2', '--metrics', '127.0.0.1:0'])
    prometheus = await startPrometheus(new URL(server.listening.metrics).host)
  })
  after(async () => {
    await prometheus?.stop()
    if (server && !server.exit) await server.stop()
  })

  test('the target is up, and uringctl_echo_messages_total moves from 0 after echo bench traffic', {timeout: 180_000}, async () => {
    const targets = await waitFor(async () => {
      const data = await prometheus.api('/api/v1/targets')
      return data.activeTargets.length === 1 && data.activeTargets[0].health === 'up' && data.activeTargets
    }, 60_000, () => `the target never came up: ${prometheus.log()}`)
    assert.equal(targets[0].labels.job, 'uringctl')
    assert.equal(await prometheus.value('up{job="uringctl"}'), 1)
    const before = await waitFor(() => prometheus.value('sum(uringctl_echo_messages_total)').then((v) => v !== null && {v}), 60_000, () => 'no sample of uringctl_echo_messages_total')
    assert.equal(before.v, 0, 'no traffic yet')
    const result = await bench(server.port, 1)
    assert.equal(result.code, 0, result.stderr)
    const moved = await waitFor(async () => {
      const v = await prometheus.value('sum(uringctl_echo_messages_total)')
      return v > 0 && v
    }, 60_000, () => 'uringctl_echo_messages_total never moved in Prometheus')
    assert.ok(moved > 0)
    const info = await prometheus.api(`/api/v1/query?query=${encodeURIComponent('uringctl_echo_info')}`)
    assert.equal(info.result[0].metric.backend, 'io_uring')
    // Bench's four connections, once a scrape after the run has landed.
    await waitFor(async () => (await prometheus.value('sum(uringctl_echo_connections_accepted_total)')) === 4, 60_000, () => 'accepted never reached 4')
  })
})

test('--metrics [::1]:0: IPv6 loopback; /metrics answers GET and HEAD, / links to it, anything else is 404', {timeout: 60_000}, async () => {
  const server = await startServer(['--backend', 'epoll', '--threads', '1', '--metrics', '[::1]:0'])
  try {
    const url = server.listening.metrics
    assert.match(url, /^http:\/\/\[::1\]:\d+\/metrics$/)
    assert.match(await scrape(url), /^uringctl_echo_info\{backend="epoll",/m)
    const head = await fetch(url, {method: 'HEAD'})
    assert.equal(head.status, 200)
    assert.equal(await head.text(), '')
    assert.match(await (await fetch(new URL('/', url))).text(), /href="\/metrics"/)
    assert.equal((await fetch(new URL('/other', url))).status, 404)
    assert.equal((await fetch(url, {method: 'POST'})).status, 405)
  } finally {
    await server.stop()
  }
})

test('--metrics that is not HOST:PORT: exit 2 with the form to use, nothing started', async () => {
  for (const bad of ['9464', 'localhost', '127.0.0.1:99999', '[127.0.0.1]:9464', '::1:9464']) {
    const result = await runCli(['echo', 'serve', '--port', '0', '--metrics', bad])
    assert.equal(result.code, 2, `${bad}: ${result.stderr}`)
    assert.match(result.stderr, /^Error: --metrics .*(HOST:PORT|brackets hold an IPv6|the port must be from 0 to 65535)/)
    assert.equal(result.stderr.trim().split('\n').length, 1)
  }
})

test('--metrics on a port in use: exit 3; on an address not of this machine: exit 5; under --json too', {timeout: 60_000}, async () => {
  await whileIoUringDisabledElsewhere()
  const holder = net.createServer()
  await new Promise((resolve) => holder.listen(0, '127.0.0.1', resolve))
  try {
    const busy = `127.0.0.1:${holder.address().port}`
    const human = await runCli(['echo', 'serve', '--port', '0', '--metrics', busy])
    assert.equal(human.code, 3, human.stderr)
    assert.match(human.stderr, /^Error: --metrics: cannot listen on 127\.0\.0\.1:\d+: the port is already in use \(EADDRINUSE\)/)
    assert.equal(human.stdout, '')
    const json = await runCli(['echo', 'serve', '--port', '0', '--metrics', busy, '--json'])
    assert.equal(json.code, 3)
    assert.equal(json.json().error.code, 'ADDRESS_IN_USE')
    const foreign = await runCli(['echo', 'serve', '--port', '0', '--metrics', '192.0.2.1:9464'])
    assert.equal(foreign.code, 5, foreign.stderr)
    assert.match(foreign.stderr, /--metrics: cannot listen on 192\.0\.2\.1:9464: not an address of this machine \(EADDRNOTAVAIL\)/)
  } finally {
    holder.close()
  }
})

test('--metrics on a privileged port as an unprivileged user: exit 4, before the echo port opens', {timeout: 60_000, skip: process.getuid() !== 0 && 'needs root to switch user'}, async () => {
  const r = await runCli(['echo', 'serve', '--port', '0', '--host', '127.0.0.1', '--metrics', '127.0.0.1:81'], {
    wrap: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all'],
    env: {HOME: '/tmp'},
  })
  assert.equal(r.code, 4, r.stderr)
  assert.match(r.stderr, /^Error: --metrics: cannot listen on 127\.0\.0\.1:81: permission denied \(EACCES\); ports below 1024 need root or CAP_NET_BIND_SERVICE/)
  assert.equal(r.stdout, '', 'never listened')
})
