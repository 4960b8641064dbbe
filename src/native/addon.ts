// Loads the native addon (built by node-gyp at install time) and types its surface.
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

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
  errnoName(errno: number): string | null
}

let cached: unknown

/** The addon, typed as the caller's view of it: `addon<EchoNative>()`. */
export function addon<T = NativeAddon>(): T & NativeAddon {
  if (!cached) {
    const require = createRequire(import.meta.url)
    const load = require('node-gyp-build') as (dir: string) => unknown
    // URINGCTL_TEST_ADDON: a build of the addon to use instead (npm run test:sanitize's ASan/UBSan build).
    const testAddon = process.env.URINGCTL_TEST_ADDON
    cached = testAddon ? require(testAddon) : load(packageRoot)
  }
  return cached as T & NativeAddon
}
