/**
 * The simulated world: every node's unmodified `AgentCore`, one virtual
 * clock, one event queue and one seeded generator. Nodes are dense indices;
 * each has a life counter so that events meant for an earlier life (before a
 * crash) are dropped. A stalled node's events wait until its loop runs again,
 * timers first (Node runs due timers before it polls for I/O).
 *
 * The world carries out the core's effects: `publish` through the gossipsub
 * model, `probe`/`probe-indirect`/`sync` through `transport.ts` over the
 * simulated network, `persist` into a write-behind memory store, `wake` as a
 * queued timer. Nothing here reads a clock or Math.random.
 */
import { AgentCore, NameTable, Replica, VersionBank, grown, sample, seededRng } from '../agent/core/index.js'
import type { AgentCoreInit, Effect, Entry, Input, NodeName, Rng, TelemetrySample } from '../agent/core/index.js'
import { GOSSIP_ENTRIES_MAX, STORE_BATCH_DELAY_MS, WALL_START_MS } from './constants.js'
import { IntrusiveQueue, Lane, TimerHeap } from './event-queue.js'
import { GossipCauses } from './gossip-causes.js'
import { GossipMesh } from './gossip.js'
import type { GossipHost, Traffic } from './gossip.js'
import { MemStore } from './mem-store.js'
import { ColumnSlabs } from './slabs.js'
import { Network } from './network.js'
import type { Scenario } from './scenario/index.js'
import { topicFor } from '../protocols/index.js'
import { gossipPayloadBytes } from './sizes.js'
import { sendProbe, sendIndirect, startSync } from './transport.js'

export type MemberEffect = Extract<Effect, { kind: 'member' }>

/** What the metrics and checkers want to hear about. */
export interface WorldObserver {
  onMember?: (observer: number, e: MemberEffect, atMs: number) => void
  /** Entries a node applied (its persist effect), in the step that applied them. */
  onApplied?: (node: number, entries: readonly Entry[], atMs: number) => void
  /** Entries that became durable in a node's store. */
  onDurable?: (node: number, entries: readonly Entry[], atMs: number) => void
}

export type NodeStatus = 'up' | 'down' | 'left'

export interface SimNode {
  readonly idx: number
  readonly name: NodeName
  status: NodeStatus
  core: AgentCore | undefined
  readonly store: MemStore
  life: number
  stalledUntilMs: number
  skewMs: number
  /** The wake-up already queued, -1 if none. */
  wakeAtMs: number
  syncsRunning: number
  /** A store batch is queued; it is written at (`flushDueMs`, `flushSeq`) in the event order. */
  flushPending: boolean
  flushDueMs: number
  flushSeq: number
  /** The pending batch runs as a queued event; otherwise it is written when something could tell (see `catchUpFlush`). */
  flushQueued: boolean
}

/** A queued event: a closure, or (for gossip deliveries, the bulk) an input for the node's core. */
interface Ev { atMs: number, seq: number, index: number, node: number, life: number, run: (() => void) | undefined, input: Input | undefined }

function holdsOwn (entries: readonly Entry[], name: NodeName): boolean {
  for (const e of entries) if (e.origin === name) return true
  return false
}

const byTimeThenSeq = (a: Ev, b: Ev): number => a.atMs - b.atMs || a.seq - b.seq

/** A timer's input: one object for every tick (cores do not mutate their inputs). */
const TICK: Input = Object.freeze({ kind: 'tick' })

const TELEMETRY: TelemetrySample = { uptimeS: 1, load: [0.1, 0.1, 0.1], memory: { usedBytes: 64 << 20, totalBytes: 1 << 30 } }

export type TrafficKind = 'gossip' | 'ihave' | 'probe' | 'sync'

export interface WorldOptions {
  /**
   * Whether nodes may crash (default true). A world whose nodes never crash
   * keeps no undo log and writes into a store only the batches that hold a
   * node's own writes (to acknowledge them at their batch's time): nothing
   * else reads a store. The results are the same; at 10,000 nodes the store
   * work per delivered write was a good part of the run. `crash` throws.
   */
  crashes?: boolean
}

