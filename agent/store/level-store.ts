/**
 * The store over an open LevelDB: a write-behind queue, a timer that bounds
 * how long a write waits, and one writer at a time.
 *
 * Every write to the database runs through `serial`. classic-level runs
 * operations on a thread pool, so two batches in flight at once may land in
 * either order; serialising them keeps "later write wins" true on disk too,
 * and lets the meta counters be written as `max(persisted, queued)` without
 * reading them back.
 *
 * A flush writes everything queued as ONE batch, never split: a persist
 * effect's versions claim that its entries are held, so they must reach the
 * disk together or not at all (LevelDB applies a batch atomically, also
 * across a `kill -9`).
 */
import { performance } from 'node:perf_hooks'
import { META_HLC_KEY, META_INCARNATION_KEY, RETRY_DELAY_MS_MAX } from './constants.js'
import { StoreClosedError, StoreWriteError } from './errors.js'
import { readState } from './load.js'
import type { Db, Meta } from './load.js'
import { raceSignal } from './signal.js'
import type { PersistWrite, Store, StoredState, StoreStats } from './types.js'
import { countEntryOps, WriteQueue } from './write-queue.js'

export interface LevelStoreConfig {
  path: string
  batchEntriesMax: number
  batchDelayMs: number
  cacheSizeBytes: number
  writeBufferSizeBytes: number
}

type BatchOp = { type: 'put', key: string, value: string } | { type: 'del', key: string }
type Lifecycle = 'open' | 'closing' | 'closed'

/** Retry delays of failed background batches start here, so `batchDelayMs: 0` cannot spin. */
const RETRY_DELAY_MS_BASE = 10

export class LevelStore implements Store {
  private readonly queue = new WriteQueue()
  private readonly counters: Omit<StoreStats, 'queued'> = { batches: 0, entriesWritten: 0, lastBatchMs: 0, errors: 0 }
  private chain: Promise<unknown> = Promise.resolve()
  private timer: ReturnType<typeof setTimeout> | undefined
  /** A background flush is chained but has not taken the queue yet. */
  private backgroundPending = false
  private failuresInRow = 0
  private lifecycle: Lifecycle = 'open'
  private closing: Promise<void> | undefined
  private persistedHlc: number
  private persistedIncarnation: number

  constructor (private readonly db: Db, private readonly cfg: LevelStoreConfig, meta: Meta) {
    this.persistedHlc = meta.hlc
    this.persistedIncarnation = meta.incarnation
  }

  get stats (): Readonly<StoreStats> {
    return { ...this.counters, queued: this.queue.size }
  }

  async load (options?: { signal?: AbortSignal }): Promise<StoredState> {
    this.assertOpen('load')
    // Serialised with the writer so entries, versions and meta come from one point in time.
    return await raceSignal(this.serial(async () => await readState(this.db, this.cfg.path, options?.signal)), options?.signal)
  }

  async beginIncarnation (options?: { signal?: AbortSignal }): Promise<number> {
    this.assertOpen('beginIncarnation')
    return await raceSignal(this.serial(async () => {
      const next = Math.max(this.persistedIncarnation, this.queue.incarnation) + 1
      try {
        // sync: the incarnation must survive a power cut, or a restarted node could reuse one.
        await this.db.put(META_INCARNATION_KEY, String(next), { sync: true })
      } catch (err) {
        throw new StoreWriteError(`persisting incarnation ${next} to the store at ${this.cfg.path} failed`, { cause: err })
      }
      this.persistedIncarnation = next
      return next
    }), options?.signal)
  }

  enqueue (p: PersistWrite): void {
    this.assertOpen('enqueue')
    this.queue.add(p)
    this.schedule()
  }

  async flush (options?: { signal?: AbortSignal }): Promise<void> {
    if (this.lifecycle === 'closed') return // close() flushed everything already
    await raceSignal(this.serial(async () => { await this.writeQueued() }), options?.signal)
  }

  async close (): Promise<void> {
    this.closing ??= this.shutDown()
    await this.closing
  }

  private async shutDown (): Promise<void> {
    this.lifecycle = 'closing'
    this.clearTimer()
    try {
      await this.serial(async () => { await this.writeQueued() })
    } catch (err) {
      // Keeping the database open for a caller that is shutting down would only hold the lock.
      throw new StoreWriteError(`closing the store at ${this.cfg.path}: ${this.queue.size} queued writes were not persisted`, { cause: err })
    } finally {
      this.lifecycle = 'closed'
      await this.db.close()
    }
  }

  private assertOpen (op: string): void {
    if (this.lifecycle !== 'open') throw new StoreClosedError(`${op}: the store at ${this.cfg.path} is ${this.lifecycle}`)
  }

  private serial<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn)
    this.chain = run.catch(() => undefined)
    return run
  }

  private hasPending (): boolean {
    return this.queue.size > 0 || this.queue.hlc > this.persistedHlc || this.queue.incarnation > this.persistedIncarnation
  }

  /** Arm the delay timer, or flush now when the queue is full. */
  private schedule (): void {
    if (this.backgroundPending) return // the chained flush will take these writes too
    if (this.queue.size >= this.cfg.batchEntriesMax) {
      this.startBackground()
    } else if (this.timer === undefined && this.hasPending()) {
      this.timer = setTimeout(() => { this.startBackground() }, this.cfg.batchDelayMs)
    }
  }

  private startBackground (): void {
    this.clearTimer()
    if (this.lifecycle !== 'open') return
    this.backgroundPending = true
    this.serial(async () => {
      this.backgroundPending = false
      await this.writeQueued()
    }).then(() => {
      this.failuresInRow = 0
    }, () => {
      // Counted in writeQueued; the writes stay queued and the next flush() reports it if it persists.
      this.failuresInRow++
      this.armRetry()
    })
  }

  private armRetry (): void {
    if (this.lifecycle !== 'open' || this.timer !== undefined || this.backgroundPending) return
    const delayMs = Math.min(RETRY_DELAY_MS_MAX, Math.max(this.cfg.batchDelayMs, RETRY_DELAY_MS_BASE) * 2 ** this.failuresInRow)
    this.timer = setTimeout(() => { this.startBackground() }, delayMs)
  }

  private clearTimer (): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Write the whole queue as one batch. Runs only inside `serial`. */
  private async writeQueued (): Promise<void> {
    if (!this.hasPending()) return
    const batch = this.queue.take()
    const hlc = Math.max(this.persistedHlc, batch.hlc)
    const incarnation = Math.max(this.persistedIncarnation, batch.incarnation)
    const ops: BatchOp[] = []
    for (const [key, value] of batch.ops) ops.push(value === undefined ? { type: 'del', key } : { type: 'put', key, value })
    if (hlc > this.persistedHlc) ops.push({ type: 'put', key: META_HLC_KEY, value: String(hlc) })
    if (incarnation > this.persistedIncarnation) ops.push({ type: 'put', key: META_INCARNATION_KEY, value: String(incarnation) })
    const startedMs = performance.now()
    try {
      await this.db.batch(ops)
    } catch (err) {
      this.queue.restore(batch)
      this.counters.errors++
      throw new StoreWriteError(`writing a batch of ${ops.length} records to the store at ${this.cfg.path} failed; the writes stay queued`, { cause: err })
    }
    this.counters.lastBatchMs = performance.now() - startedMs
    this.counters.batches++
    this.counters.entriesWritten += countEntryOps(batch.ops)
    this.persistedHlc = hlc
    this.persistedIncarnation = incarnation
  }
}
