import { afterEach, describe, expect, it } from 'vitest'
import { ColumnSlabs } from '../../sim/slabs.js'
import { waitFor } from '../helpers/wait.js'

// Small slabs, so that a few columns fill several of them.
const SLAB = 1 << 20
const MIN = 4096

describe('sim: column slabs', () => {
  let slabs: ColumnSlabs | undefined
  afterEach(() => {
    slabs?.close()
    slabs = undefined
  })

  it('hands out zeroed, disjoint, aligned columns of the asked kind, from shared slabs only when large enough', () => {
    const s = slabs = new ColumnSlabs({ slabBytes: SLAB, columnMinBytes: MIN })
    const cols = [s.make(Float64Array, 10_000), s.make(Int32Array, 50_000), s.make(Uint8Array, 70_000), s.make(Float64Array, 100_000), s.make(Int32Array, 3)]
    expect(cols.map((c) => c.constructor.name)).toEqual(['Float64Array', 'Int32Array', 'Uint8Array', 'Float64Array', 'Int32Array'])
    expect(cols.map((c) => c.length)).toEqual([10_000, 50_000, 70_000, 100_000, 3])
    expect(cols.slice(0, 4).every((c) => c.buffer instanceof SharedArrayBuffer && c.byteOffset % 64 === 0)).toBe(true)
    // Too small for a slab: the usual allocator.
    expect(cols[4]?.buffer instanceof SharedArrayBuffer).toBe(false)
    expect(cols.every((c) => c.every((x) => x === 0))).toBe(true)
    // Filling each in turn leaves the others as they were.
    cols.forEach((c, i) => c.fill(i + 1))
    cols.forEach((c, i) => { expect(c.every((x) => x === i + 1)).toBe(true) })
    expect(s.carved).toBe(10_000 * 8 + 50_000 * 4 + 70_000 + 100_000 * 8)
    expect(s.slabs).toBeGreaterThanOrEqual(2)
    s.close()
    expect(s.make(Float64Array, 10_000).buffer instanceof SharedArrayBuffer).toBe(false)
  })

  it('never changes what the simulation wrote while the worker touches the pages', async () => {
    const s = slabs = new ColumnSlabs({ slabBytes: SLAB, columnMinBytes: MIN })
    const cols: Int32Array[] = []
    // Written the moment each is made, as the simulation writes its columns, before the worker can have reached them.
    for (let i = 0; i < 12; i++) {
      const c = s.make(Int32Array, 60_000 + i)
      for (let j = 0; j < c.length; j++) c[j] = i * 1_000_003 + j + 1
      cols.push(c)
    }
    expect(s.slabs).toBeGreaterThanOrEqual(3)
    await waitFor('the worker to touch every slab', () => s.touched === s.slabs)
    cols.forEach((c, i) => {
      let wrong = 0
      for (let j = 0; j < c.length; j++) if (c[j] !== i * 1_000_003 + j + 1) wrong++
      expect(wrong).toBe(0)
    })
  })

  it('touches a big buffer a slab at a time, between slabs, without changing what was written', async () => {
    const s = slabs = new ColumnSlabs({ slabBytes: SLAB, columnMinBytes: MIN })
    const big = new Int32Array(s.buffer(3.5 * SLAB))
    expect(big.buffer instanceof SharedArrayBuffer).toBe(true)
    for (let j = 0; j < big.length; j++) big[j] = j + 7
    // One range goes out at once; each slab made sends the next.
    for (let i = 0; i < 3; i++) s.make(Int32Array, SLAB / 4)
    await waitFor('the worker to touch the slabs and every range of the buffer', () => s.touched === s.slabs && s.rangesTouched === 4)
    let wrong = 0
    for (let j = 0; j < big.length; j++) if (big[j] !== j + 7) wrong++
    expect(wrong).toBe(0)
    s.close()
    expect(s.buffer(1024) instanceof SharedArrayBuffer).toBe(false)
  })
})
