import type { Entry, EntryKey, Hlc, OriginVersion } from '../core/index.js'

export interface StoreInit {
  /** Folder of the LevelDB database; created when missing. */
  path: string
  /** Flush when this many writes (entries, deletes, versions) are queued. @default 1024 */
  batchEntriesMax?: number
  /** Flush queued writes at most this long after the first. @default 50 */
  batchDelayMs?: number
  /**
   * LevelDB's block cache. The agent reads the store once, at start (without
   * filling the cache), so a small cache costs nothing and bounds memory.
   * @default 1048576 (1 MiB; LevelDB's own default is 8 MiB)
   */
  cacheSizeBytes?: number
  /**
   * LevelDB's write buffer (memtable): writes are held in memory up to this
   * size before they go to a sorted table on disk. Resident memory grows to
   * about twice this while a full buffer is being written out.
   * @default 1048576 (1 MiB; LevelDB's own default is 4 MiB)
   */
  writeBufferSizeBytes?: number
}

/** Everything a store holds, as `load()` returns it. */
export interface StoredState {
  entries: Entry[]
  versions: OriginVersion[]
  /** Highest HLC ever persisted; 0 for a new store. */
  hlc: Hlc
  /** Highest incarnation ever persisted; 0 for a new store. */
  incarnation: number
  /** Layout version of the store (`STORE_FORMAT_VERSION`). */
  formatVersion: number
}

/** The data of the core's `persist` effect. */
export interface PersistWrite {
  entries: readonly Entry[]
  /** Keys whose entries are removed (collected tombstones); applied after `entries`. */
  deletes: readonly EntryKey[]
  versions: readonly OriginVersion[]
  hlc: Hlc
  incarnation: number
}

export interface StoreStats {
  /** Batches written successfully. */
  batches: number
  /** Entry records (puts and deletes, not versions or meta) written successfully. */
  entriesWritten: number
  /** Writes waiting for the next batch. */
  queued: number
  /** Duration of the last successful batch. */
  lastBatchMs: number
  /** Batches that failed; their writes stayed queued. */
  errors: number
}

export interface Store {
  /**
   * Everything durable in the database. Writes still queued are not included:
   * call it at start, before enqueueing, or `flush()` first.
   */
  load (options?: { signal?: AbortSignal }): Promise<StoredState>
  /**
   * Persist and return the incarnation to run with: one above the highest ever
   * persisted or queued (1 for a new store). It is fsynced before it returns,
   * so a restarted node never reuses an incarnation, even after a power cut.
   */
  beginIncarnation (options?: { signal?: AbortSignal }): Promise<number>
  /**
   * Queue a persist effect for batched write-behind (one LevelDB batch per
   * flush). Later writes of the same key in the queue replace earlier ones.
   * Values are encoded now, so the caller may reuse its objects afterwards.
   */
  enqueue (p: PersistWrite): void
  /**
   * Write everything queued now in one atomic batch; resolves when it is in
   * LevelDB (it survives a killed process), rejects with `StoreWriteError`
   * when it is not, in which case the writes stay queued.
   */
  flush (options?: { signal?: AbortSignal }): Promise<void>
  /** Flush, then close the database. Later calls resolve at once. */
  close (): Promise<void>
  readonly stats: Readonly<StoreStats>
}
