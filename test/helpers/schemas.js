// Validates --json output against the repository's JSON Schemas (schemas/*.schema.json) with ajv.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import Ajv from 'ajv'

import {root} from './cli.js'

const ajv = new Ajv({allErrors: true, strict: true, strictTypes: false})
const ids = {}
for (const file of readdirSync(join(root, 'schemas'))) {
  const schema = JSON.parse(readFileSync(join(root, 'schemas', file), 'utf8'))
  ajv.addSchema(schema)
  ids[file.replace('.schema.json', '')] = schema.$id
}

/** The problems of `value` against schemas/<name>.schema.json (or one of its definitions), or []. */
export function schemaErrors(name, value, definition) {
  assert.ok(ids[name], `schemas/${name}.schema.json exists`)
  const validate = ajv.getSchema(definition ? `${ids[name]}#/definitions/${definition}` : ids[name])
  assert.ok(validate, `schemas/${name}.schema.json has ${definition ?? 'a root schema'}`)
  return validate(value) ? [] : validate.errors.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
}

/** Asserts that `value` is valid; the message lists every problem. */
export function assertSchema(name, value, definition) {
  const errors = schemaErrors(name, value, definition)
  assert.deepEqual(errors, [], `not a valid ${definition ?? name} (schemas/${name}.schema.json):\n${errors.slice(0, 10).join('\n')}`)
}
