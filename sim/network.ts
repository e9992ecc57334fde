/**
 * The simulated network: per-link latency, loss, duplication, reordering and
 * partitions. It decides the fate of one message at a time; the world turns
 * the answer into a timed event. Nodes are dense integer indices.
 *
 * A link's base latency is a pure function of the run's seed and the two
 * endpoints (hashed), so 10,000 nodes need no 10^8-entry table and the same
 * link always has the same base. Per-message jitter, loss, duplication and
 * reordering are drawn from the run's one generator.
 */
import type { Rng } from '../agent/core/index.js'
import { grown } from '../agent/core/index.js'
import { fmix32 } from '../agent/core/hash.js'
import { RETRANSMIT_MS_DEFAULT } from './constants.js'
import type { NetworkModel } from './scenario/index.js'

/** What happens to one message. `arriveMs` is the delay from sending; `copies` is 2 when duplicated. */
export type Fate = { kind: 'lost' } | { kind: 'cut' } | { kind: 'arrives', delayMs: number, copies: 1 | 2 }

/** MurmurHash3's finaliser, shared with the core's digests. */
const mix32 = fmix32

export class Network {
  readonly model: NetworkModel
  private readonly rng: Rng
  private readonly salt: number
  /** Partition group of each node (0: the main side). */
  private group = new Int32Array(1024)
  /** Directed cuts between groups, as `from * 65536 + to`. */
  private readonly cuts = new Set<number>()
  private nextGroup = 1
  /** While false (liveness phase) loss, duplication and reordering are off. */
  faulty = true

  constructor (model: NetworkModel, seed: number, rng: Rng) {
    this.model = model
    this.rng = rng
    this.salt = mix32(seed ^ 0x5bd1e995)
  }

  /** Base one-way latency of the link a-b (symmetric), drawn once per link from the seed. */
  baseMs (a: number, b: number): number {
    const lo = Math.min(a, b)
    const hi = Math.max(a, b)
    const h1 = mix32(this.salt ^ mix32(lo * 0x9e3779b1 + hi))
    const h2 = mix32(h1 ^ 0x27d4eb2f)
    const lat = this.model.latency
    const u = h2 / 4294967296
    if (h1 / 4294967296 < lat.slowLinkFraction) return lat.slowLinkMs[0] + u * (lat.slowLinkMs[1] - lat.slowLinkMs[0])
    return lat.baseMs[0] + u * (lat.baseMs[1] - lat.baseMs[0])
  }

  /** One message's delay on a-b: base + exponential jitter (+ a reorder hold). */
  delayMs (a: number, b: number): number {
    const jitter = this.model.latency.jitterMs
    let d = this.baseMs(a, b) + (jitter > 0 ? -Math.log(1 - this.rng.next()) * jitter : 0)
    if (this.faulty && this.model.reorder > 0 && this.rng.next() < this.model.reorder) d += this.rng.next() * this.model.reorderDelayMs
    return d
  }

  canSend (from: number, to: number): boolean {
    if (this.cuts.size === 0) return true
    return !this.cuts.has(this.groupOf(from) * 65536 + this.groupOf(to))
  }

  /** Decide what happens to one message from `from` to `to`. */
  fate (from: number, to: number): Fate {
    if (!this.canSend(from, to)) return { kind: 'cut' }
    let delayMs = this.delayMs(from, to)
    if (this.faulty && this.model.loss > 0 && this.rng.next() < this.model.loss) {
      if (this.model.lossMode === 'drop') return { kind: 'lost' }
      delayMs += RETRANSMIT_MS_DEFAULT
    }
    const copies = this.faulty && this.model.duplicate > 0 && this.rng.next() < this.model.duplicate ? 2 : 1
    return { kind: 'arrives', delayMs, copies }
  }

  /** A request/response over a stream: both directions must get through; loss in `retransmit` mode only delays. */
  roundTrip (a: number, b: number): number | undefined {
    const there = this.fate(a, b)
    if (there.kind !== 'arrives') return undefined
    const back = this.fate(b, a)
    if (back.kind !== 'arrives') return undefined
    return there.delayMs + back.delayMs
  }

  private groupOf (node: number): number {
    return node < this.group.length ? (this.group[node] as number) : 0
  }

  /**
   * Cut `side` off from everyone else. Two-way: neither direction passes.
   * One-way: the side cannot send out, but still receives.
   */
  partition (side: readonly number[], oneWay: boolean): number {
    const g = this.nextGroup++
    for (const n of side) {
      if (n >= this.group.length) {
        this.group = grown(this.group, Math.max(n + 1, this.group.length * 2))
      }
      this.group[n] = g
    }
    for (let other = 0; other < g; other++) {
      this.cuts.add(g * 65536 + other)
      if (!oneWay) this.cuts.add(other * 65536 + g)
    }
    return g
  }

  get partitioned (): boolean {
    return this.cuts.size > 0
  }

  heal (): void {
    this.cuts.clear()
    this.group.fill(0)
  }
}
