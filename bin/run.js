#!/usr/bin/env node
import {fileURLToPath} from 'node:url'

// SIGUSR1 would open Node's debugger on 127.0.0.1:9229 (code execution for any local user who connects).
// `echo serve` takes it as "print stats now"; no command wants the debugger, so from the first moment
// (before oclif loads: hence the dynamic import below) a SIGUSR1 does nothing else.
process.on('SIGUSR1', () => {})
const {execute} = await import('@oclif/core')

// uringctl has no plugins: never load user or dev plugins (~/.local/share/uringctl/package.json), which
// would run code chosen by whoever controls that directory, as root under `sudo -E`.
await execute({loadOptions: {root: fileURLToPath(import.meta.url), userPlugins: false, devPlugins: false}})
