// Loads the native addon (a prebuilt binary from prebuilds/, or one compiled at install time) and types its surface.
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {errnoNamesByNumber} from '../base/errno.js'
import {ExitCode, UserError} from '../base/errors.js'

export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export interface RingSelfTestResult {
  completed: number
  userDataMatches: boolean
  errno: number
  features: number
}

/** The functions every capability may use; each capability types its own part in `src/<capability>/native.ts`. */
export interface NativeAddon {
  ringSelfTest(count: number): RingSelfTestResult
  setErrnoNames(names: (string | undefined)[]): void
}

let cached: unknown

/** The addon, typed as the caller's view of it: `addon<EchoNative>()`. */
export function addon<T = NativeAddon>(): T & NativeAddon {
  if (!cached) {
    const loaded = load() as NativeAddon
    loaded.setErrnoNames(errnoNamesByNumber())
    cached = loaded
  }
  return cached as T & NativeAddon
}

function load(): unknown {
  const require = createRequire(import.meta.url)
  // URINGCTL_TEST_ADDON: a build of the addon to use instead (npm run test:sanitize's ASan/UBSan build).
  const testAddon = process.env.URINGCTL_TEST_ADDON
  if (testAddon) return require(testAddon)
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown
  try {
    return nodeGypBuild(packageRoot)
  } catch (error) {
    throw nativeMissing(error as Error)
  }
}

/** No binary fits this machine, or the one found does not load (e.g. a glibc older than 2.28, or musl). */
export function nativeMissing(error: Error): UserError {
  const fix = 'fix: run `npm rebuild uringctl` (add -g for a global install) with g++, make and python3 installed, or reinstall without blocking install scripts'
  const found = /^No native build was found/.test(error.message)
  const why = found
    ? `no prebuilt binary for ${process.platform}-${process.arch} (${process.versions.napi ? 'N-API ' + process.versions.napi : 'no N-API'}) and none was compiled at install time`
    : `the binary found does not load here: ${error.message.split('\n')[0].trim()}`
  return new UserError(`uringctl's native part is missing: ${why}; ${fix}`, {code: 'NATIVE_MISSING', exitCode: ExitCode.nativeMissing})
}
