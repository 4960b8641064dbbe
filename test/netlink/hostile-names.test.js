// An interface name may hold ANSI escapes and bidi overrides (the kernel refuses only '/', ':' and
// whitespace): tcp-data-split check must never print one raw, in its tables or in its errors.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {after, before, describe, test} from 'node:test'

import {runCli} from '../helpers/cli.js'

describe('interface names with escape sequences', {skip: process.getuid() !== 0 && 'needs root for ip netns'}, () => {
  const netns = `uringctl-names-${process.pid}`
  const hostile = 'h\u001b[31mx\u202e'
  const ip = (...args) => execFileSync('ip', args, {stdio: 'pipe'})
  const inNetns = (args) => runCli(args, {wrap: ['ip', 'netns', 'exec', netns]})
  const raw = /[\u001b\u202e]/

  before(() => {
    ip('netns', 'add', netns)
    ip('-n', netns, 'link', 'add', hostile, 'type', 'veth', 'peer', 'name', 'plain0')
  })
  after(() => {
    ip('netns', 'del', netns)
  })

  test('the table and the zcrx checks show the name escaped', async () => {
    const r = await inNetns(['tcp-data-split', 'check', '--zcrx'])
    assert.equal(r.code, 3, r.stderr)
    assert.doesNotMatch(r.stdout, raw)
    assert.match(r.stdout, /h\\e\[31mx\\u\{202e\}/)
    assert.match(r.stdout, /zero-copy receive on h\\e\[31mx\\u\{202e\}: not ready/)
  })

  test('the no-such-interface error lists it escaped and quoted; --json keeps the real name', async () => {
    const r = await inNetns(['tcp-data-split', 'check', 'nosuch0'])
    assert.equal(r.code, 4)
    assert.doesNotMatch(r.stderr, raw)
    assert.match(r.stderr, /^Error: no such interface: "nosuch0" \(interfaces in this network namespace: lo, .*"h\\e\[31mx\\u\{202e\}"/)
    const json = await inNetns(['tcp-data-split', 'check', hostile, '--json'])
    assert.equal(json.json().interfaces[0].name, hostile)
  })
})
