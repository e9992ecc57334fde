/**
 * The simulated store: what agent/store keeps in LevelDB, with the same
 * write-behind rule. `persist` effects are queued and written as one batch
 * `batchDelayMs` after the first of them (agent/store BATCH_DELAY_MS); a
 * crash loses the queued writes and never half a batch. The incarnation is
 * written synchronously at start, as `beginIncarnation` does.
 *
 * It keeps no second copy of a running node's state. Every change to a
 * replica's entries comes with a persist effect, so once a flush has written
 * the queue the durable entries are the replica's; only versions can lag (a
 * version that changed after the last persist effect was emitted is not
 * stored until the next one). While its node runs, the store is therefore
 * the replica as it was at the last flush, plus the lagging versions: the
 * replica logs what each change replaced (`UndoLog`) until the next flush,
 * and a crash rolls the replica back through that log. A stopped node's
 * store holds that state as arrays, for its restart to load.
 */
import { UndoLog } from '../agent/core/index.js'
import type { Effect, Entry, EntryKey, Hlc, NodeName, OriginVersion, Replica } from '../agent/core/index.js'

type Persist = Extract<Effect, { kind: 'persist' }>

interface Stored { entries: Entry[], versions: OriginVersion[] }

const byKey = (a: Entry, b: Entry): number => a.key < b.key ? -1 : a.key > b.key ? 1 : 0
const byOrigin = (a: OriginVersion, b: OriginVersion): number => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0

export class MemStore {
  /** The running node's replica, which the store follows; undefined while the node is stopped. */
  private replica: Replica | undefined
  private readonly log = new UndoLog()
  /** `log.origins.length` when the last persist effect was queued: origins logged after it have unemitted versions. */
  private mark = 0
  /** Stored versions of origins whose newest version is not emitted yet: [upTo, max], or undefined when none is stored. */
  private lagging = new Map<NodeName, [Hlc, Hlc] | undefined>()
  /** What a stopped node holds. */
  private stopped: Stored = { entries: [], versions: [] }
  private hlc: Hlc = 0
  private incarnation = 0
  private queued: Persist[] = []
  /** Whether the replica logs its changes for a crash to roll back (see `attach`). */
  private logged = true

  get hasQueued (): boolean {
    return this.queued.length > 0
  }

  /**
   * The node started with `replica`, restored from `load()`: follow it. The
   * restored replica holds exactly the stored entries; its versions are all
   * still to be emitted (restoring marks them changed), so the stored ones
   * lag until then. With `asStored`, the replica also holds what the store
   * is to hold as if written already (a formed fleet's boot state), versions
   * included. Without `logged`, the replica logs nothing: for a world that
   * never crashes its nodes, where nothing reads what a crash would have kept.
   */
  attach (replica: Replica, asStored = false, logged = true): void {
    this.lagging = new Map()
    if (!asStored) {
      const stored = new Map<NodeName, OriginVersion>()
      for (const v of this.stopped.versions) stored.set(v[0], v)
      for (const [origin] of replica.versions()) {
        const v = stored.get(origin)
        this.lagging.set(origin, v === undefined ? undefined : [v[1], v[2]])
      }
    }
    this.stopped = { entries: [], versions: [] }
    this.log.clear()
    this.mark = 0
    this.replica = replica
    this.logged = logged
    replica.undo = logged ? this.log : undefined
  }

  /**
   * Run `fn` without logging the replica's changes: only when every batch it
   * queues is flushed right after, with no crash possible in between.
   */
  unlogged (fn: () => void): void {
    const r = this.replica
    if (r === undefined) return fn()
    r.undo = undefined
    try {
      fn()
    } finally {
      r.undo = this.logged ? this.log : undefined
    }
  }

  enqueue (p: Persist): void {
    // A new array for a new batch rather than a push into the empty one `flush` left, which is
    // likely in the old generation by then: its young elements would keep every queued batch alive
    // through scavenges until a full collection (see Replica.rehash).
    if (this.queued.length === 0) this.queued = [p]
    else this.queued.push(p)
    this.mark = this.log.origins.length
  }

