/**
 * Record encoding. Values are JSON text: V8's JSON is the fastest encoder we
 * have for arbitrary `Value`s (measured in `bench/store.ts`), and the records
 * stay readable with any LevelDB tool. The entry's key is the database key,
 * so the value carries only `[value, hlc, origin, prev]`; an array instead of
 * an object keeps field names out of every record.
 */
import type { Entry, Hlc, OriginVersion, Value } from '../core/index.js'
import { ENTRY_PREFIX, VERSION_PREFIX } from './constants.js'
import { StoreCorruptError } from './errors.js'

export function entryDbKey (key: string): string {
  return ENTRY_PREFIX + key
}

export function versionDbKey (origin: string): string {
  return VERSION_PREFIX + origin
}

export function encodeEntry (e: Entry): string {
  return JSON.stringify([e.value, e.hlc, e.origin, e.prev])
}

export function encodeVersion ([, upTo, max]: OriginVersion): string {
  return `[${upTo},${max}]`
}

function isStamp (x: unknown): x is Hlc {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
}

function parse (dbKey: string, raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch (err) {
    throw new StoreCorruptError(`record ${JSON.stringify(dbKey)} is not valid JSON`, { cause: err })
  }
}

/** Decode an `e:` record; the entry's key is the database key without its prefix. */
export function decodeEntry (dbKey: string, raw: string): Entry {
  const rec = parse(dbKey, raw)
  if (!Array.isArray(rec) || rec.length !== 4 || !isStamp(rec[1]) || typeof rec[2] !== 'string' || !isStamp(rec[3])) {
    throw new StoreCorruptError(`record ${JSON.stringify(dbKey)} is not [value, hlc, origin, prev]`)
  }
  return { key: dbKey.slice(ENTRY_PREFIX.length), value: rec[0] as Value, hlc: rec[1], origin: rec[2], prev: rec[3] }
}

/** Decode a `v:` record into `[origin, upTo, max]`. */
export function decodeVersion (dbKey: string, raw: string): OriginVersion {
  const rec = parse(dbKey, raw)
  if (!Array.isArray(rec) || rec.length !== 2 || !isStamp(rec[0]) || !isStamp(rec[1])) {
    throw new StoreCorruptError(`record ${JSON.stringify(dbKey)} is not [upTo, max]`)
  }
  return [dbKey.slice(VERSION_PREFIX.length), rec[0], rec[1]]
}

/** Decode a meta counter (HLC, incarnation); absent means 0. */
export function decodeCounter (dbKey: string, raw: string | undefined): number {
  if (raw === undefined) return 0
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) {
    throw new StoreCorruptError(`meta record ${JSON.stringify(dbKey)} is not a non-negative integer: ${JSON.stringify(raw)}`)
  }
  return n
}
