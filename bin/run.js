#!/usr/bin/env node
import {execute} from '@oclif/core'
import {fileURLToPath} from 'node:url'

// uringctl has no plugins: never load user or dev plugins (~/.local/share/uringctl/package.json), which
// would run code chosen by whoever controls that directory, as root under `sudo -E`.
await execute({loadOptions: {root: fileURLToPath(import.meta.url), userPlugins: false, devPlugins: false}})
