/**
 * Opening a store: validate the options, open LevelDB (mapping its errors to
 * ours), then check the layout version before anything is written. A store
 * written by newer code is refused and left byte-for-byte as it was, so
 * running an older agent by mistake never destroys data it cannot read.
 */
import { Level } from 'level'
import {
  BATCH_DELAY_MS_DEFAULT, BATCH_DELAY_MS_MAX, BATCH_DELAY_MS_MIN, BATCH_ENTRIES_MAX_DEFAULT, BATCH_ENTRIES_MAX_MAX,
  BATCH_ENTRIES_MAX_MIN, CACHE_SIZE_BYTES_DEFAULT, LEVEL_MEMORY_BYTES_MAX, LEVEL_MEMORY_BYTES_MIN, META_FORMAT_KEY, STORE_FORMAT_VERSION,
  WRITE_BUFFER_SIZE_BYTES_DEFAULT
} from './constants.js'
import { StoreConfigError, StoreFormatError, StoreOpenError, StoreReadError, StoreWriteError } from './errors.js'
import { LevelStore } from './level-store.js'
import type { LevelStoreConfig } from './level-store.js'
import { readMeta } from './load.js'
import type { Db } from './load.js'
import type { Store, StoreInit } from './types.js'

function integerIn (field: string, x: number, min: number, max: number): number {
  if (!Number.isSafeInteger(x) || x < min || x > max) {
    throw new StoreConfigError(`StoreInit.${field} must be an integer in [${min}, ${max}], got ${x}`)
  }
  return x
}

export function storeConfig (init: StoreInit): LevelStoreConfig {
  if (typeof init.path !== 'string' || init.path.length === 0) throw new StoreConfigError('StoreInit.path must be a non-empty folder path')
  return {
    path: init.path,
    batchEntriesMax: integerIn('batchEntriesMax', init.batchEntriesMax ?? BATCH_ENTRIES_MAX_DEFAULT, BATCH_ENTRIES_MAX_MIN, BATCH_ENTRIES_MAX_MAX),
    batchDelayMs: integerIn('batchDelayMs', init.batchDelayMs ?? BATCH_DELAY_MS_DEFAULT, BATCH_DELAY_MS_MIN, BATCH_DELAY_MS_MAX),
    cacheSizeBytes: integerIn('cacheSizeBytes', init.cacheSizeBytes ?? CACHE_SIZE_BYTES_DEFAULT, LEVEL_MEMORY_BYTES_MIN, LEVEL_MEMORY_BYTES_MAX),
    writeBufferSizeBytes: integerIn('writeBufferSizeBytes', init.writeBufferSizeBytes ?? WRITE_BUFFER_SIZE_BYTES_DEFAULT, LEVEL_MEMORY_BYTES_MIN, LEVEL_MEMORY_BYTES_MAX)
  }
}

function levelCode (err: unknown): string | undefined {
  // classic-level reports LEVEL_DATABASE_NOT_OPEN with the reason (e.g. LEVEL_LOCKED) as its cause.
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (code === 'LEVEL_LOCKED') return code
  }
  return (err as { code?: string } | undefined)?.code
}

async function openDb ({ path, cacheSizeBytes, writeBufferSizeBytes }: LevelStoreConfig): Promise<Db> {
  const db: Db = new Level<string, string>(path, { keyEncoding: 'utf8', valueEncoding: 'utf8', cacheSize: cacheSizeBytes, writeBufferSize: writeBufferSizeBytes })
  try {
    await db.open()
  } catch (err) {
    if (levelCode(err) === 'LEVEL_LOCKED') {
      throw new StoreOpenError('STORE_LOCKED', `the store at ${path} is locked: another process (or another open store in this one) is using it; stop that agent or give this one its own data folder`, { cause: err })
    }
    throw new StoreOpenError('STORE_OPEN_FAILED', `opening the store at ${path} failed`, { cause: err })
  }
  return db
}

async function readFormat (db: Db, path: string): Promise<string | undefined> {
  try {
    return await db.get(META_FORMAT_KEY)
  } catch (err) {
    throw new StoreReadError(`reading the format version of the store at ${path} failed`, { cause: err })
  }
}

async function isEmpty (db: Db, path: string): Promise<boolean> {
  try {
    return (await db.keys({ limit: 1 }).all()).length === 0
  } catch (err) {
    throw new StoreReadError(`reading the store at ${path} failed`, { cause: err })
  }
}

/** Check the layout version, writing the current one into a new store. */
async function checkFormat (db: Db, path: string, found: string | undefined): Promise<void> {
  if (found === undefined) {
    if (!(await isEmpty(db, path))) {
      throw new StoreFormatError('STORE_FORMAT_INVALID', `the store at ${path} holds records but no format version; it was not written by hauki-mesh and was left untouched`)
    }
    try {
      await db.put(META_FORMAT_KEY, String(STORE_FORMAT_VERSION), { sync: true })
    } catch (err) {
      throw new StoreWriteError(`writing the format version to the new store at ${path} failed`, { cause: err })
    }
    return
  }
  const version = /^\d+$/.test(found) ? Number(found) : NaN
  if (version > STORE_FORMAT_VERSION) {
    throw new StoreFormatError('STORE_FORMAT_NEWER', `the store at ${path} has format version ${version}, newer than version ${STORE_FORMAT_VERSION} that this code supports; run a newer hauki-mesh (the store was left untouched)`)
  }
  if (version !== STORE_FORMAT_VERSION) {
    throw new StoreFormatError('STORE_FORMAT_INVALID', `the store at ${path} has format version ${JSON.stringify(found)}; this code supports version ${STORE_FORMAT_VERSION} (the store was left untouched)`)
  }
}

export async function openStore (init: StoreInit, options?: { signal?: AbortSignal }): Promise<Store> {
  const cfg = storeConfig(init)
  options?.signal?.throwIfAborted()
  const db = await openDb(cfg)
  try {
    // The format comes first: a newer layout may encode everything else differently.
    await checkFormat(db, cfg.path, await readFormat(db, cfg.path))
    const meta = await readMeta(db, cfg.path)
    // Checked last: once a store exists the caller owns it and must close it.
    options?.signal?.throwIfAborted()
    return new LevelStore(db, cfg, meta)
  } catch (err) {
    await db.close()
    throw err
  }
}
