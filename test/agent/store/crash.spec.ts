import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../../agent/store/index.js'
import { removeDir, startWriter, tempStoreDir, WRITER_BATCH_ENTRIES, WRITER_NODE, writerHlc } from '../../helpers/store-fixtures.js'
import type { WriterProcess } from '../../helpers/store-fixtures.js'

let dir: string
let writer: WriterProcess | undefined

beforeEach(async () => { dir = await tempStoreDir('crash') })
afterEach(async () => {
  await writer?.kill()
  writer = undefined
  await removeDir(dir)
})

/** Batch number and index of a writer key `node/w/f<k>-<i>`. */
function batchOf (key: string): number {
  const m = /^node\/w\/f(\d+)-(\d+)$/.exec(key)
  if (m === null) throw new Error(`unexpected key ${key}`)
  return Number(m[1])
}

describe('store: crash', () => {
  // Killing on `flushed k` lands while batch k+1 is being built; killing on
  // `writing k` lands while batch k is in LevelDB's hands, so either outcome
  // of that batch is possible and both are checked.
  it.each([
    ['flushed', 2],
    ['writing', 5],
    ['writing', 12]
  ] as const)('should keep every flushed batch and no half batch after SIGKILL on "%s %i"', async (event, batch) => {
    writer = startWriter(dir)
    await writer.waitFor(event, batch, 30_000)
    await writer.kill()
    const reported = Math.max(-1, ...writer.flushed)
    const writerIncarnation = writer.incarnation()

    const store = await openStore({ path: dir })
    const state = await store.load()
    const perBatch = new Map<number, number>()
    for (const e of state.entries) perBatch.set(batchOf(e.key), (perBatch.get(batchOf(e.key)) ?? 0) + 1)
    const present = [...perBatch.keys()].sort((a, b) => a - b)
    const last = present.at(-1) ?? -1

    // Every reported batch is whole, later ones are whole or absent: batches 0..last, each complete.
    expect(last).toBeGreaterThanOrEqual(reported)
    expect(present).toEqual(Array.from({ length: last + 1 }, (_, k) => k))
    for (const k of present) expect(perBatch.get(k), `entries of batch ${k}`).toBe(WRITER_BATCH_ENTRIES)
    // Version and HLC went into the same batches as the entries they describe.
    const lastHlc = writerHlc(last, WRITER_BATCH_ENTRIES - 1)
    expect(state.versions).toEqual([[WRITER_NODE, lastHlc, lastHlc]])
    expect(state.hlc).toBe(lastHlc)

    expect(writerIncarnation).toBeDefined()
    expect(state.incarnation).toBe(writerIncarnation)
    expect(await store.beginIncarnation()).toBeGreaterThan(writerIncarnation ?? Infinity)
    await store.close()
  })
})