export class World implements GossipHost {
  readonly scenario: Scenario
  readonly rng: Rng
  readonly net: Network
  readonly gossip: GossipMesh
  readonly nodes: SimNode[] = []
  readonly traffic: Record<TrafficKind, Traffic> = { gossip: { messages: 0, bytes: 0 }, ihave: { messages: 0, bytes: 0 }, probe: { messages: 0, bytes: 0 }, sync: { messages: 0, bytes: 0 } }
  /** Messages published on each gossipsub topic since the last gossip heartbeat (for the IHAVE charge). */
  readonly publishedSinceHeartbeat = new Map<string, number>()
  /** Gossip traffic by what caused it (see gossip-causes.ts). */
  readonly causes = new GossipCauses()
  observer: WorldObserver = {}
  steps = 0
  private readonly byName = new Map<NodeName, number>()
  private readonly up: number[] = []
  private readonly upIndex = new Map<number, number>()
  /**
   * Copies of each node's `status === 'up'` and `stalledUntilMs`, by index:
   * a gossip publish asks both about thousands of nodes, and reading them
   * from the node objects was a cache miss per node.
   */
  private upFlags = new Uint8Array(1024)
  private stalledUntil = new Float64Array(1024)
  private readonly queue = new IntrusiveQueue<Ev>()
  /** Each up node's wake-up, by node index, moved (not queued again) when the core asks for another time. */
  private readonly timers = new TimerHeap()
  /** Each node's store flush event in its current life (one is pending at a time), reused from batch to batch. */
  private readonly flushes: (Ev | undefined)[] = []
  /** The sequence number of the event being carried out (to place a pending flush before or after it). */
  private curSeq = 0
  private nowMs = 0
  private readonly coreInit: Partial<AgentCoreInit>
  /** One table of interned node names for every core: each name is stored once, not once per node. */
  private readonly names = new NameTable()
  /** While the initial fleet forms (`formFleet`): what the nodes publish, collected instead of gossiped. */
  private forming: Entry[] | undefined
  private readonly crashes: boolean

  constructor (scenario: Scenario, seed: number, opts: WorldOptions = {}) {
    this.crashes = opts.crashes ?? true
    this.scenario = scenario
    this.rng = seededRng(seed)
    this.net = new Network(scenario.network, seed, this.rng)
    this.gossip = new GossipMesh(scenario.gossip, this.net, this.rng)
    this.coreInit = { ...scenario.core, heartbeatIntervalMs: scenario.heartbeatMs }
  }

  get now (): number {
    return this.nowMs
  }

  get pending (): number {
    return this.queue.size
  }

  upNodes (): readonly number[] {
    return this.up
  }

  isUp (node: number): boolean {
    return this.upFlags[node] === 1
  }

  readyAtMs (node: number, atMs: number): number {
    const stalled = this.stalledUntil[node] ?? 0
    return stalled > atMs ? stalled : atMs
  }

  indexOf (name: NodeName): number | undefined {
    return this.byName.get(name)
  }

  /** The id of a node's name in the name table every core shares (-1 if no core ever saw it). */
  nameIdOf (name: NodeName): number {
    return this.names.find(name)
  }

  node (idx: number): SimNode {
    const n = this.nodes[idx]
    if (n === undefined) throw new Error(`no node ${idx}`)
    return n
  }

  /** Run `fn` at virtual time `atMs` (a world event: no node, never deferred). */
  at (atMs: number, fn: () => void): void {
    this.queue.push(Math.max(atMs, this.nowMs), { atMs: 0, seq: 0, index: -1, node: -1, life: 0, run: fn, input: undefined })
  }

  /** Run `fn` at node `idx` at `atMs`, in its current life, once its loop is free. */
  atNode (idx: number, atMs: number, fn: () => void): void {
    this.queue.push(Math.max(atMs, this.nowMs), { atMs: 0, seq: 0, index: -1, node: idx, life: this.node(idx).life, run: fn, input: undefined })
  }

  /** Run events until virtual time `untilMs`, or until `stop()` returns true (checked after each event). */
  runUntil (untilMs: number, stop?: () => boolean): void {
    const queue = this.queue
    const timers = this.timers
    for (;;) {
      const t = queue.peekTime() ?? Infinity
      const tt = timers.peekTime() ?? Infinity
      if (tt < t || (tt === t && tt !== Infinity && timers.peekSeq() < queue.peekSeq())) {
        if (tt > untilMs) break
        this.nowMs = Math.max(this.nowMs, tt)
        this.curSeq = timers.peekSeq()
        this.wake(timers.pop())
      } else {
        if (t === Infinity || t > untilMs) break
        const ev = queue.pop() as Ev
        this.nowMs = Math.max(this.nowMs, t)
        this.curSeq = ev.seq
        this.dispatch(ev)
      }
      if (stop?.() === true) return
    }
    this.nowMs = Math.max(this.nowMs, untilMs)
  }

