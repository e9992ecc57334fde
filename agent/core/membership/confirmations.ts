/**
 * Confirmations held back. When our probe of a member that someone else
 * already suspects fails, our accusation is a Lifeguard confirmation: it
 * only shortens the suspicion's timeout. The timeout counts from when the
 * suspicion started, so a confirmation that arrives a little later shortens
 * it just as much, as long as it arrives before the shortest timeout ends
 * (SUSPICION_CONFIRM_DELAY_PERIODS is well below SUSPICION_MIN_PERIODS).
 * Holding it back for that little while lets the refutation of a member
 * whose event loop stalled for a second or two arrive first, and then the
 * confirmation is never sent: each was a message to the whole fleet.
 *
 * memberlist gets the same effect from its broadcast queue, where a newer
 * message about a node (the refutation) invalidates a queued one (the
 * suspicion) before it is sent; over gossipsub a publish leaves at once,
 * so the core waits itself.
 *
 * Entries are kept in the order they were added. Every one is due a fixed
 * delay after it was added, and the core's monotonic time never goes back,
 * so that is also the order they fall due in: the first is the earliest.
 */
import type { NodeName } from '../types.js'

export interface HeldConfirmation {
  target: NodeName
  /** The incarnation our probe found suspect. */
  incarnation: number
}

export class HeldConfirmations {
  private readonly delayMs: number
  private readonly held = new Map<NodeName, HeldConfirmation & { dueMonoMs: number }>()

  constructor (delayMs: number) {
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError('HeldConfirmations delayMs must be a non-negative number')
    this.delayMs = delayMs
  }

  get size (): number {
    return this.held.size
  }

  /** Hold a confirmation of `target` at `incarnation`, due `delayMs` from now; one per target (the first is kept). */
  hold (target: NodeName, incarnation: number, nowMonoMs: number): void {
    if (this.held.has(target)) return
    this.held.set(target, { target, incarnation, dueMonoMs: nowMonoMs + this.delayMs })
  }

  /** When the earliest held confirmation falls due, or undefined when none is held. */
  nextDueMonoMs (): number | undefined {
    for (const h of this.held.values()) return h.dueMonoMs
    return undefined
  }

  /** Remove and return the confirmations due at or before `nowMonoMs`, earliest first. */
  takeDue (nowMonoMs: number): HeldConfirmation[] {
    const out: HeldConfirmation[] = []
    for (const h of this.held.values()) {
      if (h.dueMonoMs > nowMonoMs) break
      out.push({ target: h.target, incarnation: h.incarnation })
    }
    for (const h of out) this.held.delete(h.target)
    return out
  }

  clear (): void {
    this.held.clear()
  }
}
