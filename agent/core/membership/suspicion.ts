/**
 * Lifeguard suspicion timeouts (Dadgar et al., "Lifeguard: Local Health
 * Awareness for More Accurate Failure Detection", 2018; memberlist's
 * suspicion.go). A suspicion starts at its longest timeout and shrinks
 * logarithmically towards the shortest as independent confirmations arrive,
 * so a lone (possibly unhealthy) accuser needs a long time to kill a node,
 * while many accusers agree quickly.
 */
import { SUSPICION_DEADLINE_SPREAD_MS, SUSPICION_DEADLINE_SPREAD_MS_MAX, SUSPICION_DEADLINE_SPREAD_MS_PER_MEMBER } from '../constants.js'
import type { NodeName } from '../types.js'

/**
 * Shortest suspicion: mult * max(1, log10(N)) * probe interval, so it grows
 * slowly with the cluster, and never less than `minPeriods` probe periods.
 */
export function suspicionMinMs (mult: number, clusterSize: number, probeIntervalMs: number, minPeriods = 0): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, clusterSize)))
  return Math.floor(Math.max(minPeriods, mult * nodeScale) * probeIntervalMs)
}

/**
 * Confirmations we hope for before reaching the shortest timeout: `k`, but
 * no more than the other members could give (N - 2: neither the target nor
 * the first accuser confirms).
 */
export function expectedConfirmations (k: number, clusterSize: number): number {
  return Math.max(0, Math.min(k, clusterSize - 2))
}

/** The range of the random extra delay of a suspicion deadline in a cluster of `clusterSize` (see SUSPICION_DEADLINE_SPREAD_MS_PER_MEMBER). */
export function deadlineSpreadMs (clusterSize: number): number {
  return Math.min(SUSPICION_DEADLINE_SPREAD_MS_MAX, Math.max(SUSPICION_DEADLINE_SPREAD_MS, clusterSize * SUSPICION_DEADLINE_SPREAD_MS_PER_MEMBER))
}

/** Timeout after `confirmations` independent confirmations. */
export function suspicionTimeoutMs (confirmations: number, k: number, minMs: number, maxMs: number): number {
  if (k < 1) return minMs
  const frac = Math.log(confirmations + 1) / Math.log(k + 1)
  const raw = Math.floor(maxMs - frac * (maxMs - minMs))
  return Math.max(minMs, raw)
}

/** One live suspicion held by this node about `target`. */
export class Suspicion {
  readonly target: NodeName
  readonly incarnation: number
  private readonly startMonoMs: number
  private readonly k: number
  private readonly minMs: number
  private readonly maxMs: number
  private readonly confirmers = new Set<NodeName>()
  /** Extra time granted while our own event loop was stalled. */
  private shiftMs = 0
  /** The deadline, recomputed when a confirmation or a postponement changes it (it is read on every step). */
  private deadline: number

  /** `spreadMs` delays this node's deadline a little (see deadlineSpreadMs). */
  constructor (init: { target: NodeName, incarnation: number, accuser: NodeName, startMonoMs: number, k: number, minMs: number, maxMs: number, spreadMs?: number }) {
    this.target = init.target
    this.incarnation = init.incarnation
    this.startMonoMs = init.startMonoMs + (init.spreadMs ?? 0)
    this.k = init.k
    this.minMs = init.minMs
    this.maxMs = init.maxMs
    this.confirmers.add(init.accuser)
    this.deadline = this.computeDeadline()
  }

  private computeDeadline (): number {
    return this.startMonoMs + this.shiftMs + suspicionTimeoutMs(this.confirmations, this.k, this.minMs, this.maxMs)
  }

  /** Count an accusation; true when it came from a node not heard before. */
  confirm (accuser: NodeName): boolean {
    if (this.confirmers.has(accuser)) return false
    this.confirmers.add(accuser)
    this.deadline = this.computeDeadline()
    return true
  }

  /** `name` started or confirmed this suspicion already: another accusation from it counts for nothing. */
  accusedBy (name: NodeName): boolean {
    return this.confirmers.has(name)
  }

  /** Confirmed enough that more accusations cannot shorten it. */
  get saturated (): boolean {
    return this.k < 1 || this.confirmations >= this.k
  }

  get confirmations (): number {
    // The first accuser started the suspicion; the rest confirm it.
    return this.confirmers.size - 1
  }

  postpone (ms: number): void {
    this.shiftMs += ms
    this.deadline = this.computeDeadline()
  }

  get deadlineMonoMs (): number {
    return this.deadline
  }
}

/** What `takeExpired` returns when nothing is open: shared, so frozen. */
const NONE_EXPIRED = Object.freeze([]) as unknown as Suspicion[]

