/**
 * Field rules shared by the message schemas. Each check returns the field's
 * value, narrowed (containers as fresh copies), or throws a FieldError whose
 * message names the field and the rule, e.g.
 * `entries[3].hlc: must be a safe non-negative integer`. FieldError never
 * leaves this folder: `validate()` turns it into a DecodeResult. Throwing
 * keeps every rule on one line; threading a result through each nested call
 * would triple the code and bury the rules.
 *
 * Schemas run in one of two modes. Exact (decoding, `validate*`): a map must
 * hold no field the schema does not know. Projecting (encoding): unknown
 * fields are left out of the copy, so in-memory extras never reach the wire.
 */
import { cborLength } from './cbor.js'
import { ENTRY_KEY_LENGTH_MAX, NODE_NAME_LENGTH_MAX, PEER_ID_LENGTH_MAX, VALUE_BYTES_MAX, VALUE_DEPTH_MAX } from './constants.js'
import type { DecodeResult, Entry, NodeName, OriginVersion, PeerIdStr, Value } from './types.js'

export class FieldError extends Error {
  override readonly name = 'FieldError'
}

export type Mode = 'exact' | 'project'

export function fail (path: string, rule: string): never {
  throw new FieldError(`${path === '' ? 'message' : path}: ${rule}`)
}

/** Run a schema; a broken rule becomes `{ ok: false, reason }`. Anything else is a bug and propagates. */
export function validate<T> (parse: (x: unknown) => T, x: unknown): DecodeResult<T> {
  try {
    return { ok: true, value: parse(x) }
  } catch (err) {
    if (err instanceof FieldError) return { ok: false, reason: err.message }
    throw err
  }
}

const IDENTIFIER_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/
/** Longest map key quoted in a reason, so a hostile key cannot blow up a log line. */
const KEY_SHOWN_LENGTH_MAX = 32

export function fieldPath (path: string, key: string): string {
  if (IDENTIFIER_RE.test(key) && key.length <= KEY_SHOWN_LENGTH_MAX) return path === '' ? key : `${path}.${key}`
  const shown = key.length <= KEY_SHOWN_LENGTH_MAX ? key : `${key.slice(0, KEY_SHOWN_LENGTH_MAX)}...`
  return `${path === '' ? 'message' : path}[${JSON.stringify(shown)}]`
}

export function indexPath (path: string, i: number): string {
  return `${path === '' ? 'message' : path}[${i}]`
}

export function isPlainMap (x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false
  const proto: unknown = Object.getPrototypeOf(x)
  return proto === Object.prototype || proto === null
}

/** A message-level map; in exact mode it may hold only `keys`. */
export function record (x: unknown, path: string, keys: readonly string[], mode: Mode): Record<string, unknown> {
  if (x === undefined) fail(path, 'is required')
  if (!isPlainMap(x)) fail(path, 'must be a map')
  if (mode === 'exact') {
    for (const key of Object.keys(x)) if (!keys.includes(key)) fail(fieldPath(path, key), 'is not a known field')
  }
  return x
}

export function safeUint (x: unknown, path: string): number {
  if (x === undefined) fail(path, 'is required')
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) fail(path, 'must be a safe non-negative integer')
  return x
}

export function uint32 (x: unknown, path: string): number {
  if (x === undefined) fail(path, 'is required')
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 0xffff_ffff) fail(path, 'must be a uint32')
  return x
}

export function intInRange (x: unknown, path: string, min: number, max: number): number {
  if (x === undefined) fail(path, 'is required')
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) fail(path, `must be an integer in [${min}, ${max}]`)
  return x
}

export function numberInRange (x: unknown, path: string, min: number, max: number): number {
  if (x === undefined) fail(path, 'is required')
  if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max) fail(path, `must be a number in [${min}, ${max}]`)
  return x === 0 ? 0 : x
}

/** Lone surrogates: in a `u` regex a proper pair is one code point, so only unpaired halves match. */
const LONE_SURROGATE_RE = /\p{Cs}/u

/**
 * Strings must survive the trip through UTF-8: no lone surrogates (they
 * would become U+FFFD) and no leading U+FEFF, which cborg's TextDecoder
 * strips as a byte order mark.
 */
function wellFormed (x: string, path: string): string {
  if (LONE_SURROGATE_RE.test(x)) fail(path, 'must be well-formed Unicode (no lone surrogates)')
  if (x.charCodeAt(0) === 0xfeff) fail(path, 'must not start with U+FEFF (a byte order mark)')
  return x
}

/** A string of 1..lengthMax UTF-16 code units. */
export function text (x: unknown, path: string, lengthMax: number): string {
  if (x === undefined) fail(path, 'is required')
  if (typeof x !== 'string') fail(path, 'must be a string')
  if (x.length === 0 || x.length > lengthMax) fail(path, `must be 1..${lengthMax} characters long`)
  return wellFormed(x, path)
}

const NODE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

export function nodeName (x: unknown, path: string): NodeName {
  if (x === undefined) fail(path, 'is required')
  if (typeof x !== 'string' || x.length > NODE_NAME_LENGTH_MAX || !NODE_NAME_RE.test(x)) {
    fail(path, `must be a node name (1..${NODE_NAME_LENGTH_MAX} of A-Za-z0-9._-, starting with a letter or digit)`)
  }
  return x
}

