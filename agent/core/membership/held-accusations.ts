/**
 * Accusations held back before they go to the whole fleet.
 *
 * Every accusation published over gossipsub reaches every node (about D
 * copies each), and so does the refutation it provokes. Most accusations in
 * a fleet whose nodes stall now and then are of a node whose event loop is
 * blocked for a second or two. Two kinds are held for a while first:
 *
 * - A confirmation (our probe failed on a member someone else already
 *   suspects) only shortens the suspicion's timeout. The timeout counts from
 *   when the suspicion started, so a confirmation that arrives a little later
 *   shortens it as much, as long as it arrives before the shortest timeout
 *   ends (SUSPICION_HOLD_PERIODS is well below SUSPICION_MIN_PERIODS).
 *   Meanwhile the refutation of a node that was only stalled arrives, and
 *   the confirmation is never sent.
 * - A first accusation whose probe timed out (silence: a stalled loop, a
 *   partition, a dead host; a killed process refuses the connection instead,
 *   and that accusation goes out at once). After the hold, one more ping
 *   (the verification) decides: answered, the member is fine and nobody
 *   hears of it; not answered, the accusation goes out carrying `heldMs`,
 *   how long ago the first probe failed, and every receiver starts its
 *   suspicion that much earlier. The deadlines are then those of an
 *   accusation published at once; only the target learns later that it is
 *   suspected, which matters only if it could have refuted sooner.
 *
 * memberlist gets part of this from its broadcast queue, where a newer
 * message about a node (the refutation) invalidates a queued one before it
 * is sent; a gossipsub publish leaves at once, so the core waits itself.
 *
 * Both queues keep their items in the order they were added; every item is
 * due a fixed delay after it was added, and the core's monotonic time never
 * goes back, so that is also the order they fall due in.
 */
import type { NodeName } from '../types.js'

export interface HeldAccusation {
  target: NodeName
  /** The incarnation our probe found alive or suspect. */
  incarnation: number
  /** When our probe of it failed. */
  failedAtMonoMs: number
}

/**
 * Items keyed by target, each due a fixed delay after it was added. Nearly
 * always empty: the map is made for the first item and dropped with the
 * last, so asking an empty queue (every timer step asks two) reads the queue
 * object alone, not a map and its table too (cache misses at 10,000
 * simulated nodes).
 */
export class DueQueue<T extends { target: NodeName }> {
  private readonly delayMs: number
  private items: Map<NodeName, { item: T, dueMonoMs: number }> | undefined

  constructor (delayMs: number) {
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError('DueQueue delayMs must be a non-negative number')
    this.delayMs = delayMs
  }

  get size (): number {
    return this.items === undefined ? 0 : this.items.size
  }

  has (target: NodeName): boolean {
    return this.items !== undefined && this.items.has(target)
  }

  get (target: NodeName): T | undefined {
    return this.items?.get(target)?.item
  }

  /** Add `item`, due `delayMs` from now; one per target (the first is kept). */
  add (item: T, nowMonoMs: number): void {
    const items = this.items ??= new Map()
    if (items.has(item.target)) return
    items.set(item.target, { item, dueMonoMs: nowMonoMs + this.delayMs })
  }

  delete (target: NodeName): void {
    if (this.items === undefined) return
    this.items.delete(target)
    if (this.items.size === 0) this.items = undefined
  }

  values (): IterableIterator<T> {
    const items = this.items
    return (function * () { if (items !== undefined) for (const h of items.values()) yield h.item })()
  }

  /** When the earliest item falls due, or undefined when there is none. */
  nextDueMonoMs (): number | undefined {
    if (this.items === undefined) return undefined
    for (const h of this.items.values()) return h.dueMonoMs
    return undefined
  }

  /** Remove and return the items due at or before `nowMonoMs`, earliest first. */
  takeDue (nowMonoMs: number): T[] {
    const items = this.items
    const out: T[] = []
    if (items === undefined) return out
    for (const h of items.values()) {
      if (h.dueMonoMs > nowMonoMs) break
      out.push(h.item)
    }
    for (const h of out) items.delete(h.target)
    if (items.size === 0) this.items = undefined
    return out
  }

  clear (): void {
    this.items = undefined
  }
}

/** A verification ping in flight: the held accusation it decides, and its probe id. */
export interface Verification extends HeldAccusation {
  probeId: number
}
