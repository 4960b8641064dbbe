// Which ancestors of uringctl are wrappers rather than "the invoking shell". Wrappers launched through
// Node (npx, npm exec) carry Node's raised soft limit, and so does a `sh -c` they spawn: reporting
// any of them would show a limit the user's shell does not have.
import {basename} from 'node:path'

import type {ProcessInfo} from './proc.js'

const shells = new Set(['sh', 'dash', 'bash', 'zsh', 'ksh', 'ksh93', 'mksh', 'ash', 'busybox', 'fish', 'tcsh', 'csh', 'yash'])

/** Programs that run one command and add nothing of their own to its limits. */
const execWrappers = new Set([
  'env', 'sudo', 'doas', 'timeout', 'nohup', 'nice', 'ionice', 'taskset', 'chrt', 'setsid', 'stdbuf',
  'time', 'strace', 'ltrace', 'flock', 'xargs', 'setpriv', 'prlimit', 'unshare', 'nsenter', 'runuser',
])

/** Node scripts that launch packages: npm, npx, pnpm, yarn, corepack. */
const packageRunnerScript = /(?:^|\/)(?:npm-cli|npx-cli|npm|npx|pnpm|pnpx|yarn|yarnpkg|corepack)(?:\.c?js)?$/

/** npm rewrites its process title to "npm exec ..." / "npm run ..."; pnpm and yarn to their names. */
const packageRunnerTitle = /^(?:npm|npx|pnpm|pnpx|yarn)(?:\s|$)/

const nodeBinary = /^(?:node|nodejs|node\d+)$/

export function isShell(info: ProcessInfo): boolean {
  return shells.has(info.comm) || shells.has(basename(info.commandLine[0] ?? '').replace(/^-/, ''))
}

/** A shell running one command string (`sh -c '...'`, `bash -lc '...'`), not a session. */
export function isOneShotShell(info: ProcessInfo): boolean {
  if (!isShell(info)) return false
  for (const arg of info.commandLine.slice(1)) {
    if (!arg.startsWith('-') || arg === '-' || arg === '--') return false
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(arg)) return true
  }
  return false
}

function isNode(info: ProcessInfo): boolean {
  return nodeBinary.test(info.comm) || nodeBinary.test(basename(info.commandLine[0] ?? ''))
}

/** The script a node process runs: its first argument that is not an option. */
function nodeScript(info: ProcessInfo): string | undefined {
  return info.commandLine.slice(1).find((arg) => !arg.startsWith('-'))
}

/**
 * Why this process is a wrapper by what it is alone (null when it is not one). `isUringctl` recognises
 * a node process running uringctl's own bin script.
 */
export function wrapperByIdentity(info: ProcessInfo, isUringctl: (info: ProcessInfo, script: string) => boolean): string | null {
  if (packageRunnerTitle.test(info.comm) || packageRunnerTitle.test(info.commandLine[0] ?? '')) return 'package runner (npm/npx/pnpm/yarn)'
  if (isNode(info)) {
    const script = nodeScript(info)
    if (script && isUringctl(info, script)) return 'node running uringctl itself'
    if (script && packageRunnerScript.test(script)) return 'package runner (npm/npx/pnpm/yarn)'
    return null
  }
  if (execWrappers.has(info.comm)) return `command wrapper (${info.comm})`
  return null
}

export interface InvokingShellChoice {
  chosen: ProcessInfo
  skipped: Array<{process: ProcessInfo; reason: string}>
}

export interface WrapperTests {
  /** Whether a node process's script is uringctl itself. */
  isUringctl: (info: ProcessInfo, script: string) => boolean
  /** Whether a process still has its parent's limits (a `sh -c 'ulimit -Sn 777; ...'` does not). */
  sameLimits: (child: ProcessInfo, parent: ProcessInfo) => boolean
}

/**
 * Picks the invoking shell from uringctl's ancestors (nearest first): the nearest one that is not a
 * wrapper. A one-shot `sh -c` counts as a wrapper when its parent is a wrapper (npm's script shell), or
 * when its parent is a shell whose limits it kept (a plain subshell): then the shell above it is the one
 * whose limits matter.
 */
export function chooseInvokingShell(ancestors: ProcessInfo[], tests: WrapperTests): InvokingShellChoice | null {
  if (ancestors.length === 0) return null
  const reasons: Array<string | null> = ancestors.map(() => null)
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const info = ancestors[i]
    reasons[i] = wrapperByIdentity(info, tests.isUringctl)
    const parent = ancestors[i + 1]
    if (reasons[i] === null && parent && isOneShotShell(info)) {
      if (reasons[i + 1] !== null) reasons[i] = `one-shot "${info.comm} -c" started by a wrapper (pid ${parent.pid})`
      else if (isShell(parent) && tests.sameLimits(info, parent)) reasons[i] = `one-shot "${info.comm} -c" inside the shell pid ${parent.pid}, same limits`
    }
  }
  const index = reasons.findIndex((reason) => reason === null)
  const chosenIndex = index === -1 ? ancestors.length - 1 : index
  return {
    chosen: ancestors[chosenIndex],
    skipped: ancestors.slice(0, chosenIndex).map((process, i) => ({process, reason: reasons[i] ?? ''})),
  }
}
