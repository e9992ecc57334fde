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

  /** Entries in the pool. */
  get size (): number {
    return this.ids.size
  }

  get (id: number): Entry {
    return this.entries[id] as Entry
  }

  /** The id of `e`, or -1 when no slot holds it. */
  idOf (e: Entry): number {
    return this.ids.get(e) ?? -1
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
