/**
 * Entries held by replicas, by small integer id, with a count of the slots
 * that hold each: a replica's row slots keep 4-byte ids in a typed array
 * (nothing for the garbage collector to trace, half the size of a pointer)
 * instead of pointers. Replicas that share a NameTable share its pool, so an
 * entry that every node holds is pooled once; an entry no slot holds any
 * more leaves the pool.
 */
import type { Entry } from './types.js'
import { grown } from './columns.js'

export class EntryPool {
  private readonly entries: (Entry | undefined)[] = []
  private refs = new Int32Array(1024)
  /** A number the holders keep with each entry (the replicas: the row slot its key lives in). */
  private tags = new Int32Array(1024)
  private readonly ids = new Map<Entry, number>()
  private readonly free: number[] = []
  /** The id `idOf` found last (its entry may have left since: `entries` is checked). */
  private lastId = 0

  /** Entries in the pool. */
  get size (): number {
    return this.ids.size
  }

  get (id: number): Entry {
    return this.entries[id] as Entry
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
    const entries = this.entries
    const last = this.lastId
    if (entries[last] === e) return last
    if (last + 1 < entries.length && entries[last + 1] === e) return (this.lastId = last + 1)
    const id = this.ids.get(e) ?? -1
    if (id >= 0) this.lastId = id
    return id
  }

  /** The tag `e` was added with. */
  tagOf (id: number): number {
    return this.tags[id] as number
  }

  /** A slot holds `e`, which is not in the pool (`idOf` is -1); its new id. */
  add (e: Entry, tag: number): number {
    const id = this.free.length > 0 ? this.free.pop() as number : this.entries.length
    if (id === this.entries.length) {
      this.entries.push(e)
      if (id >= this.refs.length) {
        this.refs = grown(this.refs, this.refs.length * 2)
        this.tags = grown(this.tags, this.refs.length)
      }
    } else {
      this.entries[id] = e
    }
    this.ids.set(e, id)
    this.refs[id] = 1
    this.tags[id] = tag
    return id
  }

  /** One more slot holds the entry with this id. */
  retain (id: number): void {
    this.refs[id] = (this.refs[id] as number) + 1
  }

  /** A slot no longer holds the entry with this id. */
  release (id: number): void {
    const n = (this.refs[id] as number) - 1
    this.refs[id] = n
    if (n > 0) return
    this.ids.delete(this.entries[id] as Entry)
    this.entries[id] = undefined
    this.free.push(id)
  }
}
