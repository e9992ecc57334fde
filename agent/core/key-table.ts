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
import { grown } from './columns.js'

export class KeyTable {
  private readonly ids = new Map<EntryKey, number>()
  private readonly keys: (EntryKey | undefined)[] = []
  private refs = new Int32Array(64)
  private readonly free: number[] = []

  /** One past the highest id handed out: a column by key id needs this many elements. */
  get idSpan (): number {
    return this.keys.length
  }

  /** Keys held by some replica. */
  get size (): number {
    return this.ids.size
  }

  /** The key's id, or -1 when no replica holds it. */
  find (key: EntryKey): number {
    return this.ids.get(key) ?? -1
  }

  keyOf (id: number): EntryKey {
    return this.keys[id] as EntryKey
  }

  /** One more replica holds `key`; its id (a new one if no replica held it). */
  hold (key: EntryKey): number {
    const known = this.ids.get(key)
    if (known !== undefined) {
      this.retain(known)
      return known
    }
    const id = this.free.length > 0 ? this.free.pop() as number : this.keys.length
    if (id === this.keys.length) {
      this.keys.push(key)
      if (id >= this.refs.length) this.refs = grown(this.refs, this.refs.length * 2)
    } else {
      this.keys[id] = key
    }
    this.ids.set(key, id)
    this.refs[id] = 1
    return id
  }

  /** One more replica holds the key with this id. */
  retain (id: number): void {
    this.refs[id] = (this.refs[id] as number) + 1
  }

  /** A replica no longer holds the key with this id. */
  release (id: number): void {
    const n = (this.refs[id] as number) - 1
    this.refs[id] = n
    if (n > 0) return
    this.ids.delete(this.keys[id] as EntryKey)
    this.keys[id] = undefined
    this.free.push(id)
  }
}