  /** A node's wake-up timer fired: a tick, once its loop is free. */
  private wake (idx: number): void {
    const n = this.nodes[idx] as SimNode
    if (n.status !== 'up') return
    if (n.stalledUntilMs > this.nowMs) {
      this.timers.set(idx, n.stalledUntilMs, this.queue.nextSeq())
      return
    }
    n.wakeAtMs = -1
    this.step(idx, TICK)
  }

  private dispatch (ev: Ev): void {
    if (ev.node < 0) return (ev.run as () => void)()
    const n = this.nodes[ev.node] as SimNode
    if (n.life !== ev.life || n.status !== 'up') return
    if (n.stalledUntilMs > this.nowMs) {
      // Timers (`wake`) run at the stall's end, what arrived meanwhile just after.
      this.queue.push(n.stalledUntilMs + 0.001, ev)
      return
    }
    if (ev.run !== undefined) ev.run()
    else this.step(ev.node, ev.input as Input)
  }

  wallOf (n: SimNode): number {
    return WALL_START_MS + this.nowMs + n.skewMs
  }

  /** Feed one input to a node's core and carry out its effects. */
  step (idx: number, input: Input): void {
    const n = this.nodes[idx] as SimNode
    if (n.status !== 'up' || n.core === undefined) return
    this.catchUpFlush(n)
    this.steps++
    const effects = n.core.step(input, { monoMs: this.nowMs, wallMs: this.wallOf(n) })
    let published: Map<string, Entry[]> | undefined
    for (const e of effects) {
      if (e.kind !== 'publish' || this.forming !== undefined) this.carryOut(n, e)
      else {
        // As the runtime does: a step's writes on one topic leave as one message.
        const topic = topicFor(e.channel)
        published ??= new Map()
        const list = published.get(topic)
        if (list === undefined) published.set(topic, e.entries)
        else published.set(topic, [...list, ...e.entries])
      }
    }
    if (published !== undefined) for (const [topic, entries] of published) this.publish(n, topic, entries)
  }

  private carryOut (n: SimNode, e: Effect): void {
    switch (e.kind) {
      case 'wake': {
        // Most steps ask for the same wake-up as before: keep the timer already queued.
        if (n.wakeAtMs === e.atMonoMs) return
        n.wakeAtMs = e.atMonoMs
        // Moving a queued timer is queueing it anew: the copy left at the old time would only have been skipped.
        this.timers.set(n.idx, Math.max(e.atMonoMs, this.nowMs), this.queue.nextSeq())
        return
      }
      case 'publish':
        if (this.forming !== undefined) {
          for (const x of e.entries) this.forming.push(x)
          return
        }
        return this.publish(n, topicFor(e.channel), e.entries)
      case 'probe': return sendProbe(this, n.idx, e.probeId, e.target, e.timeoutMs)
      case 'probe-indirect':
        for (const h of e.helpers) sendIndirect(this, n.idx, e.probeId, h, e.target, e.timeoutMs)
        return
      case 'sync':
        for (const peer of e.peers) {
          const r = this.byName.get(peer)
          if (r !== undefined) startSync(this, n.idx, r)
        }
        return
      case 'persist': {
        this.observer.onApplied?.(n.idx, e.entries, this.nowMs)
        // Without crashes, only a batch that acknowledges own writes is written (see WorldOptions);
        // the batch still begins with its first persist, and an own write joining it is acknowledged then.
        const own = (this.crashes && n.flushQueued) ? false : holdsOwn(e.entries, n.name)
        if (this.crashes || own) n.store.enqueue(e)
        if (!n.flushPending) {
          // The batch is written STORE_BATCH_DELAY_MS from now, after the events queued before it
          // (its place in the event order is taken now, as a queued event's would be).
          n.flushPending = true
          n.flushDueMs = this.nowMs + STORE_BATCH_DELAY_MS
          n.flushSeq = this.queue.nextSeq()
          n.flushQueued = false
        }
        // A batch that holds one of the node's own writes acknowledges it (the observer records
        // when): that batch is written by a queued event at its place.
        if (!n.flushQueued && own) this.queueFlush(n)
        return
      }
      case 'member':
        this.observer.onMember?.(n.idx, e, this.nowMs)
        return
      default:
        // log, admin and maintenance effects change nothing the simulator models.
        return
    }
  }

