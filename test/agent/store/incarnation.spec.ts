import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../../agent/store/index.js'
import { removeDir, tempStoreDir } from '../../helpers/store-fixtures.js'

let dir: string

beforeEach(async () => { dir = await tempStoreDir('incarnation') })
afterEach(async () => { await removeDir(dir) })

describe('store: incarnation', () => {
  it('should begin at 1 on a new store and rise by one on every reopen, even with nothing else written', async () => {
    const seen: number[] = []
    for (let run = 0; run < 3; run++) {
      const store = await openStore({ path: dir })
      seen.push(await store.beginIncarnation())
      await store.close()
    }
    expect(seen).toEqual([1, 2, 3])
    const store = await openStore({ path: dir })
    expect((await store.load()).incarnation).toBe(3)
    await store.close()
  })

  it('should begin above an incarnation persisted or queued by enqueue', async () => {
    let store = await openStore({ path: dir })
    store.enqueue({ entries: [], deletes: [], versions: [], hlc: 1, incarnation: 7 })
    await store.close()
    store = await openStore({ path: dir })
    expect(await store.beginIncarnation()).toBe(8)
    store.enqueue({ entries: [], deletes: [], versions: [], hlc: 2, incarnation: 12 })
    expect(await store.beginIncarnation()).toBe(13)
    await store.close()
    store = await openStore({ path: dir })
    expect((await store.load()).incarnation).toBe(13)
    await store.close()
  })
})
