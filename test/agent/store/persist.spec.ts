import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Entry, OriginVersion } from '../../../agent/core/index.js'
import { openStore, StoreClosedError, StoreWriteError } from '../../../agent/store/index.js'
import type { Store } from '../../../agent/store/index.js'
import { heartbeatEntry, removeDir, tempStoreDir } from '../../helpers/store-fixtures.js'
import { waitFor } from '../../helpers/wait.js'

let dir: string
let stores: Store[]

async function open (init: { batchEntriesMax?: number, batchDelayMs?: number } = {}): Promise<Store> {
  const store = await openStore({ path: dir, batchDelayMs: 60_000, ...init })
  stores.push(store)
  return store
}

async function reopen (store: Store): Promise<Store> {
  await store.close()
  return await open()
}

function byKey (entries: Entry[]): Entry[] {
  return [...entries].sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
}

beforeEach(async () => {
  dir = await tempStoreDir('persist')
  stores = []
})

afterEach(async () => {
  for (const s of stores) await s.close().catch(() => undefined)
  await removeDir(dir)
})

describe('store: persist and load', () => {
  it('should load an empty state from a new store', async () => {
    const store = await open()
    expect(await store.load()).toEqual({ entries: [], versions: [], hlc: 0, incarnation: 0, formatVersion: 1 })
  })

  it('should return identical entries, versions and meta after close and reopen', async () => {
    let store = await open()
    const entries = [
      heartbeatEntry('a', 'heartbeat', 101, 0),
      heartbeatEntry('b', 'caps', 102, 0),
      { key: 'member/b', value: { incarnation: 3, status: 'suspect' }, hlc: 103, origin: 'a', prev: 101 },
      { key: 'snapshot/x1', value: null, hlc: 104, origin: 'b', prev: 102 },
      { key: 'admin/e-1', value: ['ünïcødé ✓', 1.5, -2, true, { nested: [null] }], hlc: 2 ** 52, origin: 'b', prev: 104 }
    ]
    const versions: OriginVersion[] = [['a', 103, 103], ['b', 2 ** 52, 2 ** 52]]
    store.enqueue({ entries, deletes: [], versions, hlc: 2 ** 52 + 7, incarnation: 4 })
    await store.flush()
    store = await reopen(store)
    const state = await store.load()
    expect(byKey(state.entries)).toEqual(byKey(entries))
    expect(state.versions).toEqual(versions)
    expect(state).toMatchObject({ hlc: 2 ** 52 + 7, incarnation: 4, formatVersion: 1 })
  })

  it('should remove deleted keys, also a delete queued after a write of the same key', async () => {
    let store = await open()
    store.enqueue({ entries: [heartbeatEntry('a', 'x', 1, 0), heartbeatEntry('a', 'y', 2, 1)], deletes: [], versions: [], hlc: 2, incarnation: 1 })
    await store.flush()
    store.enqueue({ entries: [heartbeatEntry('a', 'z', 3, 2)], deletes: ['node/a/x'], versions: [], hlc: 3, incarnation: 1 })
    store.enqueue({ entries: [], deletes: ['node/a/z'], versions: [], hlc: 3, incarnation: 1 })
    await store.flush()
    store = await reopen(store)
    expect((await store.load()).entries.map((e) => e.key)).toEqual(['node/a/y'])
  })

  it('should keep the later value when a key is written twice, in the queue or across batches', async () => {
    let store = await open()
    store.enqueue({ entries: [heartbeatEntry('a', 'x', 1, 0)], deletes: [], versions: [['a', 1, 1]], hlc: 1, incarnation: 1 })
    await store.flush()
    store.enqueue({ entries: [heartbeatEntry('a', 'x', 2, 1), heartbeatEntry('a', 'y', 3, 2)], deletes: [], versions: [['a', 2, 3]], hlc: 3, incarnation: 1 })
    store.enqueue({ entries: [heartbeatEntry('a', 'y', 4, 3)], deletes: [], versions: [['a', 4, 4]], hlc: 4, incarnation: 1 })
    await store.flush()
    store = await reopen(store)
    const state = await store.load()
    expect(byKey(state.entries)).toEqual([heartbeatEntry('a', 'x', 2, 1), heartbeatEntry('a', 'y', 4, 3)])
    expect(state.versions).toEqual([['a', 4, 4]])
  })

  it('should never lower the persisted hlc or incarnation', async () => {
    let store = await open()
    store.enqueue({ entries: [], deletes: [], versions: [], hlc: 900, incarnation: 5 })
    await store.flush()
    store.enqueue({ entries: [heartbeatEntry('a', 'x', 10, 0)], deletes: [], versions: [], hlc: 10, incarnation: 2 })
    await store.flush()
    store = await reopen(store)
    expect(await store.load()).toMatchObject({ hlc: 900, incarnation: 5 })
  })

  it('should persist a meta-only change', async () => {
    let store = await open()
    store.enqueue({ entries: [], deletes: [], versions: [], hlc: 77, incarnation: 0 })
    await store.close()
    store = await open()
    expect((await store.load()).hlc).toBe(77)
  })

  it('should encode entries at enqueue, so later mutation of the caller\'s objects does not leak in', async () => {
    let store = await open()
    const e = heartbeatEntry('a', 'x', 1, 0)
    store.enqueue({ entries: [e], deletes: [], versions: [], hlc: 1, incarnation: 1 })
    const copy = structuredClone(e)
    e.value = 'changed'
    store = await reopen(store)
    expect((await store.load()).entries).toEqual([copy])
  })

  it('should refuse enqueue after close and resolve a second close', async () => {
    const store = await open()
    await store.close()
    await store.close()
    expect(() => { store.enqueue({ entries: [], deletes: [], versions: [], hlc: 1, incarnation: 1 }) }).toThrow(StoreClosedError)
    await expect(store.load()).rejects.toMatchObject({ name: 'StoreClosedError', code: 'STORE_CLOSED' })
  })

  it('should stop waiting for flush when its signal aborts', async () => {
    const store = await open()
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    store.enqueue({ entries: [heartbeatEntry('a', 'x', 1, 0)], deletes: [], versions: [], hlc: 1, incarnation: 1 })
    await expect(store.flush({ signal: controller.signal })).rejects.toThrow('stop')
    await store.flush()
    expect(store.stats).toMatchObject({ batches: 1, queued: 0 })
  })
})

