/**
 * Persistence of an agent's replicated state in LevelDB: entries, per-origin
 * versions, the HLC and the incarnation. The core's `persist` effects are
 * queued and written behind in batches; each batch is atomic, so a `kill -9`
 * loses at most the writes not yet flushed and never leaves half a batch.
 *
 * ```ts
 * import { openStore } from '../store/index.js'
 * const store = await openStore({ path: '/var/lib/hauki-mesh/state' })
 * const { entries, versions, hlc } = await store.load()
 * const incarnation = await store.beginIncarnation()
 * const core = new AgentCore({ name, rng, incarnation, hlc })
 * core.restore(entries, versions, now().monoMs)
 * for (const effect of core.step(input, now())) {
 *   if (effect.kind === 'persist') store.enqueue(effect)
 * }
 * await store.flush() // e.g. before acknowledging a flush barrier
 * await store.close()
 * ```
 *
 * Layout (format version 1): `m:format`, `m:hlc`, `m:incarnation` hold
 * decimal strings; `e:<key>` holds `[value, hlc, origin, prev]` and
 * `v:<origin>` holds `[upTo, max]`, both as JSON.
 */
export { openStore } from './open.js'
export type { PersistWrite, Store, StoredState, StoreInit, StoreStats } from './types.js'
export {
  StoreClosedError, StoreConfigError, StoreCorruptError, StoreError, StoreFormatError, StoreOpenError, StoreReadError, StoreWriteError
} from './errors.js'
export type { StoreErrorCode } from './errors.js'
export { BATCH_DELAY_MS_DEFAULT, BATCH_ENTRIES_MAX_DEFAULT, STORE_FORMAT_VERSION } from './constants.js'
