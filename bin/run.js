#!/usr/bin/env node
import {homedir, userInfo} from 'node:os'
import {fileURLToPath} from 'node:url'

// SIGUSR1 would open Node's debugger on 127.0.0.1:9229 (code execution for any local user who connects).
// `echo serve` takes it as "print stats now"; no command wants the debugger, so from the first moment
// (before oclif loads: hence the dynamic import below) a SIGUSR1 does nothing else.
process.on('SIGUSR1', () => {})

// A uid with no passwd entry (a container run as `--user 12345`, `setpriv --reuid`) and no HOME or SHELL
// in its environment: oclif and its helpers ask the passwd database for them and throw a SystemError
// before any command runs. uringctl keeps nothing in a home directory, so answer for them: HOME=/ and
// an empty SHELL (oclif's "unknown" shell). Only when the lookup really fails, so nothing else changes.
if (!process.env.HOME) {
  try { homedir() } catch { process.env.HOME = '/' }
}
if (process.env.SHELL === undefined) {
  try { userInfo() } catch { process.env.SHELL = '' }
}

const {execute} = await import('@oclif/core')

// uringctl has no plugins: never load user or dev plugins (~/.local/share/uringctl/package.json), which
// would run code chosen by whoever controls that directory, as root under `sudo -E`.
await execute({loadOptions: {root: fileURLToPath(import.meta.url), userPlugins: false, devPlugins: false}})
