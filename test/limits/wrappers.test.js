// Wrapper detection on real process chains: the invoking shell is found past sh -c, npm exec and env.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {jsonBetween, prlimitOf, startShell, uringctl} from './processes.js'

test('bash -> sh -c -> node bin/run.js: the sh -c is skipped, the bash chosen', async () => {
  const shell = startShell(`ulimit -Sn 777\necho __BEGIN__\nsh -c '${uringctl} ulimit --json; true'\necho __END__`)
  try {
    const report = jsonBetween((await shell.done()).stdout, '__BEGIN__', '__END__')
    assert.equal(report.target.pid, shell.pid)
    assert.equal(report.target.comm, 'bash')
    assert.equal(report.target.skipped.length, 1)
    assert.equal(report.target.skipped[0].comm, 'sh')
    assert.deepEqual(report.target.skipped[0].commandLine, ['sh', '-c', `${uringctl} ulimit --json; true`])
    assert.match(report.target.skipped[0].reason, new RegExp(`inside the shell pid ${shell.pid}`))
    assert.deepEqual(report.limits.nofile, prlimitOf(shell.pid).nofile)
    assert.equal(report.limits.nofile.soft, 777)
  } finally {
    await shell.close()
  }
})

test('bash -> env sh -c that changes its own limit first: that sh is the invoking shell', async () => {
  const shell = startShell(`echo __BEGIN__\nenv FOO=1 sh -c 'ulimit -Sn 555; ${uringctl} ulimit --json; true'\necho __END__`)
  try {
    const report = jsonBetween((await shell.done()).stdout, '__BEGIN__', '__END__')
    assert.equal(report.target.comm, 'sh')
    assert.notEqual(report.target.pid, shell.pid)
    assert.equal(report.limits.nofile.soft, 555)
  } finally {
    await shell.close()
  }
})

test('bash -> npm exec (Node, raised soft limit) -> sh -c -> node bin/run.js: npm and its sh are skipped', async () => {
  const shell = startShell(`ulimit -Sn 777\necho __BEGIN__\nnpm exec --offline --yes=false -c '${uringctl} ulimit --json'\necho __END__`, {
    env: {npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false'},
  })
  try {
    const report = jsonBetween((await shell.done()).stdout, '__BEGIN__', '__END__')
    assert.equal(report.target.pid, shell.pid)
    assert.equal(report.limits.nofile.soft, 777)
    assert.deepEqual(report.limits.nofile, prlimitOf(shell.pid).nofile)
    const reasons = report.target.skipped.map((s) => s.reason)
    assert.ok(reasons.some((r) => r.startsWith('package runner')), JSON.stringify(report.target.skipped))
    assert.ok(report.target.skipped.some((s) => s.comm === 'sh' && /started by a wrapper/.test(s.reason)), JSON.stringify(report.target.skipped))
  } finally {
    await shell.close()
  }
})