describe('store: batching', () => {
  it('should write N enqueued entries in far fewer than N batches', async () => {
    const store = await open({ batchEntriesMax: 256, batchDelayMs: 5 })
    const n = 5_000
    for (let i = 0; i < n; i++) {
      store.enqueue({ entries: [heartbeatEntry('a', `f${i}`, i + 1, i)], deletes: [], versions: [['a', i + 1, i + 1]], hlc: i + 1, incarnation: 1 })
      // Yield now and then, as a runtime between inputs does, so background batches run meanwhile.
      if (i % 100 === 99) await new Promise<void>((resolve) => { setImmediate(resolve) })
    }
    await store.flush()
    expect(store.stats.entriesWritten).toBe(n)
    expect(store.stats.queued).toBe(0)
    expect(store.stats.batches).toBeGreaterThan(1)
    expect(store.stats.batches).toBeLessThan(n / 50)
    expect((await store.load()).entries).toHaveLength(n)
  })

  it('should flush by itself within batchDelayMs of a write', async () => {
    const store = await open({ batchDelayMs: 20 })
    store.enqueue({ entries: [heartbeatEntry('a', 'x', 1, 0)], deletes: [], versions: [], hlc: 1, incarnation: 1 })
    expect(store.stats.queued).toBe(1)
    await waitFor('a background batch', () => store.stats.batches === 1, 5_000, 5)
    expect(store.stats).toMatchObject({ queued: 0, entriesWritten: 1, errors: 0 })
  })

  it('should flush by itself when batchEntriesMax writes are queued', async () => {
    const store = await open({ batchEntriesMax: 10 })
    const entries = Array.from({ length: 10 }, (_, i) => heartbeatEntry('a', `f${i}`, i + 1, i))
    store.enqueue({ entries, deletes: [], versions: [], hlc: 10, incarnation: 1 })
    await waitFor('a full-queue batch', () => store.stats.batches === 1, 5_000, 5)
    expect(store.stats.entriesWritten).toBe(10)
  })

  it('should keep the writes of a failed batch queued, count the error and surface it on flush', async () => {
    const store = await open()
    // Break the database's batch method: the failure path has no natural trigger.
    const db = (store as unknown as { db: { batch: (...args: unknown[]) => Promise<void> } }).db
    const realBatch = db.batch.bind(db)
    db.batch = async () => { throw new Error('disk full') }
    store.enqueue({ entries: [heartbeatEntry('a', 'x', 1, 0)], deletes: [], versions: [['a', 1, 1]], hlc: 1, incarnation: 1 })
    const err = await store.flush().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreWriteError)
    expect(err).toMatchObject({ code: 'STORE_WRITE_FAILED', cause: { message: 'disk full' } })
    expect(store.stats).toMatchObject({ errors: 1, batches: 0, queued: 2 })
    // Newer writes queued after the failure still win over the failed batch's.
    store.enqueue({ entries: [heartbeatEntry('a', 'x', 2, 1)], deletes: [], versions: [['a', 2, 2]], hlc: 2, incarnation: 1 })
    db.batch = realBatch
    await store.flush()
    expect(store.stats).toMatchObject({ errors: 1, batches: 1, queued: 0 })
    const reopened = await reopen(store)
    expect(await reopened.load()).toMatchObject({ entries: [heartbeatEntry('a', 'x', 2, 1)], versions: [['a', 2, 2]], hlc: 2 })
  })

  it('should retry a failed background batch by itself', async () => {
    const store = await open({ batchDelayMs: 1 })
    const db = (store as unknown as { db: { batch: (...args: unknown[]) => Promise<void> } }).db
    const realBatch = db.batch.bind(db)
    let failures = 2
    db.batch = async (...args: unknown[]) => {
      if (failures-- > 0) throw new Error('transient')
      await realBatch(...args)
    }
    store.enqueue({ entries: [heartbeatEntry('a', 'x', 1, 0)], deletes: [], versions: [], hlc: 1, incarnation: 1 })
    await waitFor('a batch after two failures', () => store.stats.batches === 1, 5_000, 5)
    expect(store.stats).toMatchObject({ errors: 2, queued: 0 })
  })
})
