/**
 * Tracks the workload's writes: when each reached every live node (delta
 * convergence) and which were acknowledged (durable in the writer's store),
 * so the checker can prove none was lost.
 *
 * Each write is followed through the `persist` effects of every node (the
 * entries a node applied in a step). A write that a later write to the same
 * key supersedes before it has converged is set aside: nodes that received
 * the newer one first never apply it.
 */
import type { Entry, EntryKey, Hlc, NodeName } from '../agent/core/index.js'
import type { World } from './world.js'

export interface TrackedWrite {
  key: EntryKey
  hlc: Hlc
  origin: NodeName
  atMs: number
  have: Uint8Array
  count: number
  converged: boolean
  /** Reached every live node whose loop was not stalled at that moment. */
  activeConverged: boolean
  ackedMs: number | undefined
}

export const WORKLOAD_FIELD_PREFIX = 'app'

export function isWorkloadKey (key: EntryKey): boolean {
  const slash = key.lastIndexOf('/')
  return key.startsWith('node/') && key.startsWith(WORKLOAD_FIELD_PREFIX, slash + 1)
}

export class WriteTracker {
  private readonly world: World
  private readonly current = new Map<EntryKey, TrackedWrite>()
  /** Every acknowledged write, superseded ones included. */
  readonly acked: TrackedWrite[] = []
  readonly convergenceMs: number[] = []
  /** Time until every live, not stalled node applied a write. */
  readonly activeConvergenceMs: number[] = []
  /** (time, ms) of each converged write, for the report's chart. */
  readonly convergedAt: [number, number][] = []
  superseded = 0
  writes = 0
  measuring = false

  constructor (world: World) {
    this.world = world
  }

  /** Call right after the writer's core applied its own write. */
  onWrite (writer: number, e: Entry): void {
    if (!this.measuring) return
    this.writes++
    const prev = this.current.get(e.key)
    if (prev !== undefined && !prev.converged) this.superseded++
    const w: TrackedWrite = { key: e.key, hlc: e.hlc, origin: e.origin, atMs: this.world.now, have: new Uint8Array(this.world.nodes.length + 256), count: 0, converged: false, activeConverged: false, ackedMs: undefined }
    this.current.set(e.key, w)
    this.mark(w, writer)
  }

  onApplied (node: number, entries: readonly Entry[]): void {
    if (this.current.size === 0) return
    for (const e of entries) {
      if (!isWorkloadKey(e.key)) continue
      const w = this.current.get(e.key)
      if (w !== undefined && e.hlc >= w.hlc) this.mark(w, node)
    }
  }

  /** Entries became durable in `node`'s store at `atMs`. */
  onDurable (node: number, entries: readonly Entry[], atMs: number): void {
    const name = this.world.node(node).name
    for (const e of entries) {
      if (e.origin !== name || !isWorkloadKey(e.key)) continue
      const w = this.current.get(e.key)
      if (w !== undefined && w.hlc === e.hlc && w.ackedMs === undefined) {
        w.ackedMs = atMs
        this.acked.push(w)
      }
    }
  }

  private mark (w: TrackedWrite, node: number): void {
    if (node >= w.have.length) {
      const grown = new Uint8Array(Math.max(node + 1, w.have.length * 2))
      grown.set(w.have)
      w.have = grown
    }
    if (w.have[node] === 1) return
    w.have[node] = 1
    w.count++
    const up = this.world.upNodes().length
    if (!w.activeConverged && w.count >= up - Math.max(5, Math.ceil(up / 100))) this.checkActive(w)
    if (w.converged || w.count < up) return
    for (const n of this.world.upNodes()) if (w.have[n] !== 1) return
    w.converged = true
    this.convergenceMs.push(this.world.now - w.atMs)
    this.convergedAt.push([this.world.now, this.world.now - w.atMs])
  }

  private checkActive (w: TrackedWrite): void {
    const now = this.world.now
    for (const n of this.world.upNodes()) if (w.have[n] !== 1 && this.world.node(n).stalledUntilMs <= now) return
    w.activeConverged = true
    this.activeConvergenceMs.push(now - w.atMs)
  }

  /** Writes not yet converged everywhere (at the end of the run). */
  get unconverged (): number {
    let n = 0
    for (const w of this.current.values()) if (!w.converged) n++
    return n
  }

  /** True if some node other than the writer applied the write. */
  reachedOthers (w: TrackedWrite): boolean {
    const writer = this.world.indexOf(w.origin)
    return w.count > (writer !== undefined && w.have[writer] === 1 ? 1 : 0)
  }
}
