#!/usr/bin/env node
// Generates native/uring/catalog.h from data/io_uring_catalog.tsv, the one table of io_uring opcode,
// flag and register numbers. `--check` exits 1 when the committed header differs (used by the tests).
import {readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const tsvPath = join(root, 'data', 'io_uring_catalog.tsv')
const headerPath = join(root, 'native', 'uring', 'catalog.h')

const sections = {
  op: {ns: 'op', type: 'uint8_t', prefix: 'IORING_OP_'},
  setup: {ns: 'setup', type: 'uint32_t', prefix: 'IORING_SETUP_'},
  feat: {ns: 'feat', type: 'uint32_t', prefix: 'IORING_FEAT_'},
  enter: {ns: 'enter', type: 'uint32_t', prefix: 'IORING_ENTER_'},
  sqe_flag: {ns: 'sqe_flag', type: 'uint8_t', prefix: 'IOSQE_'},
  register: {ns: 'reg', type: 'uint32_t', prefix: 'IORING_'},
  register_flag: {ns: 'reg_flag', type: 'uint32_t', prefix: 'IORING_REGISTER_'},
}

export function renderCatalogHeader(tsv) {
  const rows = tsv.trim().split('\n').slice(1).map((line) => line.split('\t'))
  const out = [
    '// Generated from data/io_uring_catalog.tsv by scripts/gen-uring-catalog.js. Do not edit by hand.',
    '#pragma once',
    '#include <cstdint>',
    '',
    'namespace uring::catalog {',
  ]
  for (const [kind, spec] of Object.entries(sections)) {
    const entries = rows.filter((r) => r[0] === kind)
    out.push(`namespace ${spec.ns} {`)
    for (const [, name, value, version] of entries) {
      const short = name.startsWith(spec.prefix) ? name.slice(spec.prefix.length) : name
      out.push(`constexpr ${spec.type} ${short} = ${value};  // ${version}`)
    }
    out.push(`}  // namespace ${spec.ns}`)
  }
  out.push('}  // namespace uring::catalog', '')
  return out.join('\n')
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]
if (isMain) {
  const rendered = renderCatalogHeader(readFileSync(tsvPath, 'utf8'))
  if (process.argv.includes('--check')) {
    const current = readFileSync(headerPath, 'utf8')
    if (current !== rendered) {
      console.error('native/uring/catalog.h is stale: run `node scripts/gen-uring-catalog.js`')
      process.exit(1)
    }
  } else {
    writeFileSync(headerPath, rendered)
  }
}
