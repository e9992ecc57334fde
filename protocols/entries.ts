/**
 * Validators for single entries and values, for input that arrives outside a
 * message (the local API, the store, the flight recorder's bootstrap files).
 * They apply exactly the rules the decoders apply to each entry.
 */
import { validate, entry, value } from './fields.js'
import type { DecodeResult, Entry, Value } from './types.js'

/** Check an entry: key length, origin name, safe `hlc` and `prev` with `prev < hlc`, JSON value within limits. */
export function validateEntry (x: unknown): DecodeResult<Entry> {
  return validate((y) => entry(y, '', 'exact'), x)
}

/** Check a value: JSON only, at most VALUE_DEPTH_MAX levels deep and VALUE_BYTES_MAX encoded. */
export function validateValue (x: unknown): DecodeResult<Value> {
  return validate((y) => value(y, 'value'), x)
}
