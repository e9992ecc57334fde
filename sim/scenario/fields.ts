/**
 * Field validators for scenario files. Each takes the raw value and its dotted
 * path and either returns the typed value or throws a ScenarioError naming
 * the path and the rule. `undefined` means "not given": the caller applies
 * the default.
 */
import { ScenarioError } from './errors.js'

export type Raw = Record<string, unknown>

export function isPlainObject (x: unknown): x is Raw {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

/** An object whose keys are all in `allowed`; undefined gives an empty object. */
export function object (x: unknown, path: string, allowed: readonly string[]): Raw {
  if (x === undefined) return {}
  if (!isPlainObject(x)) throw new ScenarioError(path, 'must be a mapping of fields')
  for (const key of Object.keys(x)) {
    if (!allowed.includes(key)) throw new ScenarioError(`${path}.${key}`, `unknown field (expected one of ${allowed.join(', ')})`)
  }
  return x
}

export function integer (x: unknown, path: string, min: number, max: number, fallback: number): number {
  if (x === undefined) return fallback
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min || x > max) {
    throw new ScenarioError(path, `must be an integer between ${min} and ${max}`)
  }
  return x
}

export function number (x: unknown, path: string, min: number, max: number, fallback: number): number {
  if (x === undefined) return fallback
  if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max) {
    throw new ScenarioError(path, `must be a number between ${min} and ${max}`)
  }
  return x
}

export function boolean (x: unknown, path: string, fallback: boolean): boolean {
  if (x === undefined) return fallback
  if (typeof x !== 'boolean') throw new ScenarioError(path, 'must be true or false')
  return x
}

export function text (x: unknown, path: string, fallback: string, lengthMax = 200): string {
  if (x === undefined) return fallback
  if (typeof x !== 'string' || x.length > lengthMax) throw new ScenarioError(path, `must be a string of at most ${lengthMax} characters`)
  return x
}

export function oneOf<T extends string> (x: unknown, path: string, options: readonly T[], fallback: T): T {
  if (x === undefined) return fallback
  if (typeof x !== 'string' || !(options as readonly string[]).includes(x)) throw new ScenarioError(path, `must be one of ${options.join(', ')}`)
  return x as T
}

export function list (x: unknown, path: string, lengthMax: number): unknown[] {
  if (x === undefined) return []
  if (!Array.isArray(x)) throw new ScenarioError(path, 'must be a list')
  if (x.length > lengthMax) throw new ScenarioError(path, `must have at most ${lengthMax} items`)
  return x
}

/** `[min, max]` with min <= max, both within [lo, hi]. */
export function range (x: unknown, path: string, lo: number, hi: number, fallback: [number, number]): [number, number] {
  if (x === undefined) return fallback
  if (!Array.isArray(x) || x.length !== 2) throw new ScenarioError(path, 'must be a pair [min, max]')
  const a = number(x[0], `${path}[0]`, lo, hi, 0)
  const b = number(x[1], `${path}[1]`, lo, hi, 0)
  if (a > b) throw new ScenarioError(path, 'must have min <= max')
  return [a, b]
}
