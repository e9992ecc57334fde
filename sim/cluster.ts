/**
 * A deterministic virtual cluster: many `AgentCore`s driven by one virtual
 * clock over a simulated network that may drop, delay, duplicate and
 * partition. It runs the same core as the real agent; only the network and
 * the clock are simulated. A run is a function of its seed.
 *
 * The simulated transport honours the weak contract the real one gives:
 * messages may be dropped, duplicated or reordered (each delivery draws its
 * own latency), never corrupted.
 */
import { AgentCore, seededRng } from '../agent/core/index.js'
import type { AgentCoreInit, Effect, Entry, Input, NodeName, Rng, TelemetrySample } from '../agent/core/index.js'
import { EventQueue } from './event-queue.js'

export interface ClusterInit {
  seed: number
  /** Wall clock at virtual time 0. @default 2026-01-01T00:00:00Z */
  wallStartMs?: number
  /** One-way latency range in ms. @default [1, 5] */
  latencyMs?: [number, number]
  /** Probability that one gossip delivery is lost. @default 0 */
  gossipLoss?: number
  /** Probability that one gossip delivery is duplicated. @default 0 */
  gossipDuplicate?: number
  /** Called with every effect every node produces, for checkers and tests. */
  trace?: (node: NodeName, effect: Effect, atMs: number) => void
  /** Options passed to every core. */
  core?: Partial<Omit<AgentCoreInit, 'name' | 'rng'>>
}

type Event =
  | { kind: 'input', node: NodeName, input: Input, wakeGen?: number }
  | { kind: 'sync', from: NodeName, to: NodeName }

interface SimNode {
  core: AgentCore
  up: boolean
  /** Virtual time until which this node's event loop is blocked. */
  stalledUntilMs: number
  wakeGen: number
}

const TELEMETRY: TelemetrySample = { uptimeS: 1, load: [0.1, 0.1, 0.1], memory: { usedBytes: 1 << 20, totalBytes: 1 << 30 } }

export class VirtualCluster {
  readonly nodes = new Map<NodeName, SimNode>()
  readonly rng: Rng
  readonly log: { atMs: number, node: NodeName, effect: Effect }[] = []
  private readonly init: ClusterInit
  private readonly queue = new EventQueue<Event>()
  private readonly cut = new Set<string>()
  private nowMs = 0
  delivered = 0
  dropped = 0

  constructor (init: ClusterInit) {
    this.init = init
    this.rng = seededRng(init.seed)
  }

  get now (): number {
    return this.nowMs
  }

  private wall (): number {
    return (this.init.wallStartMs ?? Date.UTC(2026, 0, 1)) + this.nowMs
  }

  /** Create and start a node now. */
  add (name: NodeName, opts: Partial<AgentCoreInit> = {}): AgentCore {
    const core = new AgentCore({ ...this.init.core, ...opts, name, rng: seededRng(this.rng.int(2 ** 31)) })
    this.nodes.set(name, { core, up: true, stalledUntilMs: 0, wakeGen: 0 })
    this.deliver(name, { kind: 'start', capabilities: { role: 'container', labels: {}, services: [] } })
    this.deliver(name, { kind: 'tick', telemetry: TELEMETRY })
    return core
  }

  /** Introduce two nodes (what a bootstrap dial does): each pulls the other's state. */
  introduce (a: NodeName, b: NodeName): void {
    this.queue.push(this.nowMs, { kind: 'sync', from: a, to: b })
    this.queue.push(this.nowMs, { kind: 'sync', from: b, to: a })
  }

  /** Stop a node abruptly (SIGKILL): it answers nothing and sends nothing. */
  kill (name: NodeName): void {
    const n = this.nodes.get(name)
    if (n !== undefined) n.up = false
  }

  /** Block a node's event loop until `untilMs`: its timers and deliveries wait. */
  stall (name: NodeName, forMs: number): void {
    const n = this.nodes.get(name)
    if (n !== undefined) n.stalledUntilMs = this.nowMs + forMs
  }

