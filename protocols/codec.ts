/**
 * The two pipelines every message kind runs through.
 *
 * Decoding never throws and does its checks cheapest first: the byte length
 * against the kind's limit (before a single byte is read), then CBOR with
 * strict options and bounded nesting, then every field against the schema,
 * then canonical form (re-encode and compare), so whatever is accepted is
 * exactly what an honest encoder would have produced.
 *
 * Encoding validates (projecting away fields the schema does not know),
 * encodes, and refuses to return bytes a peer would reject for their size.
 */
import { bytesEqual, cborDecode, cborEncode } from './cbor.js'
import { CBOR_NESTING_MAX } from './constants.js'
import { InvalidMessageError, MessageTooLargeError } from './errors.js'
import type { MessageKind } from './errors.js'
import { validate } from './fields.js'
import type { Mode } from './fields.js'
import type { DecodeResult } from './types.js'

/** A schema: checks untrusted input and returns a fresh, fully valid copy. */
export type Schema<T> = (x: unknown, mode: Mode) => T

/** Longest decoder error quoted in a reason. */
const CBOR_ERROR_SHOWN_LENGTH_MAX = 160

/**
 * `toWire` turns a checked message back into what the wire carries, where the
 * two differ (gossip sends arrays, and keeps entries whole in memory); the
 * canonical-form check and the encoder use it.
 */
export type ToWire<T> = (message: T) => unknown

export function decodeWith<T> (bytes: unknown, bytesMax: number, schema: Schema<T>, toWire?: ToWire<T>): DecodeResult<T> {
  if (!(bytes instanceof Uint8Array)) return { ok: false, reason: 'bytes: must be a Uint8Array' }
  if (bytes.byteLength > bytesMax) return { ok: false, reason: `bytes: ${bytes.byteLength} bytes exceed the limit of ${bytesMax} bytes` }
  if (bytes.byteLength === 0) return { ok: false, reason: 'bytes: must not be empty' }
  let raw: unknown
  try {
    raw = cborDecode(bytes, CBOR_NESTING_MAX)
  } catch (err) {
    const detail = (err instanceof Error ? err.message : String(err)).replace(/^CBOR decode error: /, '')
    return { ok: false, reason: `bytes: not valid CBOR for this protocol (${detail.slice(0, CBOR_ERROR_SHOWN_LENGTH_MAX)})` }
  }
  const result = validate((x) => schema(x, 'exact'), raw)
  if (!result.ok) return result
  // Catches what cborg's options cannot: unsorted map keys, floats wider than
  // needed, integers sent as floats, invalid UTF-8 (decoded to U+FFFD).
  if (!bytesEqual(cborEncode(toWire === undefined ? result.value : toWire(result.value)), bytes)) {
    return { ok: false, reason: 'bytes: not in canonical form (sorted map keys, shortest numbers, valid UTF-8)' }
  }
  return result
}

/** Check a message in exact mode, as the decoder would, without bytes. */
export function validateWith<T> (x: unknown, schema: Schema<T>): DecodeResult<T> {
  return validate((y) => schema(y, 'exact'), x)
}

export function encodeWith<T> (message: T, kind: MessageKind, bytesMax: number, schema: Schema<T>, toWire?: ToWire<T>): Uint8Array {
  const result = validate((x) => schema(x, 'project'), message)
  if (!result.ok) throw new InvalidMessageError(kind, result.reason)
  const bytes = cborEncode(toWire === undefined ? result.value : toWire(result.value))
  if (bytes.byteLength > bytesMax) throw new MessageTooLargeError(kind, bytes.byteLength, bytesMax)
  return bytes
}