/** Base58btc (`12D3KooW...`) and base32 CID (`bafz...`) PeerIds both use only letters and digits. */
const PEER_ID_RE = /^[A-Za-z0-9]+$/

export function peerIdStr (x: unknown, path: string): PeerIdStr {
  if (x === undefined) fail(path, 'is required')
  if (typeof x !== 'string' || x.length > PEER_ID_LENGTH_MAX || !PEER_ID_RE.test(x)) {
    fail(path, `must be a PeerId string (1..${PEER_ID_LENGTH_MAX} letters and digits)`)
  }
  return x
}

/** An array of lengthMin..lengthMax items, each checked by `item`. */
export function list<T> (x: unknown, path: string, lengthMax: number, item: (x: unknown, path: string) => T, lengthMin = 0): T[] {
  if (x === undefined) fail(path, 'is required')
  if (!Array.isArray(x)) fail(path, 'must be an array')
  if (x.length < lengthMin || x.length > lengthMax) {
    fail(path, lengthMin === 0 ? `must hold at most ${lengthMax} items` : `must hold ${lengthMin}..${lengthMax} items`)
  }
  const out: T[] = []
  for (let i = 0; i < x.length; i++) out.push(item(x[i], indexPath(path, i)))
  return out
}

/**
 * A JSON value: null, boolean, finite number, well-formed string, array or
 * plain map, at most VALUE_DEPTH_MAX levels deep and VALUE_BYTES_MAX encoded.
 * CBOR byte strings, tags, undefined, Maps and class instances are refused.
 * Negative zero becomes zero, as in JSON.
 */
export function value (x: unknown, path: string): Value {
  if (x === undefined) fail(path, 'is required')
  const v = valueAt(x, path, 0)
  const bytes = cborLength(v)
  if (bytes > VALUE_BYTES_MAX) fail(path, `must encode to at most ${VALUE_BYTES_MAX} bytes (is ${bytes})`)
  return v
}

function valueAt (x: unknown, path: string, depth: number): Value {
  switch (typeof x) {
    case 'boolean': return x
    case 'string': return wellFormed(x, path)
    case 'number':
      if (!Number.isFinite(x)) fail(path, 'must be a finite number')
      return x === 0 ? 0 : x
    case 'object': {
      if (x === null) return null
      const isArray = Array.isArray(x)
      if (!isArray && !isPlainMap(x)) break
      if (depth >= VALUE_DEPTH_MAX) fail(path, `must nest at most ${VALUE_DEPTH_MAX} levels`)
      if (isArray) {
        const out: Value[] = []
        for (let i = 0; i < x.length; i++) out.push(valueAt(x[i], indexPath(path, i), depth + 1))
        return out
      }
      const out: { [key: string]: Value } = {}
      for (const key of Object.keys(x)) {
        const at = fieldPath(path, key)
        // cborg decodes into plain objects, where a `__proto__` key would set the prototype.
        if (key === '__proto__') fail(at, 'is not an allowed key')
        wellFormed(key, at)
        out[key] = valueAt(x[key], at, depth + 1)
      }
      return out
    }
  }
  fail(path, 'must be a JSON value (null, boolean, finite number, string, array or map)')
}

const ENTRY_FIELDS = ['key', 'value', 'hlc', 'origin', 'prev'] as const

export function entry (x: unknown, path: string, mode: Mode): Entry {
  const r = record(x, path, ENTRY_FIELDS, mode)
  const key = text(r.key, fieldPath(path, 'key'), ENTRY_KEY_LENGTH_MAX)
  const origin = nodeName(r.origin, fieldPath(path, 'origin'))
  const hlc = safeUint(r.hlc, fieldPath(path, 'hlc'))
  const prev = safeUint(r.prev, fieldPath(path, 'prev'))
  if (prev >= hlc) fail(fieldPath(path, 'prev'), 'must be less than hlc')
  return { key, value: value(r.value, fieldPath(path, 'value')), hlc, origin, prev }
}

export function originVersion (x: unknown, path: string): OriginVersion {
  if (x === undefined) fail(path, 'is required')
  if (!Array.isArray(x) || x.length !== 3) fail(path, 'must be [origin, upTo, max]')
  const origin = nodeName(x[0], indexPath(path, 0))
  const upTo = safeUint(x[1], indexPath(path, 1))
  const max = safeUint(x[2], indexPath(path, 2))
  if (upTo > max) fail(indexPath(path, 1), 'must not exceed max')
  return [origin, upTo, max]
}

/** A list of origin versions with each origin at most once. */
export function originVersions (x: unknown, path: string, lengthMax: number): OriginVersion[] {
  const out = list(x, path, lengthMax, originVersion)
  const seen = new Set<NodeName>()
  for (let i = 0; i < out.length; i++) {
    const origin = (out[i] as OriginVersion)[0]
    if (seen.has(origin)) fail(indexPath(indexPath(path, i), 0), `repeats origin ${origin}`)
    seen.add(origin)
  }
  return out
}
