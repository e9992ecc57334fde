/**
 * The simulated store: what agent/store keeps in LevelDB, kept in memory with
 * the same write-behind rule. `persist` effects are queued and written as one
 * batch `batchDelayMs` after the first of them (agent/store BATCH_DELAY_MS);
 * a crash loses the queued writes and never half a batch. The incarnation is
 * written synchronously at start, as `beginIncarnation` does.
 */
import type { Effect, Entry, EntryKey, Hlc, NodeName, OriginVersion } from '../agent/core/index.js'

type Persist = Extract<Effect, { kind: 'persist' }>

export class MemStore {
  private readonly entries = new Map<EntryKey, Entry>()
  private readonly versions = new Map<NodeName, OriginVersion>()
  private hlc: Hlc = 0
  private incarnation = 0
  private queued: Persist[] = []

  get hasQueued (): boolean {
    return this.queued.length > 0
  }

  get size (): number {
    return this.entries.size
  }

  enqueue (p: Persist): void {
    this.queued.push(p)
  }

  /** Write the queued batch; returns the entries that became durable. */
  flush (): Entry[] {
    const durable: Entry[] = []
    for (const p of this.queued) {
      for (const e of p.entries) {
        this.entries.set(e.key, e)
        durable.push(e)
      }
      for (const key of p.deletes) this.entries.delete(key)
      for (const v of p.versions) this.versions.set(v[0], v)
      this.hlc = Math.max(this.hlc, p.hlc)
      this.incarnation = Math.max(this.incarnation, p.incarnation)
    }
    this.queued = []
    return durable
  }

  /** kill -9: whatever was not flushed is gone. */
  crash (): void {
    this.queued = []
  }

  /** One above any incarnation persisted or queued, persisted at once. */
  beginIncarnation (): number {
    let queued = 0
    for (const p of this.queued) queued = Math.max(queued, p.incarnation)
    this.incarnation = Math.max(this.incarnation, queued) + 1
    return this.incarnation
  }

  /** What a restart reads: entries in key order and versions in origin order, as LevelDB iterates them. */
  load (): { entries: Entry[], versions: OriginVersion[], hlc: Hlc } {
    const entries = [...this.entries.values()].sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
    const versions = [...this.versions.values()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
    return { entries, versions, hlc: this.hlc }
  }
}
