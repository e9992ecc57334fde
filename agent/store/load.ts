/**
 * Reading a whole store back. Records are pulled in chunks so a large store
 * neither makes one native call per record nor holds the event loop for long,
 * and the signal is honoured between chunks.
 */
import type { Level } from 'level'
import type { Entry, OriginVersion } from '../core/index.js'
import { decodeCounter, decodeEntry, decodeVersion } from './codec.js'
import { ENTRY_PREFIX, LOAD_CHUNK_RECORDS, META_FORMAT_KEY, META_HLC_KEY, META_INCARNATION_KEY, VERSION_PREFIX } from './constants.js'
import { StoreError, StoreReadError } from './errors.js'
import type { StoredState } from './types.js'

export type Db = Level<string, string>

/** `[prefix, prefix-with-next-character)`: every key that starts with `prefix`. */
function rangeOf (prefix: string): { gte: string, lt: string } {
  const last = prefix.charCodeAt(prefix.length - 1)
  return { gte: prefix, lt: prefix.slice(0, -1) + String.fromCharCode(last + 1) }
}

async function readPrefix<T> (db: Db, prefix: string, decode: (key: string, raw: string) => T, signal: AbortSignal | undefined): Promise<T[]> {
  const out: T[] = []
  // Read once at start: keep the blocks out of LevelDB's cache.
  const it = db.iterator({ ...rangeOf(prefix), fillCache: false })
  try {
    for (;;) {
      signal?.throwIfAborted()
      const chunk = await it.nextv(LOAD_CHUNK_RECORDS)
      if (chunk.length === 0) return out
      for (const [key, raw] of chunk) out.push(decode(key, raw))
    }
  } finally {
    await it.close()
  }
}

export interface Meta {
  format: string | undefined
  hlc: number
  incarnation: number
}

export async function readMeta (db: Db, path: string): Promise<Meta> {
  let raw: Array<string | undefined>
  try {
    raw = await db.getMany([META_FORMAT_KEY, META_HLC_KEY, META_INCARNATION_KEY])
  } catch (err) {
    throw new StoreReadError(`reading meta records of the store at ${path} failed`, { cause: err })
  }
  return { format: raw[0], hlc: decodeCounter(META_HLC_KEY, raw[1]), incarnation: decodeCounter(META_INCARNATION_KEY, raw[2]) }
}

/** Every entry, version and meta value in the database. */
export async function readState (db: Db, path: string, signal: AbortSignal | undefined): Promise<StoredState> {
  try {
    const meta = await readMeta(db, path)
    const entries: Entry[] = await readPrefix(db, ENTRY_PREFIX, decodeEntry, signal)
    const versions: OriginVersion[] = await readPrefix(db, VERSION_PREFIX, decodeVersion, signal)
    return { entries, versions, hlc: meta.hlc, incarnation: meta.incarnation, formatVersion: Number(meta.format) }
  } catch (err) {
    if (err instanceof StoreError || signal?.aborted === true) throw err
    throw new StoreReadError(`reading the store at ${path} failed`, { cause: err })
  }
}
