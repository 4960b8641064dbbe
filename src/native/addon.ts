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

export interface NativeAddon {
  ringSelfTest(count: number): RingSelfTestResult
  errnoName(errno: number): string | null
}

let cached: NativeAddon | undefined

export function addon(): NativeAddon {
  if (!cached) {
    const require = createRequire(import.meta.url)
    const load = require('node-gyp-build') as (dir: string) => NativeAddon
    cached = load(packageRoot)
  }
  return cached
}
