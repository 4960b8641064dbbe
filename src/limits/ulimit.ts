// The core of `uringctl ulimit`: choose the target, then report, plan and check, or change its nofile limit.
import {usageError} from '../base/errors.js'
import {type LimitChange, changeNofile, parseLimitSpec} from './change.js'
import {type Figures, collectFigures} from './figures.js'
import {type LimitsNative, limitsNative} from './native.js'
import {type ConnectionPlan, type Role, planConnections} from './plan.js'
import {type SystemPaths, hostPaths} from './proc.js'
import {type RequirementResult, checkRequirements, parseRequirements} from './require.js'
import {type Target, type TargetRequest, selectTarget} from './target.js'

export const ulimitSchemaVersion = 1

export interface UlimitRequest {
  target: TargetRequest
  connections?: number
  role?: Role
  require?: string[]
  nofile?: string
  /** With nofile: set it even when the soft limit is 0 or below the fds the target has open. */
  force?: boolean
}

export interface UlimitReport extends Figures {
  kind: 'report'
  schemaVersion: number
  plan: ConnectionPlan | null
  requirements: RequirementResult[] | null
}

export interface UlimitChange {
  kind: 'change'
  schemaVersion: number
  target: Target
  change: LimitChange
}

export type UlimitResult = UlimitReport | UlimitChange

export function ulimit(request: UlimitRequest, paths: SystemPaths = hostPaths, native: LimitsNative = limitsNative()): UlimitResult {
  // Parse everything first, so bad syntax is refused before anything is read or changed.
  const requirements = request.require === undefined ? [] : parseRequirements(request.require)
  const spec = request.nofile === undefined ? null : parseLimitSpec(request.nofile)
  if (spec && request.target.self) throw usageError("--nofile with --self would change only uringctl's own limits, which end with it; give --pid.")
  const target = selectTarget(paths, request.target)
  if (spec) return {kind: 'change', schemaVersion: ulimitSchemaVersion, target, change: changeNofile(paths, native, target.pid, spec, request.force ?? false)}
  const figures = collectFigures(paths, target, native.pageSize())
  return {
    kind: 'report',
    schemaVersion: ulimitSchemaVersion,
    ...figures,
    plan: request.connections === undefined ? null : planConnections(figures, {connections: request.connections, role: request.role ?? 'server'}),
    requirements: requirements.length === 0 ? null : checkRequirements(requirements, figures),
  }
}
