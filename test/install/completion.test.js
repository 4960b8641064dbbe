// Shell completion (@oclif/plugin-autocomplete, a core plugin: it loads though bin/run.js loads no user
// plugins): the setup line the user adds to their shell, then real bash and zsh completing what is typed.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'

import {runCli} from '../helpers/cli.js'

let cache
const zsh = ['/usr/bin/zsh', '/bin/zsh'].find((p) => existsSync(p))

before(async () => {
  cache = mkdtempSync(join(tmpdir(), 'uringctl-completion-'))
  const r = await runCli(['autocomplete', '--refresh-cache'], {env: {XDG_CACHE_HOME: cache}})
  assert.equal(r.code, 0, r.stderr)
})

after(() => rmSync(cache, {recursive: true, force: true}))

async function setupLine(shell) {
  const r = await runCli(['autocomplete', 'script', shell], {env: {XDG_CACHE_HOME: cache}})
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`URINGCTL_AC_${shell.toUpperCase()}_SETUP_PATH=${cache}/uringctl/autocomplete/${shell}_setup`))
  return r.stdout.trim()
}

describe('bash', () => {
  // What bash's programmable completion does on Tab: set COMP_WORDS/COMP_CWORD, call the function, read COMPREPLY.
  function complete(setup, words) {
    const script = `${setup}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}\n_uringctl_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}"`
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {encoding: 'utf8', timeout: 30_000})
    assert.equal(r.status, 0, r.stderr)
    return r.stdout.split('\n').filter(Boolean).map((w) => w.trim())
  }

  test('completes commands, topics, subcommands and flags', async () => {
    const setup = await setupLine('bash')
    const top = complete(setup, ['uringctl', ''])
    for (const name of ['probe', 'ulimit', 'echo', 'tcp-data-split', 'autocomplete']) assert.ok(top.includes(name), `${name} not in ${top}`)
    assert.deepEqual(complete(setup, ['uringctl', 'echo', '']).sort(), ['bench', 'serve'])
    assert.deepEqual(complete(setup, ['uringctl', 'probe', '--f']).sort(), ['--format', '--functional'])
  })
})

describe('zsh', () => {
  test('completes a subcommand and a flag at an interactive zsh', async (t) => {
    if (!zsh) return t.skip('zsh is not installed (apt-get install zsh)')
    await setupLine('zsh')
    const functions = join(cache, 'uringctl', 'autocomplete', 'functions', 'zsh')
    const complete = (typed, expected) => {
      const r = spawnSync(zsh, ['-f', join(import.meta.dirname, 'zsh-complete.zsh'), functions, typed, expected], {encoding: 'utf8', timeout: 60_000, env: {...process.env, HOME: cache}})
      assert.equal(r.status, 0, r.stderr)
      return r.stdout.trim()
    }
    for (const [typed, expected] of [
      ['uringctl echo se', 'uringctl echo serve'],
      ['uringctl probe --fo', 'uringctl probe --format'],
      ['uringctl tcp-d', 'uringctl tcp-data-split'],
    ]) assert.equal(complete(typed, expected), expected)
  })
})