/**
 * The open suspicions of one node, keyed by target, with their deadlines in a
 * binary min-heap so a step costs O(expired · log open), not O(open): during
 * a partition a node holds a suspicion of every node across the cut (~300 at
 * 1,000 nodes) and used to scan them all on every step.
 *
 * The heap is lazy: a deadline change pushes a new node and leaves the old
 * one behind; a popped node whose suspicion is gone, or whose deadline moved,
 * is skipped. Expired suspicions are handed out in the order they were
 * opened, as iterating the map did. A stall of our own loop postpones every
 * suspicion (rare, O(open)) and rebuilds the heap.
 */
export class SuspicionTimers {
  private readonly byTarget = new Map<NodeName, Suspicion>()
  /** Deadlines of the heap nodes, and their suspicions. */
  private deadlines: number[] = []
  private items: Suspicion[] = []
  /** Opening order of each open suspicion (the order the map iterates in). */
  private readonly opened = new WeakMap<Suspicion, number>()
  private nextSeq = 0

  get size (): number {
    return this.byTarget.size
  }

  get (target: NodeName): Suspicion | undefined {
    return this.byTarget.get(target)
  }

  values (): IterableIterator<Suspicion> {
    return this.byTarget.values()
  }

  open (s: Suspicion): void {
    this.byTarget.delete(s.target)
    this.byTarget.set(s.target, s)
    this.opened.set(s, this.nextSeq++)
    this.push(s.deadlineMonoMs, s)
  }

  delete (target: NodeName): void {
    this.byTarget.delete(target)
    if (this.byTarget.size === 0) this.clearHeap()
  }

  clear (): void {
    this.byTarget.clear()
    this.clearHeap()
  }

  /** Count an accusation against `target`'s open suspicion. */
  confirm (target: NodeName, accuser: NodeName): void {
    const s = this.byTarget.get(target)
    if (s === undefined) return
    const before = s.deadlineMonoMs
    if (s.confirm(accuser) && s.deadlineMonoMs !== before) this.push(s.deadlineMonoMs, s)
  }

  /** Our own loop stalled for `ms`: every deadline moves back by it. */
  postponeAll (ms: number): void {
    this.clearHeap()
    for (const s of this.byTarget.values()) {
      s.postpone(ms)
      this.push(s.deadlineMonoMs, s)
    }
  }

  /** The earliest deadline of an open suspicion, or undefined when none is open. */
  nextDeadlineMonoMs (): number | undefined {
    this.dropStale()
    return this.deadlines[0]
  }

  /** Remove and return the suspicions whose deadline is at or before `nowMonoMs`, in opening order. */
  takeExpired (nowMonoMs: number): Suspicion[] {
    // Nearly every timer step of every node asks, with nothing open.
    if (this.items.length === 0) return NONE_EXPIRED
    const out: Suspicion[] = []
    for (;;) {
      this.dropStale()
      const top = this.deadlines[0]
      if (top === undefined || top > nowMonoMs) break
      const s = this.popTop()
      out.push(s)
      this.byTarget.delete(s.target)
    }
    if (out.length > 1) out.sort((a, b) => (this.opened.get(a) as number) - (this.opened.get(b) as number))
    if (this.byTarget.size === 0) this.clearHeap()
    return out
  }

  /** Pop heap nodes that no longer stand for an open suspicion's current deadline. */
  private dropStale (): void {
    while (this.items.length > 0) {
      const s = this.items[0] as Suspicion
      if (this.byTarget.get(s.target) === s && s.deadlineMonoMs === this.deadlines[0]) return
      this.popTop()
    }
  }

  private clearHeap (): void {
    if (this.items.length === 0) return
    this.deadlines = []
    this.items = []
  }

  private push (deadline: number, s: Suspicion): void {
    // Rebuild when stale nodes dominate, so the heap stays O(open).
    if (this.items.length > 2 * this.byTarget.size + 64) {
      this.clearHeap()
      for (const o of this.byTarget.values()) if (o !== s) this.siftUp(o.deadlineMonoMs, o)
    }
    this.siftUp(deadline, s)
  }

  private siftUp (deadline: number, s: Suspicion): void {
    const d = this.deadlines
    const it = this.items
    let i = d.length
    d.push(deadline)
    it.push(s)
    while (i > 0) {
      const p = (i - 1) >> 1
      if ((d[p] as number) <= deadline) break
      d[i] = d[p] as number
      it[i] = it[p] as Suspicion
      i = p
    }
    d[i] = deadline
    it[i] = s
  }

  private popTop (): Suspicion {
    const d = this.deadlines
    const it = this.items
    const top = it[0] as Suspicion
    const lastD = d.pop() as number
    const lastS = it.pop() as Suspicion
    const n = d.length
    if (n > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const c = r < n && (d[r] as number) < (d[l] as number) ? r : l
        if ((d[c] as number) >= lastD) break
        d[i] = d[c] as number
        it[i] = it[c] as Suspicion
        i = c
      }
      d[i] = lastD
      it[i] = lastS
    }
    return top
  }
}
