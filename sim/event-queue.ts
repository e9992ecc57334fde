/**
 * A deterministic priority queue of timed events: ordered by time, then by
 * insertion sequence, so equal-time events run in the order they were
 * scheduled. A binary heap keeps thousands of nodes cheap.
 */
export interface Timed<T> {
  atMs: number
  seq: number
  item: T
}

export class EventQueue<T> {
  private readonly heap: Timed<T>[] = []
  private seq = 0

  get size (): number {
    return this.heap.length
  }

  push (atMs: number, item: T): void {
    const node: Timed<T> = { atMs, seq: this.seq++, item }
    const h = this.heap
    h.push(node)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.less(h[i] as Timed<T>, h[parent] as Timed<T>)) break
      ;[h[i], h[parent]] = [h[parent] as Timed<T>, h[i] as Timed<T>]
      i = parent
    }
  }

  peekTime (): number | undefined {
    return this.heap[0]?.atMs
  }

  pop (): Timed<T> | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (top === undefined || last === undefined) return undefined
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && this.less(h[l] as Timed<T>, h[m] as Timed<T>)) m = l
        if (r < h.length && this.less(h[r] as Timed<T>, h[m] as Timed<T>)) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m] as Timed<T>, h[i] as Timed<T>]
        i = m
      }
    }
    return top
  }

  private less (a: Timed<T>, b: Timed<T>): boolean {
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq)
  }
}

/** An event that carries its own time, sequence number and place in the queue (see `IntrusiveQueue`). */
export interface Stamped {
  atMs: number
  seq: number
  /** Position in the queue's heap; -1 when not queued. */
  index: number
}

/**
 * The same order as `EventQueue` (time, then insertion), for events that
 * carry their own `atMs` and `seq`: one object per event instead of two.
 * The world queues one event per gossip delivery, so at 1,000 nodes the
 * wrapper objects were a measurable share of the garbage. An event popped
 * and pushed again (a stalled node's deferral) gets a new time and sequence.
 * A queued event can be moved to another time (`move`), which is a push
 * without leaving the old copy behind: a node's timer moves most times it
 * runs a step.
 */
export class IntrusiveQueue<T extends Stamped> {
  private readonly heap: T[] = []
  private seq = 0

  get size (): number {
    return this.heap.length
  }

  push (atMs: number, ev: T): void {
    ev.atMs = atMs
    ev.seq = this.seq++
    const h = this.heap
    h.push(ev)
    this.up(h.length - 1, ev)
  }

  /** Give a queued event a new time and sequence number, as if it were pushed now. */
  move (ev: T, atMs: number): void {
    ev.atMs = atMs
    ev.seq = this.seq++
    // Its new sequence number is the largest, so it can only move down unless its time went down.
    const i = ev.index
    const h = this.heap
    if (i > 0 && before(ev, h[(i - 1) >> 1] as T)) this.up(i, ev)
    else this.down(i, ev)
  }

  private up (from: number, ev: T): void {
    const h = this.heap
    let i = from
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = h[parent] as T
      if (!before(ev, p)) break
      h[i] = p
      p.index = i
      i = parent
    }
    h[i] = ev
    ev.index = i
  }

  private down (from: number, ev: T): void {
    const h = this.heap
    const n = h.length
    let i = from
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && before(h[r] as T, h[l] as T) ? r : l
      const child = h[c] as T
      if (!before(child, ev)) break
      h[i] = child
      child.index = i
      i = c
    }
    h[i] = ev
    ev.index = i
  }

  peekTime (): number | undefined {
    return this.heap[0]?.atMs
  }

  pop (): T | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (top === undefined || last === undefined) return undefined
    top.index = -1
    if (h.length > 0) this.down(0, last)
    return top
  }
}

function before (a: Stamped, b: Stamped): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq)
}
