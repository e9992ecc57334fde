import { afterEach, describe, expect, it } from 'vitest'
import type { Effect, Entry, EntryKey, Hlc, NodeName, OriginVersion } from '../../agent/core/index.js'
import { runScenario } from '../../sim/index.js'
import { MemStore } from '../../sim/mem-store.js'
import { small } from './helpers.js'

type Persist = Extract<Effect, { kind: 'persist' }>

/** The plain model of agent/store: a full copy of every flushed batch. */
class CopyStore {
  private readonly entries = new Map<EntryKey, Entry>()
  private readonly versions = new Map<NodeName, OriginVersion>()
  private queued: Persist[] = []
  hlc: Hlc = 0

  enqueue (p: Persist): void {
    this.queued.push(p)
  }

  flush (): void {
    for (const p of this.queued) {
      for (const e of p.entries) this.entries.set(e.key, e)
      for (const key of p.deletes) this.entries.delete(key)
      for (const v of p.versions) this.versions.set(v[0], v)
      this.hlc = Math.max(this.hlc, p.hlc)
    }
    this.queued = []
  }

  crash (): void {
    this.queued = []
  }

  load (): { entries: Entry[], versions: OriginVersion[], hlc: Hlc } {
    return {
      entries: [...this.entries.values()].sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
      versions: [...this.versions.values()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
      hlc: this.hlc
    }
  }
}

const proto = MemStore.prototype
const original = { enqueue: proto.enqueue, flush: proto.flush, crash: proto.crash, close: proto.close, load: proto.load }

afterEach(() => {
  Object.assign(proto, original)
})

describe('sim: the store', () => {
  it('should load at every restart exactly what a full copy of the flushed batches holds', () => {
    const copies = new WeakMap<MemStore, CopyStore>()
    const copy = (s: MemStore): CopyStore => {
      let c = copies.get(s)
      if (c === undefined) copies.set(s, c = new CopyStore())
      return c
    }
    let restarts = 0
    let checkedEntries = 0
    // Between a persist effect and its flush is where a crash loses something: compare there too (every few times, for speed).
    let enqueues = 0
    let checkedQueues = 0
    proto.enqueue = function (this: MemStore, p: Persist) {
      if (enqueues++ % 5 === 0 && this.hasQueued) {
        checkedQueues++
        const got = (this as unknown as { durable: () => { entries: Entry[], versions: OriginVersion[] } }).durable()
        const want = copy(this).load()
        expect(got.versions).toEqual(want.versions)
        expect(got.entries).toEqual(want.entries)
      }
      copy(this).enqueue(p)
      original.enqueue.call(this, p)
    }
    proto.flush = function (this: MemStore) { copy(this).flush(); return original.flush.call(this) }
    proto.crash = function (this: MemStore) { copy(this).crash(); original.crash.call(this) }
    proto.close = function (this: MemStore) { copy(this).flush(); original.close.call(this) }
    proto.load = function (this: MemStore) {
      const got = original.load.call(this)
      const want = copy(this).load()
      if (want.entries.length > 0) restarts++
      checkedEntries += want.entries.length
      expect(got.hlc).toBe(want.hlc)
      expect(got.versions).toEqual(want.versions)
      expect(got.entries.length).toBe(want.entries.length)
      for (let i = 0; i < want.entries.length; i++) expect(got.entries[i]).toBe(want.entries[i])
      return got
    }
    // Crashes right after bursts of writes, stalls, loss and deletes: the store must lose exactly the unflushed batch.
    const s = small({
      nodes: 16,
      durationS: 60,
      network: { loss: 0.05 },
      workload: { writesPerS: 40, deleteFraction: 0.3 },
      stalls: { fraction: 0.3, durationMs: 1000, meanIntervalS: 4 },
      churn: { ratePerMin: 1.5, leaveFraction: 0.2, downtimeS: [2, 6] },
      events: [{ atS: 20, kind: 'crash', count: 3, durationS: 5 }, { atS: 21, kind: 'partition', fraction: 0.3, durationS: 8 }]
    })
    const result = runScenario(s, { seed: 7 })
    expect(result.ok).toBe(true)
    expect(restarts).toBeGreaterThan(5)
    expect(checkedEntries).toBeGreaterThan(100)
    expect(checkedQueues).toBeGreaterThan(100)
  })
})