  partition (groupA: readonly NodeName[], groupB: readonly NodeName[]): void {
    for (const a of groupA) for (const b of groupB) { this.cut.add(`${a}|${b}`); this.cut.add(`${b}|${a}`) }
  }

  heal (): void {
    this.cut.clear()
  }

  private reachable (from: NodeName, to: NodeName): boolean {
    const n = this.nodes.get(to)
    return n !== undefined && n.up && !this.cut.has(`${from}|${to}`)
  }

  /** A node that is up and not stalled at `atMs` answers immediately. */
  private responsive (name: NodeName, atMs: number): boolean {
    const n = this.nodes.get(name)
    return n !== undefined && n.up && n.stalledUntilMs <= atMs
  }

  private latency (): number {
    const [lo, hi] = this.init.latencyMs ?? [1, 5]
    return lo + this.rng.next() * (hi - lo)
  }

  private deliver (node: NodeName, input: Input): void {
    this.queue.push(this.nowMs, { kind: 'input', node, input })
  }

  /** Run until virtual time `untilMs`. */
  runUntil (untilMs: number): void {
    for (;;) {
      const t = this.queue.peekTime()
      if (t === undefined || t > untilMs) break
      const ev = this.queue.pop()?.item as Event
      this.nowMs = Math.max(this.nowMs, t)
      this.dispatch(ev)
    }
    this.nowMs = Math.max(this.nowMs, untilMs)
  }

  runFor (ms: number): void {
    this.runUntil(this.nowMs + ms)
  }

  /** Run until `pred` holds (checked after every event) or the deadline passes; returns whether it held. */
  runUntilTrue (pred: () => boolean, deadlineMs: number): boolean {
    while (!pred()) {
      const t = this.queue.peekTime()
      if (t === undefined || t > this.nowMs + deadlineMs) return false
      const ev = this.queue.pop()?.item as Event
      this.nowMs = Math.max(this.nowMs, t)
      this.dispatch(ev)
    }
    return true
  }

  private dispatch (ev: Event): void {
    if (ev.kind === 'sync') return this.runSync(ev.from, ev.to)
    const n = this.nodes.get(ev.node)
    if (n === undefined || !n.up) return
    if (ev.wakeGen !== undefined && ev.wakeGen !== n.wakeGen) return
    if (n.stalledUntilMs > this.nowMs) {
      // The loop is blocked: the event waits until it unblocks. Node runs due
      // timers before it polls for I/O, so after a stall the timers fire first
      // and the messages that queued up meanwhile are read just after.
      const isTimer = ev.input.kind === 'tick'
      this.queue.push(n.stalledUntilMs + (isTimer ? 0 : 0.001), ev)
      return
    }
    const effects = n.core.step(ev.input, { monoMs: this.nowMs, wallMs: this.wall() })
    for (const e of effects) this.carryOut(ev.node, n, e)
  }

  private carryOut (from: NodeName, n: SimNode, e: Effect): void {
    this.init.trace?.(from, e, this.nowMs)
    switch (e.kind) {
      case 'wake':
        n.wakeGen++
        this.queue.push(e.atMonoMs, { kind: 'input', node: from, input: { kind: 'tick', telemetry: TELEMETRY }, wakeGen: n.wakeGen })
        return
      case 'publish':
        for (const to of this.nodes.keys()) if (to !== from) this.gossip(from, to, e.entries)
        return
      case 'probe': return this.probe(from, e.target, e.probeId)
      case 'probe-indirect':
        for (const helper of e.helpers) this.indirect(from, helper, e.target, e.probeId)
        return
      case 'sync':
        for (const to of e.peers) this.queue.push(this.nowMs + this.latency(), { kind: 'sync', from, to })
        return
      case 'persist':
        return
      case 'member':
      case 'log':
      case 'admin':
        this.log.push({ atMs: this.nowMs, node: from, effect: e })
        return
      case 'maintenance':
        // Simulated nodes supervise no daemons: the work is done at once.
        this.queue.push(this.nowMs, { kind: 'input', node: from, input: { kind: 'maintenance-done', eventId: e.eventId, ok: true } })
        return
      default: {
        const never: never = e
        throw new Error(`unhandled effect ${JSON.stringify(never)}`)
      }
    }
  }

