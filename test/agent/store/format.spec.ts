import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, STORE_FORMAT_VERSION, StoreFormatError } from '../../../agent/store/index.js'
import { META_FORMAT_KEY } from '../../../agent/store/constants.js'
import { heartbeatEntry, removeDir, tempStoreDir } from '../../helpers/store-fixtures.js'

let dir: string

/** Run `fn` on the raw database, bypassing the store. */
async function raw<T> (fn: (db: Level<string, string>) => Promise<T>): Promise<T> {
  const db = new Level<string, string>(dir)
  await db.open()
  try {
    return await fn(db)
  } finally {
    await db.close()
  }
}

beforeEach(async () => { dir = await tempStoreDir('format') })
afterEach(async () => { await removeDir(dir) })

describe('store: format version', () => {
  it('should write the current format version into a new store at open', async () => {
    const store = await openStore({ path: dir })
    await store.close()
    expect(await raw(async (db) => await db.get(META_FORMAT_KEY))).toBe(String(STORE_FORMAT_VERSION))
  })

  it('should refuse a store with a newer format version and leave it untouched', async () => {
    const store = await openStore({ path: dir })
    store.enqueue({ entries: [heartbeatEntry('a', 'x', 1, 0)], deletes: [], versions: [], hlc: 1, incarnation: 1 })
    await store.close()
    const newer = String(STORE_FORMAT_VERSION + 1)
    await raw(async (db) => { await db.put(META_FORMAT_KEY, newer) })
    const before = await raw(async (db) => await db.iterator().all())

    const err = await openStore({ path: dir }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreFormatError)
    expect(err).toMatchObject({ name: 'StoreFormatError', code: 'STORE_FORMAT_NEWER' })
    const message = (err as Error).message
    expect(message).toContain(`format version ${newer}`)
    expect(message).toContain(`version ${STORE_FORMAT_VERSION}`)
    expect(message).toContain(dir)

    expect(await raw(async (db) => await db.iterator().all())).toEqual(before)
    // Closed on refusal: the folder is not left locked.
    expect(await raw(async (db) => await db.get(META_FORMAT_KEY))).toBe(newer)
  })

  it.each([
    ['an unreadable format version', [[META_FORMAT_KEY, 'one']]],
    ['records but no format version', [['e:node/a/x', '[1,1,"a",0]']]]
  ])('should refuse a store with %s', async (_what, records) => {
    await raw(async (db) => { for (const [k, v] of records as Array<[string, string]>) await db.put(k, v) })
    await expect(openStore({ path: dir })).rejects.toMatchObject({ name: 'StoreFormatError', code: 'STORE_FORMAT_INVALID' })
    expect(await raw(async (db) => await db.get(META_FORMAT_KEY))).toBe(records[0]?.[0] === META_FORMAT_KEY ? 'one' : undefined)
  })

  it('should report a corrupt record on load', async () => {
    const store = await openStore({ path: dir })
    await store.close()
    await raw(async (db) => { await db.put('e:node/a/x', '{"not":"a record"}') })
    const reopened = await openStore({ path: dir })
    await expect(reopened.load()).rejects.toMatchObject({ name: 'StoreCorruptError', code: 'STORE_CORRUPT' })
    await reopened.close()
  })

  it.each([
    ['batchEntriesMax', { batchEntriesMax: 0 }],
    ['batchDelayMs', { batchDelayMs: -1 }],
    ['cacheSizeBytes', { cacheSizeBytes: 1.5 }],
    ['writeBufferSizeBytes', { writeBufferSizeBytes: 0 }],
    ['path', { path: '' }]
  ])('should reject an invalid %s naming the field', async (field, init) => {
    await expect(openStore({ path: dir, ...init })).rejects.toMatchObject({ name: 'StoreConfigError', message: expect.stringContaining(field) })
  })
})
