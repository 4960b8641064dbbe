#!/usr/bin/env node
// Writes oclif.manifest.json from the compiled commands (what `oclif manifest` does), so the manifest
// cannot drift from the code: `--check` exits 1 when the committed file differs (run by the tests).
import {Plugin} from '@oclif/core'
import {readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const manifestPath = join(root, 'oclif.manifest.json')

export async function renderManifest() {
  const plugin = new Plugin({root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, isRoot: true})
  await plugin.load()
  // Commands in id order: oclif finds command files in whatever order the file system answers under load.
  const commands = Object.fromEntries(Object.entries(plugin.manifest.commands).sort(([a], [b]) => a.localeCompare(b)))
  return `${JSON.stringify({...plugin.manifest, commands}, null, 2)}\n`
}

const rendered = await renderManifest()
if (process.argv.includes('--check')) {
  let current = ''
  try { current = readFileSync(manifestPath, 'utf8') } catch {}
  if (current !== rendered) {
    console.error('oclif.manifest.json is stale: run `npm run build` and commit it')
    process.exit(1)
  }
} else {
  writeFileSync(manifestPath, rendered)
}
