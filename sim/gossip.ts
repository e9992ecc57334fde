/**
 * Gossip dissemination modelled after gossipsub v1.1/v1.2 (js-libp2p-gossipsub
 * v14 defaults), cheap enough for 10,000 nodes.
 *
 * Each node keeps a mesh of about D peers (GRAFTed at join, repaired towards D
 * when it falls below D_lo at a gossip heartbeat, pruned above D_hi). A publish
 * is flooded to the publisher's connected peers (the runtime sets
 * `floodPublish: true`); every receiver forwards it once to its mesh peers.
 * Receivers of large messages send IDONTWANT to their mesh first, which
 * suppresses forwards that would arrive later. Nodes the eager push missed
 * (loss, partitions) get the message id in an IHAVE at one of the next
 * `historyGossip` heartbeats from a peer that holds it, ask with IWANT and
 * receive it one round trip later.
 *
 * Instead of one queue event per hop (D * N per message), one publish runs a
 * Dijkstra over the mesh at publish time with the link delays the network
 * draws, and returns the first arrival at each node: that is all a subscriber
 * sees, since gossipsub drops later copies by message id. Duplicate copies are
 * still counted as traffic. The cost: a crash, stall or partition that starts
 * while a message is in flight (milliseconds; IHAVE recovery: seconds) is not
 * seen by that message. IHAVE traffic is charged by the world once per gossip
 * heartbeat from the number of recent message ids (see `ihaveBytesPerNode`).
 */
import { sample } from '../agent/core/index.js'
import type { Rng } from '../agent/core/index.js'
import type { Network } from './network.js'
import type { GossipModel } from './scenario/index.js'
import { FRAME_OVERHEAD_BYTES, GOSSIP_IDONTWANT_MIN_BYTES } from './constants.js'
import { controlBytes, gossipRpcBytes } from './sizes.js'

export interface GossipHost {
  /** The node runs (not crashed, not left) and takes part in gossip. */
  isUp(node: number): boolean
  /** When a node whose loop may be stalled can act on a message that arrived at `atMs`. */
  readyAtMs(node: number, atMs: number): number
  /** Nodes that are up, for random picks. */
  upNodes(): readonly number[]
}

export interface Delivery { node: number, atMs: number, copies: 1 | 2 }

export interface Traffic { messages: number, bytes: number }

class MinHeap {
  private t = new Float64Array(1024)
  private n = new Int32Array(1024)
  size = 0

  push (time: number, node: number): void {
    if (this.size === this.t.length) {
      const t = new Float64Array(this.size * 2); t.set(this.t); this.t = t
      const n = new Int32Array(this.size * 2); n.set(this.n); this.n = n
    }
    let i = this.size++
    while (i > 0) {
      const p = (i - 1) >> 1
      if ((this.t[p] as number) <= time) break
      this.t[i] = this.t[p] as number
      this.n[i] = this.n[p] as number
      i = p
    }
    this.t[i] = time
    this.n[i] = node
  }

  /** Pops the earliest node; its time is left in `lastTime`. */
  pop (): number {
    const top = this.n[0] as number
    this.lastTime = this.t[0] as number
    const time = this.t[--this.size] as number
    const node = this.n[this.size] as number
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= this.size) break
      const r = l + 1
      const c = r < this.size && (this.t[r] as number) < (this.t[l] as number) ? r : l
      if ((this.t[c] as number) >= time) break
      this.t[i] = this.t[c] as number
      this.n[i] = this.n[c] as number
      i = c
    }
    this.t[i] = time
    this.n[i] = node
    return top
  }

  lastTime = 0
}

export class GossipMesh {
  readonly model: GossipModel
  private readonly mesh: number[][] = []
  private readonly dirty = new Set<number>()
  private readonly net: Network
  private readonly rng: Rng
  private arrival = new Float64Array(0)
  private done = new Uint8Array(0)
  private from = new Int32Array(0)
  /** Copies of the first arrival at each node (1 or 2), 0 where none arrived. */
  private copies = new Uint8Array(0)
  private readonly heap = new MinHeap()

  constructor (model: GossipModel, net: Network, rng: Rng) {
    this.model = model
    this.net = net
    this.rng = rng
  }

  private ensure (node: number): void {
    while (this.mesh.length <= node) this.mesh.push([])
    if (this.arrival.length <= node) {
      const size = Math.max(1024, (node + 1) * 2)
      this.arrival = new Float64Array(size).fill(Infinity)
      this.done = new Uint8Array(size)
      this.from = new Int32Array(size).fill(-1)
      this.copies = new Uint8Array(size)
    }
  }

