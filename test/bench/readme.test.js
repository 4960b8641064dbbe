// The README's echo bench --json example is a real report: valid against schemas/echo-bench.schema.json.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'

import {root} from '../helpers/cli.js'
import {assertSchema} from '../helpers/schemas.js'

test('the README documents the --json shape echo bench prints', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### `uringctl echo bench`'))
  const json = /#### `--json`[\s\S]*?```json\n([\s\S]*?)```/.exec(section)
  assertSchema('echo-bench', JSON.parse(json[1]), 'BenchReport')
})
