/**
 * Defaults, limits and the on-disk layout of the store, applied once where a
 * store is opened (`init.x ?? X_DEFAULT`). Durations end in `Ms`.
 */

/**
 * Version of the on-disk layout this code reads and writes. Raise it when the
 * layout changes and teach `open.ts` to migrate older stores; a store written
 * by newer code is refused rather than rewritten, so a downgrade never
 * destroys data it cannot read.
 */
export const STORE_FORMAT_VERSION = 1

// Batching.
/** Flush as soon as this many writes (entries, deletes, versions) are queued. */
export const BATCH_ENTRIES_MAX_DEFAULT = 1024
/** Flush queued writes at most this long after the first of them was queued. */
export const BATCH_DELAY_MS_DEFAULT = 50
/** Bounds of `batchEntriesMax`, checked at open. */
export const BATCH_ENTRIES_MAX_MIN = 1
export const BATCH_ENTRIES_MAX_MAX = 1_000_000
/** Bounds of `batchDelayMs`, checked at open. */
export const BATCH_DELAY_MS_MIN = 0
export const BATCH_DELAY_MS_MAX = 60_000

// LevelDB memory. Its defaults (8 MiB block cache, 4 MiB write buffer) would be
// a tenth of an agent's resident memory target (issue 3: under 96 MB).
/** Block cache; the agent reads the store only at start, with the cache bypassed. */
export const CACHE_SIZE_BYTES_DEFAULT = 1024 * 1024
/** Memtable size before it is written out as a sorted table. */
export const WRITE_BUFFER_SIZE_BYTES_DEFAULT = 1024 * 1024
/** Bounds of `cacheSizeBytes` and `writeBufferSizeBytes`, checked at open. */
export const LEVEL_MEMORY_BYTES_MIN = 64 * 1024
export const LEVEL_MEMORY_BYTES_MAX = 1024 * 1024 * 1024
/**
 * After a failed background batch the retry waits batchDelayMs, doubling per
 * consecutive failure up to this, so a full disk is retried without spinning.
 */
export const RETRY_DELAY_MS_MAX = 5_000

// Reading.
/** Records fetched from LevelDB per iterator step while loading. */
export const LOAD_CHUNK_RECORDS = 1024

// Layout. Prefixes sort `e:` < `m:` < `v:`; `;` is the character after `:`,
// so `[p:, p;)` is exactly the range of one prefix.
/** `e:<entry key>` -> JSON `[value, hlc, origin, prev]`. */
export const ENTRY_PREFIX = 'e:'
/** `v:<origin>` -> JSON `[upTo, max]`. */
export const VERSION_PREFIX = 'v:'
/** Meta: layout version, as a decimal string. */
export const META_FORMAT_KEY = 'm:format'
/** Meta: highest HLC persisted, as a decimal string. */
export const META_HLC_KEY = 'm:hlc'
/** Meta: highest incarnation persisted, as a decimal string. */
export const META_INCARNATION_KEY = 'm:incarnation'