  /**
   * The store's batches. Nearly all of them (a node's share of others'
   * writes) change nothing anyone observes until the node next runs, is
   * stalled, crashes or leaves: such a batch is written then, as it would
   * have been at its time (the store and the replica's undo log are the
   * node's own and nothing else changes them meanwhile). At 10,000 nodes a
   * flush event per delivery was as many events as the deliveries, each
   * touching the node's state once more. A batch with the node's own writes,
   * and any batch of a node that gets stalled (a stalled node's events wait),
   * runs as a queued event at the place taken when it began.
   */
  private queueFlush (n: SimNode): void {
    n.flushQueued = true
    let flush = this.flushes[n.idx]
    if (flush === undefined) {
      flush = { atMs: 0, seq: 0, index: -1, node: n.idx, life: n.life, run: () => this.flushNode(n, this.nowMs), input: undefined }
      this.flushes[n.idx] = flush
    }
    flush.atMs = n.flushDueMs
    flush.seq = n.flushSeq
    this.queue.pushStamped(flush)
  }

  private flushNode (n: SimNode, atMs: number): void {
    n.flushPending = false
    n.flushQueued = false
    // Written whether or not anyone listens (`onDurable?.(…, flush())` would skip the flush with no listener).
    const durable = n.store.flush()
    this.observer.onDurable?.(n.idx, durable, atMs)
  }

  /** Write a batch left to run lazily if its time came before the event being carried out. */
  private catchUpFlush (n: SimNode): void {
    if (n.flushPending && !n.flushQueued && (n.flushDueMs < this.nowMs || (n.flushDueMs === this.nowMs && n.flushSeq < this.curSeq))) {
      // Without crashes a batch left to run lazily holds nothing (no own write): no store to write.
      if (this.crashes) this.flushNode(n, n.flushDueMs)
      else n.flushPending = false
    }
  }

  private publish (n: SimNode, topic: string, entries: Entry[]): void {
    for (let i = 0; i < entries.length; i += GOSSIP_ENTRIES_MAX) {
      const chunk = entries.length <= GOSSIP_ENTRIES_MAX ? entries : entries.slice(i, i + GOSSIP_ENTRIES_MAX)
      this.publishedSinceHeartbeat.set(topic, (this.publishedSinceHeartbeat.get(topic) ?? 0) + 1)
      const t = this.traffic.gossip
      const messages = t.messages
      const bytes = t.bytes
      const deliveries = this.gossip.publish(n.idx, this.nowMs, topic, gossipPayloadBytes(n.name, chunk), this, t)
      this.causes.add(this.causes.classify(chunk), chunk.length, t.messages - messages, t.bytes - bytes)
      // One input object for every receiver: cores do not mutate their inputs. The deliveries
      // wait in one lane, stamped in the order they were found and sorted by (time, stamp).
      const input: Input = { kind: 'entries', source: 'gossip', entries: chunk }
      const lane = new Lane<Ev>()
      const items = lane.items
      for (const d of deliveries) {
        const life = (this.nodes[d.node] as SimNode).life
        const atMs = Math.max(d.atMs, this.nowMs)
        for (let c = 0; c < d.copies; c++) {
          const ev: Ev = { atMs: 0, seq: 0, index: -1, node: d.node, life, run: undefined, input }
          this.queue.stamp(ev, atMs)
          items.push(ev)
        }
      }
      items.sort(byTimeThenSeq)
      this.queue.pushLane(lane)
    }
  }

  private setUp (idx: number, isUp: boolean): void {
    const has = this.upIndex.has(idx)
    this.upFlags[idx] = isUp ? 1 : 0
    if (isUp && !has) {
      this.upIndex.set(idx, this.up.length)
      this.up.push(idx)
    } else if (!isUp && has) {
      const i = this.upIndex.get(idx) as number
      const last = this.up.pop() as number
      if (last !== idx) {
        this.up[i] = last
        this.upIndex.set(last, i)
      }
      this.upIndex.delete(idx)
    }
  }

  private newNode (name: NodeName, skewMs: number): number {
    const idx = this.nodes.length
    if (idx >= this.upFlags.length) {
      this.upFlags = grown(this.upFlags, idx * 2)
      this.stalledUntil = grown(this.stalledUntil, idx * 2)
    }
    this.nodes.push({ idx, name, status: 'down', core: undefined, store: new MemStore(), life: 0, stalledUntilMs: 0, skewMs, wakeAtMs: -1, syncsRunning: 0, flushPending: false, flushDueMs: -1, flushSeq: 0, flushQueued: false })
    this.byName.set(name, idx)
    return idx
  }