  /** Write the queued batch; returns the entries that became durable (read only). */
  flush (): readonly Entry[] {
    const batch = this.queued
    // A batch is usually one persist effect: its own list of entries is the answer, not a copy.
    const durable = batch.length === 1 ? (batch[0] as Persist).entries : batch.flatMap((p) => p.entries)
    for (const p of batch) {
      this.hlc = Math.max(this.hlc, p.hlc)
      this.incarnation = Math.max(this.incarnation, p.incarnation)
    }
    this.queued = []
    if (this.replica !== undefined) this.settle(batch)
    return durable
  }

  /**
   * After a flush the store is level with the replica, except for origins
   * whose version changed after the last persist effect: they keep the value
   * stored last (emitted in this batch, lagging already, or as it was at the
   * previous flush, the first thing the log holds of them).
   */
  private settle (batch: readonly Persist[]): void {
    const log = this.log
    if (this.mark === log.origins.length) {
      // Nothing changed after the last persist effect (the usual case): nothing lags.
      if (this.lagging.size > 0) this.lagging = new Map()
      log.clear()
      this.mark = 0
      return
    }
    const lagging = new Map<NodeName, [Hlc, Hlc] | undefined>()
    let first: Map<NodeName, number> | undefined
    let emitted: Map<NodeName, OriginVersion> | undefined
    if (this.mark < log.origins.length) {
      emitted = new Map()
      for (const p of batch) for (const v of p.versions) emitted.set(v[0], v)
    }
    for (let i = this.mark; i < log.origins.length; i++) {
      const origin = log.origins[i] as NodeName
      if (lagging.has(origin)) continue
      const v = emitted?.get(origin)
      if (v !== undefined) {
        lagging.set(origin, [v[1], v[2]])
      } else if (this.lagging.has(origin)) {
        // Not reached while every persist effect emits every dirty version, but correct if one did not.
        lagging.set(origin, this.lagging.get(origin))
      } else {
        if (first === undefined) {
          first = new Map()
          for (let j = log.origins.length - 1; j >= 0; j--) first.set(log.origins[j] as NodeName, j)
        }
        const j = first.get(origin) as number
        const upTo = log.upToAt(j)
        lagging.set(origin, upTo < 0 ? undefined : [upTo, log.maxAt(j)])
      }
    }
    this.lagging = lagging
    log.clear()
    this.mark = 0
  }

  /** The durable state: the replica rolled back to the last flush, with the lagging versions. */
  private durable (): Stored {
    const r = this.replica
    if (r === undefined) return this.stopped
    const log = this.log
    const entries = new Map<EntryKey, Entry>()
    for (const e of r.all()) entries.set(e.key, e)
    for (let i = log.changeCount - 1; i >= 0; i--) {
      const before = log.entryAt(i)
      if (before === undefined) entries.delete(log.keyAt(i))
      else entries.set(before.key, before)
    }
    const versions = new Map<NodeName, [Hlc, Hlc] | undefined>()
    for (const [origin, upTo, max] of r.versions()) versions.set(origin, [upTo, max])
    for (let i = log.origins.length - 1; i >= 0; i--) {
      const upTo = log.upToAt(i)
      versions.set(log.origins[i] as NodeName, upTo < 0 ? undefined : [upTo, log.maxAt(i)])
    }
    for (const [origin, v] of this.lagging) versions.set(origin, v)
    const out: OriginVersion[] = []
    for (const [origin, v] of versions) if (v !== undefined) out.push([origin, v[0], v[1]])
    return { entries: [...entries.values()].sort(byKey), versions: out.sort(byOrigin) }
  }

  /** Stop following the replica, keeping what is durable. */
  private detach (): void {
    this.stopped = this.durable()
    if (this.replica !== undefined) this.replica.undo = undefined
    this.replica = undefined
    this.log.clear()
    this.mark = 0
    this.lagging = new Map()
  }

  /** kill -9: whatever was not flushed is gone. */
  crash (): void {
    if (!this.logged) throw new Error('MemStore.crash: the replica logs no changes to roll back (attached without logged)')
    this.queued = []
    this.detach()
  }

  /** A clean stop (after a final flush). */
  close (): void {
    this.flush()
    this.detach()
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
    const { entries, versions } = this.durable()
    return { entries, versions, hlc: this.hlc }
  }
}
