#!/usr/bin/env node
// `npm ci`/`npm install` in a checkout compile the TypeScript here. `npm pack`/`npm publish` run this too,
// right after prepack has already compiled it (with the manifest and the prebuilt binaries): skip then.
import {execFileSync} from 'node:child_process'

if (!['pack', 'publish'].includes(process.env.npm_command ?? '')) {
  execFileSync('npm', ['run', 'build'], {stdio: 'inherit'})
}
