import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {test} from 'node:test'

import {root} from '../helpers/cli.js'

function check(script) {
  try {
    execFileSync(process.execPath, [join(root, 'scripts', script), '--check'], {cwd: root, stdio: 'pipe'})
    return ''
  } catch (error) {
    return String(error.stderr)
  }
}

test('oclif.manifest.json matches the compiled commands', () => {
  assert.equal(check('manifest.js'), '')
})

test('native/uring/catalog.h matches data/io_uring_catalog.tsv', () => {
  assert.equal(check('gen-uring-catalog.js'), '')
})
