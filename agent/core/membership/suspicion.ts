/**
 * Lifeguard suspicion timeouts (Dadgar et al., "Lifeguard: Local Health
 * Awareness for More Accurate Failure Detection", 2018; memberlist's
 * suspicion.go). A suspicion starts at its longest timeout and shrinks
 * logarithmically towards the shortest as independent confirmations arrive,
 * so a lone (possibly unhealthy) accuser needs a long time to kill a node,
 * while many accusers agree quickly.
 */
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

  /** `spreadMs` delays this node's deadline a little (see SUSPICION_DEADLINE_SPREAD_MS). */
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
