/**
 * A deterministic priority queue of timed events: ordered by time, then by
 * insertion sequence, so equal-time events run in the order they were
 * scheduled. A binary heap keeps thousands of nodes cheap.
 */
import { grown } from '../agent/core/index.js'

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
 * Node timers, which move at most steps, live beside it in a `TimerHeap`.
 *
 * The heap keeps each slot's time and sequence number in typed arrays
 * beside the events, so sifting compares numbers in two arrays instead of
 * reading two event objects per level: at 10,000 nodes the queue holds tens
 * of thousands of events scattered over a heap of gigabytes, and those reads
 * were cache misses.
 */
export class IntrusiveQueue<T extends Stamped> {
  private readonly heap: (T | Lane<T>)[] = []
  private times = new Float64Array(1024)
  private seqs = new Float64Array(1024)
  private seq = 0
  /** Events queued, those waiting in lanes included. */
  private count = 0

  get size (): number {
    return this.count
  }

  push (atMs: number, ev: T): void {
    this.stamp(ev, atMs)
    this.count++
    this.insert(ev)
  }

  private insert (ev: T | Lane<T>): void {
    const n = this.heap.length
    if (n === this.times.length) this.grow()
    this.heap.push(ev)
    this.up(n, ev, ev.atMs, ev.seq)
  }

  /**
   * Queue an event with the time and sequence number it already carries
   * (taken with `nextSeq` earlier): it takes the place it would have had if
   * queued then. Its time must not be before any event popped since.
   */
  pushStamped (ev: T): void {
    this.count++
    this.insert(ev)
  }

  /** The next sequence number, taken (for a `TimerHeap` that runs beside this queue). */
  nextSeq (): number {
    return this.seq++
  }

  /** The sequence number of the earliest event (Infinity when none). */
  peekSeq (): number {
    return this.heap.length === 0 ? Infinity : this.seqs[0] as number
  }

  /** Give `ev` its time and the next sequence number without queueing it (for `pushLane`). */
  stamp (ev: T, atMs: number): void {
    ev.atMs = atMs
    ev.seq = this.seq++
  }

  /** Queue a lane whose events the caller stamped (`stamp`) and put in (time, sequence) order. */
  pushLane (lane: Lane<T>): void {
    if (lane.index >= 0) throw new Error('IntrusiveQueue.pushLane: the lane is queued already')
    this.count += lane.items.length - lane.head
    if (lane.head < lane.items.length) this.queueLane(lane)
  }

  private queueLane (lane: Lane<T>): void {
    const head = lane.items[lane.head] as T
    lane.atMs = head.atMs
    lane.seq = head.seq
    this.insert(lane)
  }

  private grow (): void {
    this.times = grown(this.times, this.times.length * 2)
    this.seqs = grown(this.seqs, this.seqs.length * 2)
  }

  private up (from: number, ev: T | Lane<T>, t: number, s: number): void {
    const h = this.heap
    const times = this.times
    const seqs = this.seqs
    let i = from
    while (i > 0) {
      const parent = (i - 1) >> 1
      const pt = times[parent] as number
      if (!(t < pt || (t === pt && s < (seqs[parent] as number)))) break
      const p = h[parent] as T | Lane<T>
      h[i] = p
      times[i] = pt
      seqs[i] = seqs[parent] as number
      p.index = i
      i = parent
    }
    h[i] = ev
    times[i] = t
    seqs[i] = s
    ev.index = i
  }

  private down (from: number, ev: T | Lane<T>, t: number, s: number): void {
    const h = this.heap
    const times = this.times
    const seqs = this.seqs
    const n = h.length
    let i = from
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      let c = l
      if (r < n) {
        const rt = times[r] as number
        const lt = times[l] as number
        if (rt < lt || (rt === lt && (seqs[r] as number) < (seqs[l] as number))) c = r
      }
      const ct = times[c] as number
      if (!(ct < t || (ct === t && (seqs[c] as number) < s))) break
      const child = h[c] as T | Lane<T>
      h[i] = child
      times[i] = ct
      seqs[i] = seqs[c] as number
      child.index = i
      i = c
    }
    h[i] = ev
    times[i] = t
    seqs[i] = s
    ev.index = i
  }

  peekTime (): number | undefined {
    return this.heap.length === 0 ? undefined : this.times[0]
  }

  pop (): T | undefined {
    const h = this.heap
    const top = h[0]
    if (top === undefined) return undefined
    this.count--
    if (top instanceof Lane) {
      const ev = top.items[top.head] as T
      top.items[top.head++] = undefined as unknown as T
      if (top.head < top.items.length) {
        // The lane's next event takes its place: later than the one just taken, so it sifts down.
        const next = top.items[top.head] as T
        top.atMs = next.atMs
        top.seq = next.seq
        this.down(0, top, next.atMs, next.seq)
      } else {
        top.items = []
        top.head = 0
        this.removeTop()
      }
      ev.index = -1
      return ev
    }
    this.removeTop()
    return top
  }

  private removeTop (): void {
    const h = this.heap
    ;(h[0] as T | Lane<T>).index = -1
    const n = h.length - 1
    const last = h.pop() as T | Lane<T>
    if (n > 0) this.down(0, last, this.times[n] as number, this.seqs[n] as number)
  }
}

