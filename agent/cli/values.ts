/**
 * Validation helpers for settings that arrive either as a flag (always a
 * string) or as a config-file value (any JSON/YAML value). Every failure is a
 * `UsageError` whose message starts with where the value came from and states
 * the rule, e.g. `--heartbeat-ms: must be an integer between 100 and 600000, got "abc"`.
 */
import { QUOTE_CHARS_MAX } from './constants.js'
import { UsageError } from './errors.js'

/** Where a value came from: a flag, or a key in a config file. */
export type Where =
  | { readonly kind: 'flag', readonly flag: string }
  | { readonly kind: 'file', readonly key: string, readonly file: string }

export function whereLabel (at: Where): string {
  return at.kind === 'flag' ? `--${at.flag}` : `config key "${at.key}" (in ${at.file})`
}

/** Throws the usage error for a broken rule; `got` (when passed, even as undefined) is quoted after it. */
export function fail (at: Where, rule: string, ...got: [unknown?]): never {
  const suffix = got.length > 0 ? `, got ${describe(got[0])}` : ''
  throw new UsageError(`${whereLabel(at)}: ${rule}${suffix}`)
}

/** A short, quoted rendering of any value for an error message. */
export function describe (x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(clip(x))
  if (x === null || typeof x === 'number' || typeof x === 'boolean') return String(x)
  if (Array.isArray(x)) return `an array (${clip(JSON.stringify(x))})`
  if (typeof x === 'object') return `an object (${clip(JSON.stringify(x))})`
  return `a ${typeof x}`
}

export function clip (s: string, max = QUOTE_CHARS_MAX): string {
  return s.length <= max ? s : `${s.slice(0, max)}...`
}

export function requireString (x: unknown, at: Where): string {
  if (typeof x !== 'string') fail(at, 'must be a string', x)
  return x
}

/** Accepts one string or a list of strings (a list is how a repeatable flag arrives). */
export function requireStringList (x: unknown, at: Where, max: number): string[] {
  const list = typeof x === 'string' ? [x] : x
  if (!Array.isArray(list) || !list.every((v): v is string => typeof v === 'string')) {
    fail(at, 'must be a string or a list of strings', x)
  }
  if (list.length > max) fail(at, `must list at most ${max} entries, got ${list.length}`)
  return list
}

export function requireOneOf<T extends string> (x: unknown, at: Where, allowed: readonly T[]): T {
  if (typeof x !== 'string' || !(allowed as readonly string[]).includes(x)) {
    fail(at, `must be one of ${allowed.join(', ')}`, x)
  }
  return x as T
}

/** An integer in [min, max], given as a number or (from a flag) as decimal digits. */
export function requireIntegerIn (x: unknown, at: Where, min: number, max: number): number {
  const n = typeof x === 'number' ? x : typeof x === 'string' && /^[0-9]{1,15}$/.test(x) ? Number(x) : NaN
  if (!Number.isInteger(n) || n < min || n > max) fail(at, `must be an integer between ${min} and ${max}`, x)
  return n
}

/** A decimal number in [min, max], given as a number or (from a flag) as decimal text like 0.25. */
export function requireNumberIn (x: unknown, at: Where, min: number, max: number): number {
  const n = typeof x === 'number' ? x : typeof x === 'string' && /^[0-9]{1,9}(\.[0-9]{1,9})?$/.test(x) ? Number(x) : NaN
  if (!Number.isFinite(n) || n < min || n > max) fail(at, `must be a number between ${min} and ${max}`, x)
  return n
}

export function isPlainObject (x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}
