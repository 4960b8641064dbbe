// uringctl ulimit inside a network namespace of its own: host-wide net sysctls (net.ipv4.tcp_mem) are absent
// there, as in most containers. They are reported absent and the plan checks they feed are unknown, never an error.
import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {after, before, describe, test} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {assertSchema} from '../helpers/schemas.js'

const hasIpNetns = spawnSync('ip', ['netns', 'list'], {stdio: 'ignore'}).status === 0
const skip = process.getuid() !== 0 ? 'needs root for ip netns' : hasIpNetns ? false : 'ip netns (iproute2) is missing'

describe('ulimit in a network namespace without the host-wide tcp_mem', {skip}, () => {
  const netns = `uringctl-limits-${process.pid}`
  const ip = (...args) => execFileSync('ip', args, {stdio: 'pipe'})
  const inNetns = (args) => runCli(args, {wrap: ['ip', 'netns', 'exec', netns]})
  let tcpMemAbsent

  before(() => {
    ip('netns', 'add', netns)
    // What this kernel shows inside the namespace decides what the report must say (absent on every kernel so far).
    tcpMemAbsent = spawnSync('ip', ['netns', 'exec', netns, 'test', '-e', '/proc/sys/net/ipv4/tcp_mem']).status !== 0
  })
  after(() => {
    ip('netns', 'del', netns)
  })

  test('the report exits 0 and shows tcp_mem as absent', async () => {
    const r = await inNetns(['ulimit', '--self'])
    assert.equal(r.code, 0, r.stderr)
    assert.doesNotMatch(r.stderr, /internal error/)
    assert.match(r.stdout, /net\.ipv4\.ip_local_port_range/)
    if (tcpMemAbsent) assert.match(r.stdout, /net\.ipv4\.tcp_mem\s*\|\s*absent\s*\|\s*absent here: host-wide/)
    else assert.match(r.stdout, /net\.ipv4\.tcp_mem\s*\|\s*\d+ \d+ \d+/)
  })

  test('--connections --json: tcp_mem null, its two checks unknown with the reason, the rest checked', async () => {
    const r = await inNetns(['ulimit', '--self', '--connections', '1000', '--json'])
    assert.equal(r.code, 0, r.stderr)
    const report = r.json()
    assertSchema('ulimit', report)
    const checks = Object.fromEntries(report.plan.checks.map((check) => [check.id, check]))
    assert.equal(checks['nofile-hard'].status, 'pass')
    assert.equal(checks['net.core.somaxconn'].have, Number(execFileSync('ip', ['netns', 'exec', netns, 'cat', '/proc/sys/net/core/somaxconn'], {encoding: 'utf8'})))
    if (!tcpMemAbsent) return
    assert.equal(report.host.tcpMem, null)
    assert.deepEqual(report.host.absentSysctls, ['net.ipv4.tcp_mem'])
    for (const id of ['tcp_mem-high', 'tcp_mem-pressure']) {
      assert.equal(checks[id].status, 'unknown')
      assert.equal(checks[id].have, null)
      assert.match(checks[id].explanation, /^not checked: \/proc\/sys\/net\/ipv4\/tcp_mem is absent/)
      assert.deepEqual(checks[id].fixes, [])
    }
    assert.ok(checks['tcp_mem-high'].need > 0, 'tcp_rmem/tcp_wmem are per namespace, so the need is still computed')
    assert.notEqual(report.plan.status, 'fail')
  })

  test('a client plan and --require on per-namespace sysctls still work', async () => {
    const client = await inNetns(['ulimit', '--self', '--connections', '1000', '--role', 'client', '--json'])
    assert.equal(client.code, 0, client.stderr)
    assert.equal(client.json().plan.checks.find((check) => check.id === 'ports').status, 'pass')
    const required = await inNetns(['ulimit', '--self', '--require', 'net.core.somaxconn>=1,ports>=1', '--json'])
    assert.equal(required.code, 0, required.stderr)
    assert.ok(required.json().requirements.every((requirement) => requirement.met))
  })
})