/**
 * Events that wait as one entry of an `IntrusiveQueue`'s heap, in (time,
 * sequence) order: the heap holds the lane at the key of its first event.
 * The world keeps one per gossip publish (its deliveries, sorted once),
 * which keeps the heap to the few other events: at 10,000 nodes a publish
 * queued 10,000 deliveries, each sifted through a heap of tens of
 * thousands of events scattered in memory.
 * An event taken from a lane and queued again (a stalled node's) is queued
 * on its own.
 */
export class Lane<T extends Stamped> implements Stamped {
  atMs = 0
  seq = 0
  index = -1
  items: T[] = []
  head = 0
}

/**
 * One timer per key (the world's: one wake-up per node), ordered like an
 * `IntrusiveQueue` by time then sequence number (which the caller draws
 * from the queue the timers run beside, `IntrusiveQueue.nextSeq`, so the
 * two merge into one order). An indexed binary heap kept entirely in typed
 * arrays: setting a key's timer again moves it in place, and sifting reads
 * and writes only these arrays. At 10,000 nodes the timers were most of the
 * event heap, and nearly every step of a node moves its timer; as queued
 * event objects, each level of a sift wrote the index of an event somewhere
 * in a heap of gigabytes.
 */
export class TimerHeap {
  private times = new Float64Array(1024)
  private seqs = new Float64Array(1024)
  private keys = new Int32Array(1024)
  /** Each key's place in the heap + 1; 0 when it has no timer. */
  private pos = new Int32Array(1024)
  private n = 0

  get size (): number {
    return this.n
  }

  has (key: number): boolean {
    return key < this.pos.length && this.pos[key] !== 0
  }

  peekTime (): number | undefined {
    return this.n === 0 ? undefined : this.times[0]
  }

  /** The sequence number of the earliest timer (Infinity when none). */
  peekSeq (): number {
    return this.n === 0 ? Infinity : this.seqs[0] as number
  }

  /** Set (or move) `key`'s timer to `atMs`, with sequence number `seq`. */
  set (key: number, atMs: number, seq: number): void {
    if (key >= this.pos.length) this.pos = grown(this.pos, Math.max(key + 1, this.pos.length * 2))
    const p = this.pos[key] as number
    if (p === 0) {
      if (this.n === this.times.length) {
        this.times = grown(this.times, this.n * 2)
        this.seqs = grown(this.seqs, this.n * 2)
        this.keys = grown(this.keys, this.n * 2)
      }
      this.up(this.n++, key, atMs, seq)
      return
    }
    const i = p - 1
    if (i > 0 && before(atMs, seq, this.times[(i - 1) >> 1] as number, this.seqs[(i - 1) >> 1] as number)) this.up(i, key, atMs, seq)
    else this.down(i, key, atMs, seq)
  }

  remove (key: number): void {
    const p = key < this.pos.length ? this.pos[key] as number : 0
    if (p === 0) return
    this.pos[key] = 0
    const i = p - 1
    const last = --this.n
    if (i === last) return
    const t = this.times[last] as number
    const s = this.seqs[last] as number
    const k = this.keys[last] as number
    if (i > 0 && before(t, s, this.times[(i - 1) >> 1] as number, this.seqs[(i - 1) >> 1] as number)) this.up(i, k, t, s)
    else this.down(i, k, t, s)
  }

  /** Remove the earliest timer and return its key. */
  pop (): number {
    const key = this.keys[0] as number
    this.remove(key)
    return key
  }

  private up (from: number, key: number, t: number, s: number): void {
    let i = from
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(t, s, this.times[parent] as number, this.seqs[parent] as number)) break
      this.place(i, this.keys[parent] as number, this.times[parent] as number, this.seqs[parent] as number)
      i = parent
    }
    this.place(i, key, t, s)
  }

  private down (from: number, key: number, t: number, s: number): void {
    const n = this.n
    let i = from
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      let c = l
      if (r < n && before(this.times[r] as number, this.seqs[r] as number, this.times[l] as number, this.seqs[l] as number)) c = r
      if (!before(this.times[c] as number, this.seqs[c] as number, t, s)) break
      this.place(i, this.keys[c] as number, this.times[c] as number, this.seqs[c] as number)
      i = c
    }
    this.place(i, key, t, s)
  }

  private place (i: number, key: number, t: number, s: number): void {
    this.times[i] = t
    this.seqs[i] = s
    this.keys[i] = key
    this.pos[key] = i + 1
  }
}

function before (t: number, s: number, t2: number, s2: number): boolean {
  return t < t2 || (t === t2 && s < s2)
}
