// `--require a,b`: which requested capabilities this process lacks.
import {usageError} from '../base/errors.js'
import {quoteInput} from '../base/quote.js'
import {capabilityIds, type CapabilityResult} from './capabilities.js'

export interface RequireResult {
  requested: string[]
  missing: string[]
  satisfied: boolean
}

/** Capability ids from a comma-separated list; unknown names are a usage error that lists valid ones. */
export function parseRequireList(text: string): string[] {
  const names = text.split(',').map((n) => n.trim()).filter(Boolean)
  if (names.length === 0) throw usageError(`--require needs capability names; valid: ${capabilityIds.join(', ')}.`)
  const unknown = names.filter((n) => !capabilityIds.includes(n))
  if (unknown.length > 0) {
    const plural = unknown.length > 1 ? 'capabilities' : 'capability'
    throw usageError(`unknown ${plural} ${unknown.map((n) => quoteInput(n, {always: true})).join(', ')} in --require; valid: ${capabilityIds.join(', ')}.`)
  }
  return [...new Set(names)]
}

export function checkRequirements(requested: string[], capabilities: CapabilityResult[]): RequireResult {
  const missing = requested.filter((id) => !capabilities.find((c) => c.id === id)?.present)
  return {requested, missing, satisfied: missing.length === 0}
}
