/**
 * Things by small integer id, each with a count of its holders, so that a
 * holder can keep 4-byte ids in a typed array where it would keep pointers
 * or keys (nothing for the garbage collector to trace, half the size of a
 * pointer). A thing no holder holds any more leaves, and its id is reused.
 * The entry pool and the key table the replicas share are two of them.
 */
import { grown } from './columns.js'

export class CountedIds<T> {
  /** Each id's thing; undefined once it left. */
  protected readonly items: (T | undefined)[] = []
  private readonly ids = new Map<T, number>()
  private refs: Int32Array
  private readonly free: number[] = []

  /** `room`: ids to make room for at first. */
  constructor (room: number) {
    this.refs = new Int32Array(room)
  }

  /** Things held. */
  get size (): number {
    return this.ids.size
  }

  /** One past the highest id handed out: a column by id needs this many elements. */
  get idSpan (): number {
    return this.items.length
  }

  /** The thing's id, or -1 when no holder holds it. */
  find (x: T): number {
    return this.ids.get(x) ?? -1
  }

  /** The thing with this id (one that a holder holds). */
  itemOf (id: number): T {
    return this.items[id] as T
  }

  /** A holder holds `x`, which has no id (`find` is -1): its new id, held once. */
  protected addNew (x: T): number {
    const id = this.free.length > 0 ? this.free.pop() as number : this.items.length
    if (id === this.items.length) {
      this.items.push(x)
      if (id >= this.refs.length) this.refs = grown(this.refs, this.refs.length * 2)
    } else {
      this.items[id] = x
    }
    this.ids.set(x, id)
    this.refs[id] = 1
    return id
  }

  /** One more holder holds the thing with this id. */
  retain (id: number): void {
    this.refs[id] = (this.refs[id] as number) + 1
  }

  /** A holder no longer holds the thing with this id. */
  release (id: number): void {
    const n = (this.refs[id] as number) - 1
    this.refs[id] = n
    if (n > 0) return
    this.ids.delete(this.items[id] as T)
    this.items[id] = undefined
    this.free.push(id)
  }
}