  meshOf (node: number): readonly number[] {
    return this.mesh[node] ?? []
  }

  /** GRAFT a new or restarted node to D random up peers; peers above D_hi prune one at random. */
  join (node: number, host: GossipHost): void {
    this.ensure(node)
    const mine = this.mesh[node] as number[]
    const candidates = host.upNodes().filter((n) => n !== node && !mine.includes(n))
    for (const p of sample(candidates, this.model.d - mine.length, this.rng)) {
      this.link(node, p)
      const theirs = this.mesh[p] as number[]
      if (theirs.length > this.model.dHi) {
        const others = theirs.filter((x) => x !== node)
        this.unlink(p, others[this.rng.int(others.length)] as number)
      }
    }
  }

  private link (a: number, b: number): void {
    this.ensure(Math.max(a, b))
    const ma = this.mesh[a] as number[]
    const mb = this.mesh[b] as number[]
    if (!ma.includes(b)) ma.push(b)
    if (!mb.includes(a)) mb.push(a)
  }

  private unlink (a: number, b: number): void {
    if (a === b) return
    const ma = this.mesh[a] as number[]
    const mb = this.mesh[b] as number[]
    const i = ma.indexOf(b)
    if (i >= 0) ma.splice(i, 1)
    const j = mb.indexOf(a)
    if (j >= 0) mb.splice(j, 1)
    if (ma.length < this.model.dLo) this.dirty.add(a)
    if (mb.length < this.model.dLo) this.dirty.add(b)
  }

  /** A node stopped (crash or leave): its connections close and its mesh peers drop it. */
  leave (node: number): void {
    for (const p of [...this.meshOf(node)]) this.unlink(node, p)
    this.dirty.delete(node)
  }

  /** Gossip heartbeat: nodes below D_lo graft random up peers back to D. */
  repair (host: GossipHost): number {
    let grafts = 0
    for (const node of [...this.dirty].sort((a, b) => a - b)) {
      this.dirty.delete(node)
      if (!host.isUp(node)) continue
      const mine = this.mesh[node] as number[]
      for (const p of sample(host.upNodes(), this.model.d - mine.length + 2, this.rng)) {
        if (mine.length >= this.model.d) break
        if (p === node || mine.includes(p)) continue
        this.link(node, p)
        grafts++
      }
    }
    return grafts
  }

  /**
   * Disseminate one message of `dataBytes` (our payload) published by
   * `origin` on `topic` at `atMs`: returns the first arrival at every node it
   * reaches and adds its cost to `traffic`.
   */
  publish (origin: number, atMs: number, topic: string, dataBytes: number, host: GossipHost, traffic: Traffic): Delivery[] {
    this.ensure(origin)
    const bytes = FRAME_OVERHEAD_BYTES + gossipRpcBytes(topic, dataBytes)
    // gossipsub compares the message's data (our payload), not the whole RPC, with its threshold.
    const idontwant = this.model.idontwant && dataBytes >= GOSSIP_IDONTWANT_MIN_BYTES ? controlBytes(topic, 1) : 0
    const touched: number[] = []
    const copies = this.copies
    const offer = (u: number, v: number, sendMs: number): void => {
      traffic.messages++
      traffic.bytes += bytes
      const f = this.net.fate(u, v)
      if (f.kind !== 'arrives' || !host.isUp(v)) return
      const t = sendMs + f.delayMs
      if (this.arrival[v] === Infinity) touched.push(v)
      if (t < (this.arrival[v] as number)) {
        this.arrival[v] = t
        this.from[v] = u
        this.heap.push(t, v)
        copies[v] = f.copies
      }
    }
    // Flood publish: every connected peer (a random set of them), plus the mesh; without it, the mesh only.
    const flood = new Set<number>(this.meshOf(origin))
    const upList = host.upNodes()
    if (this.model.floodPublish) {
      for (const p of sample(upList, Math.min(this.model.connectedPeers, upList.length), this.rng)) if (p !== origin) flood.add(p)
    }
    const start = host.readyAtMs(origin, atMs)
    this.arrival[origin] = atMs
    this.done[origin] = 1
    touched.push(origin)
    for (const p of flood) offer(origin, p, start)
    const out: Delivery[] = []
    this.drain(idontwant, host, traffic, offer, out, copies)
    this.recover(origin, atMs, topic, idontwant, host, traffic, offer, out, copies)
    for (const n of touched) {
      this.arrival[n] = Infinity
      this.done[n] = 0
      this.from[n] = -1
      copies[n] = 0
    }
    return out
  }

