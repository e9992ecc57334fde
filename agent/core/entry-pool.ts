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
  private readonly ids = new Map<Entry, number>()
  private readonly free: number[] = []

  /** Entries in the pool. */
  get size (): number {
    return this.ids.size
  }

  get (id: number): Entry {
    return this.entries[id] as Entry
  }

  /** One more slot holds `e`; its id. */
  acquire (e: Entry): number {
    const known = this.ids.get(e)
    if (known !== undefined) {
      this.refs[known] = (this.refs[known] as number) + 1
      return known
    }
    const id = this.free.length > 0 ? this.free.pop() as number : this.entries.length
    if (id === this.entries.length) {
      this.entries.push(e)
      if (id >= this.refs.length) {
        this.refs = grown(this.refs, this.refs.length * 2)
      }
    } else {
      this.entries[id] = e
    }
    this.ids.set(e, id)
    this.refs[id] = 1
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
