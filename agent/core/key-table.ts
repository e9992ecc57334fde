/**
 * Keys that live outside the replicas' rows (everything but `member/<name>`
 * and a node's caps, identity, heartbeat and rtt: service keys, admin
 * events, snapshots, the simulator's workload), by small integer id, with a
 * count of the replicas that hold each. A replica keeps the entry of such a
 * key in a typed column by this id, as it keeps row keys by name id: one
 * look-up in a column where a `Map` by key took two (at 10,000 simulated
 * nodes, each a cache miss in every node's map for every gossiped write).
 * Replicas that share a NameTable share its key table, so a key every node
 * holds is interned once; a key no replica holds any more is forgotten and
 * its id reused.
 */
import type { EntryKey } from './types.js'
import { CountedIds } from './counted-ids.js'

export class KeyTable extends CountedIds<EntryKey> {
  constructor () {
    super(64)
  }

  keyOf (id: number): EntryKey {
    return this.itemOf(id)
  }

  /** One more replica holds `key`; its id (a new one if no replica held it). */
  hold (key: EntryKey): number {
    const known = this.find(key)
    if (known < 0) return this.addNew(key)
    this.retain(known)
    return known
  }
}
