/**
 * Entries held by replicas, by small integer id, with a count of the slots
 * that hold each (see CountedIds): a replica keeps 4-byte ids in typed
 * arrays instead of pointers. Replicas that share a NameTable share its
 * pool, so an entry that every node holds is pooled once; an entry no slot
 * holds any more leaves the pool.
 */
import type { Entry } from './types.js'
import { grown } from './columns.js'
import { CountedIds } from './counted-ids.js'

export class EntryPool extends CountedIds<Entry> {
  /** A number the holders keep with each entry (the replicas: where its key lives, see Replica.locate). */
  private tags = new Int32Array(1024)
  /** The id `idOf` found last (its entry may have left since: `items` is checked). */
  private lastId = 0

  constructor () {
    super(1024)
  }

  get (id: number): Entry {
    return this.items[id] as Entry
  }

  /**
   * The id of `e`, or -1 when no slot holds it. The id found last and the
   * one after it are tried first: one gossiped write is merged by every
   * replica sharing the pool in turn, and a batch of writes pooled together
   * has consecutive ids (a formed fleet's nodes each take in the same ones in
   * the same order). At 10,000 simulated nodes the Map lookup was a good part
   * of a merge.
   */
  idOf (e: Entry): number {
    const entries = this.items
    const last = this.lastId
    if (entries[last] === e) return last
    if (last + 1 < entries.length && entries[last + 1] === e) return (this.lastId = last + 1)
    const id = this.find(e)
    if (id >= 0) this.lastId = id
    return id
  }

  /** The tag `e` was added with. */
  tagOf (id: number): number {
    return this.tags[id] as number
  }

  /** A slot holds `e`, which is not in the pool (`idOf` is -1); its new id. */
  add (e: Entry, tag: number): number {
    const id = this.addNew(e)
    if (id >= this.tags.length) this.tags = grown(this.tags, Math.max(id + 1, this.tags.length * 2))
    this.tags[id] = tag
    return id
  }
}
