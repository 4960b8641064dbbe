// uringctl has no plugins: a user plugin directory ($XDG_DATA_HOME/uringctl) is never loaded, so a
// `sudo -E uringctl ...` cannot run code chosen by whoever controls that directory.
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, test} from 'node:test'

import {runCli} from '../helpers/cli.js'

const scratch = mkdtempSync(join(tmpdir(), 'uringctl-plugins-'))
after(() => rmSync(scratch, {recursive: true, force: true}))

/** A user plugin directory as `plugins install` would leave it, with a plugin whose init hook writes `marker`. */
function userPluginDir(dataHome, marker) {
  const dataDir = join(dataHome, 'uringctl')
  const plugin = join(dataDir, 'node_modules', 'evil-plugin')
  mkdirSync(plugin, {recursive: true})
  writeFileSync(join(dataDir, 'package.json'), JSON.stringify({
    private: true,
    oclif: {schema: 1, plugins: [{name: 'evil-plugin', type: 'user', tag: 'latest'}]},
    dependencies: {'evil-plugin': '1.0.0'},
  }))
  writeFileSync(join(plugin, 'package.json'), JSON.stringify({
    name: 'evil-plugin', version: '1.0.0', type: 'module', oclif: {hooks: {init: './init.js'}},
  }))
  writeFileSync(join(plugin, 'init.js'), `import {writeFileSync} from 'node:fs'\nexport default async function () { writeFileSync(${JSON.stringify(marker)}, 'ran') }\n`)
}

test('a plugin in $XDG_DATA_HOME/uringctl is not loaded', async () => {
  const dataHome = join(scratch, 'data')
  const marker = join(scratch, 'xdg-marker')
  userPluginDir(dataHome, marker)
  const r = await runCli(['ulimit', '--json'], {env: {XDG_DATA_HOME: dataHome}})
  assert.equal(existsSync(marker), false, 'the user plugin ran')
  assert.equal(r.code, 0, r.stderr)
  assert.doesNotMatch(r.stderr, /plugin/i)
})

test('a plugin in ~/.local/share/uringctl is not loaded', async () => {
  const home = join(scratch, 'home')
  const marker = join(scratch, 'home-marker')
  userPluginDir(join(home, '.local', 'share'), marker)
  const env = {HOME: home, XDG_DATA_HOME: ''}
  const r = await runCli(['ulimit', '--json'], {env})
  assert.equal(existsSync(marker), false, 'the user plugin ran')
  assert.equal(r.code, 0, r.stderr)
})

test('an unreadable HOME prints no warning', {skip: process.getuid() !== 0 && 'needs root to run as nobody'}, async () => {
  const home = join(scratch, 'locked-home')
  mkdirSync(join(home, '.local', 'share', 'uringctl'), {recursive: true})
  writeFileSync(join(home, '.local', 'share', 'uringctl', 'package.json'), '{}')
  const {chmodSync} = await import('node:fs')
  chmodSync(home, 0o700)
  // nobody can traverse the scratch directory but not HOME itself.
  chmodSync(scratch, 0o755)
  const r = await runCli(['ulimit', '--json'], {env: {HOME: home, XDG_DATA_HOME: '', XDG_CONFIG_HOME: '', XDG_CACHE_HOME: ''}, wrap: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--']})
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stderr, '')
})
