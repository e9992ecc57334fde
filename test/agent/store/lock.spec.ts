import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, StoreOpenError } from '../../../agent/store/index.js'
import { removeDir, startWriter, tempStoreDir } from '../../helpers/store-fixtures.js'
import type { WriterProcess } from '../../helpers/store-fixtures.js'

let dir: string
let writer: WriterProcess | undefined

beforeEach(async () => { dir = await tempStoreDir('lock') })
afterEach(async () => {
  await writer?.kill()
  writer = undefined
  await removeDir(dir)
})

describe('store: lock', () => {
  it('should refuse a second open in the same process with a clear error', async () => {
    const store = await openStore({ path: dir })
    const err = await openStore({ path: dir }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreOpenError)
    expect(err).toMatchObject({ name: 'StoreOpenError', code: 'STORE_LOCKED' })
    expect((err as Error).message).toMatch(/locked.*another process/)
    await store.close()
    // Usable again once the first one closed.
    await (await openStore({ path: dir })).close()
  })

  it('should refuse to open a folder another process holds', async () => {
    writer = startWriter(dir)
    await writer.waitFor('flushed', 0, 30_000)
    const err = await openStore({ path: dir }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreOpenError)
    expect(err).toMatchObject({ code: 'STORE_LOCKED', message: expect.stringContaining(dir) })
  })
})