  /** Create a brand-new node (initial fleet or a join) and start it. */
  addNode (name: NodeName, skewMs: number): number {
    const idx = this.newNode(name, skewMs)
    this.boot(idx)
    return idx
  }

  /**
   * Scenario `boot: formed`: start the initial fleet at once as a formed
   * cluster, as if its boot gossip had run instantly and for free (it is
   * O(N^2) deliveries, which is what keeps 10,000 cold-booting nodes out of
   * reach). Nodes start one by one, as `boot` starts them but without
   * bootstrap dials, each holding in its store the start writes (member
   * record, caps, identity, first heartbeat) of the nodes before it (a copy
   * of one replica that holds them: `AgentCore.restoreFrom`), so it sizes
   * itself (heartbeat interval, suspicion timeout, sync partners) to the
   * fleet so far, as in a rolling boot. Those writes are not gossiped: once
   * all have started, every node takes in the ones it has not seen, in
   * inputs of up to GOSSIP_ENTRIES_MAX. Stores are flushed as the fleet forms
   * (no time passes).
   */
  formFleet (fleet: readonly { name: NodeName, skewMs: number }[]): void {
    // Intern every name first, in fleet order (the order the nodes would intern them in as they
    // start): the ids are the same, but every replica and member table is sized for the whole fleet
    // when it is made, instead of growing (copying its columns) an eighth at a time as names arrive.
    for (const { name } of fleet) this.names.intern(name)
    // Every node's columns are made now, all at once: from memory a worker faults in ahead (see slabs.ts).
    const slabs = new ColumnSlabs()
    this.names.makeColumn = slabs.make
    try {
      this.formFrom(fleet, slabs)
    } finally {
      this.names.makeColumn = undefined
      this.names.versionBank = undefined
      slabs.close()
    }
  }

  /** `formFleet` once the names are interned. */
  private formFrom (fleet: readonly { name: NodeName, skewMs: number }[], slabs: ColumnSlabs): void {
    const writes: Entry[] = []
    const started: { idx: number, seen: number }[] = []
    const sofar = new Replica(this.names)
    // The fleet's replicas keep their versions side by side, origin by origin (see VersionBank), with
    // room for the names there are and an eighth, as a replica's own columns would have.
    const names = this.names.size
    this.names.versionBank = new VersionBank(fleet.length, names + (names >> 3), slabs.buffer)
    this.forming = writes
    for (const { name, skewMs } of fleet) {
      const idx = this.newNode(name, skewMs)
      const from = writes.length
      this.startNode(idx, sofar)
      for (let i = from; i < writes.length; i++) sofar.merge(writes[i] as Entry)
      this.flushNow(idx)
      started.push({ idx, seen: writes.length })
    }
    this.forming = undefined
    // In inputs of gossip-message size: one input of everything would make every node's step
    // allocate arrays of tens of thousands (large objects that only a full collection frees).
    // The inputs go out stretch of writes by stretch, not node by node: every node whose input
    // starts in one stretch takes it in before the next, so the entries, their keys and the tables
    // the replicas share stay in cache while thousands of nodes merge them (node by node, each
    // node walked all of them). Each node gets the same inputs in the same order as node by node.
    const order: number[] = []
    for (let s = 0; s < started.length; s++) {
      for (let from = (started[s] as { seen: number }).seen; from < writes.length; from += GOSSIP_ENTRIES_MAX) order.push(from * started.length + s)
    }
    order.sort((a, b) => a - b)
    // Every node whose input starts at one write gets the same array (cores do not mutate inputs).
    let entries: Entry[] = []
    let entriesFrom = -1
    for (const key of order) {
      const { idx } = started[key % started.length] as { idx: number }
      const from = Math.floor(key / started.length)
      if (from !== entriesFrom) {
        entries = writes.slice(from, from + GOSSIP_ENTRIES_MAX)
        entriesFrom = from
      }
      // Flushed at once, so there is nothing for a crash to lose and the store need not log the changes.
      this.node(idx).store.unlogged(() => this.step(idx, { kind: 'entries', source: 'gossip', entries }))
      this.flushNow(idx)
    }
  }

  private flushNow (idx: number): void {
    const n = this.node(idx)
    if (!n.store.hasQueued) return
    const durable = n.store.flush()
    this.observer.onDurable?.(idx, durable, this.nowMs)
  }