  private gossip (from: NodeName, to: NodeName, entries: Entry[]): void {
    if (!this.reachable(from, to) || this.rng.next() < (this.init.gossipLoss ?? 0)) {
      this.dropped++
      return
    }
    const copies = this.rng.next() < (this.init.gossipDuplicate ?? 0) ? 2 : 1
    for (let i = 0; i < copies; i++) {
      this.delivered++
      this.queue.push(this.nowMs + this.latency(), { kind: 'input', node: to, input: { kind: 'entries', source: 'gossip', entries } })
    }
  }

  private probe (from: NodeName, target: NodeName, probeId: number): void {
    const rtt = this.latency() + this.latency()
    if (!this.reachable(from, target) || !this.reachable(target, from)) return
    // The target answers once its loop runs again; the prober's timeout decides whether that counts.
    const answerAt = Math.max(this.nowMs, this.nodes.get(target)?.stalledUntilMs ?? 0) + rtt
    this.queue.push(answerAt, { kind: 'input', node: from, input: { kind: 'probe-ack', probeId, rttMs: answerAt - this.nowMs } })
  }

  private indirect (from: NodeName, helper: NodeName, target: NodeName, probeId: number): void {
    if (!this.reachable(from, helper) || !this.responsive(helper, this.nowMs)) return
    const ok = this.reachable(helper, target) && this.responsive(target, this.nowMs)
    const rtt = 2 * (this.latency() + this.latency())
    this.queue.push(this.nowMs + rtt, { kind: 'input', node: from, input: { kind: ok ? 'indirect-ack' : 'indirect-nack', probeId } })
  }

  /** One anti-entropy round from `from` (requester) to `to` (responder), every message of it. */
  private runSync (from: NodeName, to: NodeName): void {
    const q = this.nodes.get(from)
    const r = this.nodes.get(to)
    if (q === undefined || r === undefined || !q.up || !this.reachable(from, to) || !this.responsive(to, this.nowMs) || !this.responsive(from, this.nowMs)) return
    const at = { monoMs: this.nowMs, wallMs: this.wall() }
    const answer = r.core.syncAnswer(q.core.syncHello())
    const versions = answer.t === 'versions' ? answer : r.core.syncWanted(q.core.syncWant(answer))
    if (versions.buckets.length === 0) return
    const push = q.core.syncPush(versions)
    const delta = r.core.syncDelta(push)
    for (const e of r.core.step({ kind: 'entries', source: 'sync', entries: push.entries }, at)) this.carryOut(to, r, e)
    for (const e of r.core.step({ kind: 'sync-advance', versions: push.complete }, at)) this.carryOut(to, r, e)
    for (const e of q.core.step({ kind: 'entries', source: 'sync', entries: delta.entries }, at)) this.carryOut(from, q, e)
    for (const e of q.core.step({ kind: 'sync-advance', versions: delta.complete }, at)) this.carryOut(from, q, e)
  }

  /** Liveness each live node holds for `name`. */
  views (name: NodeName): Map<NodeName, string | undefined> {
    const out = new Map<NodeName, string | undefined>()
    for (const [who, n] of this.nodes) if (n.up && who !== name) out.set(who, n.core.members.get(name)?.status)
    return out
  }

  /** True when every live node holds the same state. */
  converged (): boolean {
    let first: string | undefined
    for (const n of this.nodes.values()) {
      if (!n.up) continue
      const f = n.core.replica.fingerprint()
      if (first === undefined) first = f
      else if (f !== first) return false
    }
    return true
  }
}