  /** `idontwant`: bytes of the IDONTWANT each receiver sends its mesh first, 0 for none. */
  private drain (idontwant: number, host: GossipHost, traffic: Traffic, offer: (u: number, v: number, t: number) => void, out: Delivery[], copies: Uint8Array): void {
    while (this.heap.size > 0) {
      const v = this.heap.pop()
      const t = this.heap.lastTime
      if (this.done[v] === 1 || t > (this.arrival[v] as number)) continue
      this.done[v] = 1
      out.push({ node: v, atMs: t, copies: copies[v] === 2 ? 2 : 1 })
      const mesh = this.meshOf(v)
      if (idontwant > 0) {
        traffic.messages += mesh.length
        traffic.bytes += mesh.length * idontwant
      }
      const sendMs = host.readyAtMs(v, t)
      for (const w of mesh) {
        if (w === this.from[v]) continue
        // IDONTWANT from w reached v before v forwards: the forward is not sent.
        if (idontwant > 0 && this.done[w] === 1 && (this.arrival[w] as number) + this.net.baseMs(w, v) <= sendMs) continue
        offer(v, w, sendMs)
      }
    }
  }

  /** IHAVE/IWANT: nodes the eager push missed fetch the message from a peer that advertises it. */
  private recover (origin: number, atMs: number, topic: string, idontwant: number, host: GossipHost, traffic: Traffic, offer: (u: number, v: number, t: number) => void, out: Delivery[], copies: Uint8Array): void {
    const m = this.model
    const up = host.upNodes()
    const gossipPeers = Math.max(m.dLazy, Math.floor(m.gossipFactor * Math.max(0, m.connectedPeers - m.d)))
    const perPeer = Math.min(1, gossipPeers / Math.max(1, m.connectedPeers - m.d))
    for (let round = 1; round <= m.historyGossip; round++) {
      const missing = up.filter((n) => this.done[n] !== 1 && n !== origin)
      if (missing.length === 0 || out.length === 0) return
      const holders = out.length / Math.max(1, up.length)
      const pAny = 1 - Math.pow(1 - perPeer, Math.max(1, m.connectedPeers * holders))
      for (const u of missing) {
        const r = this.advertiser(u, out)
        if (r === undefined || this.rng.next() >= pAny) continue
        const heartbeatMs = atMs + (round - 1 + this.rng.next()) * m.heartbeatMs
        const ihave = this.net.fate(r, u)
        const iwant = this.net.fate(u, r)
        traffic.messages++
        traffic.bytes += controlBytes(topic, 1)
        if (ihave.kind !== 'arrives' || iwant.kind !== 'arrives') continue
        offer(r, u, heartbeatMs + ihave.delayMs + iwant.delayMs)
      }
      this.drain(idontwant, host, traffic, offer, out, copies)
    }
  }

  /** A random node that holds the message and can talk with `u` both ways. */
  private advertiser (u: number, holders: readonly Delivery[]): number | undefined {
    for (let tries = 0; tries < 3; tries++) {
      const r = (holders[this.rng.int(holders.length)] as Delivery).node
      if (r !== u && this.net.canSend(r, u) && this.net.canSend(u, r)) return r
    }
    return undefined
  }

  /**
   * IHAVE cost per node per gossip heartbeat. gossipsub emits gossip per
   * topic (`emitGossip`): for every topic with ids seen in the last
   * `historyGossip` heartbeats, it picks max(D_lazy, factor * non-mesh peers)
   * peers of its own and sends each that topic's ids. A peer picked for two
   * topics gets them in one RPC; with D_lazy = 6 of ~300 peers that is rare
   * and not modelled (each topic's IHAVE is charged its own RPC).
   */
  ihavePerNode (idsPerTopic: readonly (readonly [topic: string, ids: number])[]): Traffic {
    const m = this.model
    const peers = Math.min(Math.max(0, m.connectedPeers - m.d), Math.max(m.dLazy, Math.floor(m.gossipFactor * Math.max(0, m.connectedPeers - m.d))))
    let messages = 0
    let bytes = 0
    for (const [topic, ids] of idsPerTopic) {
      if (ids === 0) continue
      messages += peers
      bytes += peers * controlBytes(topic, ids)
    }
    return { messages, bytes }
  }
}