  /** Start (or restart) a node's process from its store, as `AgentRuntime.start` does. */
  boot (idx: number): void {
    if (!this.startNode(idx, undefined)) return
    // Dial bootstrap peers: on connect both sides run a sync round at once.
    const peers = this.up.filter((p) => p !== idx)
    for (let i = 0; i < this.scenario.bootstrapPeers && peers.length > 0; i++) {
      const p = peers[this.rng.int(peers.length)] as number
      startSync(this, idx, p)
      startSync(this, p, idx)
    }
  }

  /** Start a node's core from its store, or from `formed` (a formed fleet's state, as if stored). False if it was up. */
  private startNode (idx: number, formed: Replica | undefined): boolean {
    const n = this.node(idx)
    if (n.status === 'up') return false
    const stored = n.store.load()
    n.core = new AgentCore({ ...this.coreInit, names: this.names, name: n.name, rng: seededRng(this.rng.int(2 ** 31)), incarnation: n.store.beginIncarnation(), hlc: stored.hlc })
    if (formed !== undefined) n.core.restoreFrom(formed, this.nowMs)
    else n.core.restore(stored.entries, stored.versions, this.nowMs)
    n.store.attach(n.core.replica, formed !== undefined, this.crashes)
    n.status = 'up'
    n.life++
    n.stalledUntilMs = 0
    this.stalledUntil[idx] = 0
    // A timer of its last life would have found the life changed and done nothing.
    this.timers.remove(idx)
    this.flushes[idx] = undefined
    n.wakeAtMs = -1
    n.syncsRunning = 0
    n.flushPending = false
    n.flushQueued = false
    this.setUp(idx, true)
    // A formed fleet's start writes are not gossiped (see formFleet).
    if (this.forming === undefined) this.causes.started(n.name)
    this.step(idx, { kind: 'tick', telemetry: TELEMETRY })
    this.step(idx, { kind: 'start', capabilities: { role: 'container', labels: {}, services: [] }, identity: { peerId: n.name } })
    this.gossip.join(idx, this)
    return true
  }

  /**
   * kill -9: no goodbye, unflushed writes lost. The host's kernel closes the
   * process's sockets, so every peer holding a connection to it (its mesh
   * peers and as many other random nodes as make up `connectedPeers`) hears
   * `peer-lost` one link latency later, unless the network cuts them off.
   */
  crash (idx: number): void {
    if (!this.crashes) throw new Error('World.crash: this world was made with crashes: false (its stores keep no undo log)')
    const n = this.node(idx)
    if (n.status !== 'up') return
    const connected = new Set(this.gossip.meshOf(idx))
    const others = this.up.filter((p) => p !== idx && !connected.has(p))
    for (const p of sample(others, Math.max(0, this.gossip.model.connectedPeers - connected.size), this.rng)) connected.add(p)
    this.catchUpFlush(n)
    const replica = n.core?.replica
    n.status = 'down'
    n.life++
    n.core = undefined
    n.store.crash()
    replica?.dispose()
    this.setUp(idx, false)
    this.gossip.leave(idx)
    for (const p of [...connected].sort((a, b) => a - b)) {
      if (!this.net.canSend(idx, p)) continue
      this.atNode(p, this.nowMs + this.net.baseMs(idx, p), () => this.step(p, { kind: 'peer-lost', name: n.name }))
    }
  }

  /** Graceful leave: announce `left`, linger so the gossip leaves, then stop for good. */
  leave (idx: number, lingerMs: number): void {
    const n = this.node(idx)
    if (n.status !== 'up') return
    this.step(idx, { kind: 'leave' })
    this.at(this.nowMs + lingerMs, () => {
      if (n.status !== 'up') return
      this.catchUpFlush(n)
      n.store.close()
      n.core?.replica.dispose()
      n.status = 'left'
      n.life++
      n.core = undefined
      this.setUp(idx, false)
      this.gossip.leave(idx)
    })
  }

  stall (idx: number, forMs: number): void {
    const n = this.node(idx)
    if (n.status !== 'up') return
    // Its events wait out the stall, the pending flush's too: that one becomes a queued event.
    this.catchUpFlush(n)
    if (n.flushPending && !n.flushQueued) this.queueFlush(n)
    n.stalledUntilMs = Math.max(n.stalledUntilMs, this.nowMs + forMs)
    this.stalledUntil[idx] = n.stalledUntilMs
  }
}
