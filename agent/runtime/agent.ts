/**
 * The agent runtime: a libp2p node, a LevelDB store and timers driving the
 * pure core. Every input goes through `core.step`, every effect is carried
 * out here. Nothing here decides anything about membership or state: that is
 * the core's job.
 */
import { EventEmitter } from 'node:events'
import type { Message, PeerId, Connection } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import { AgentCore, seededRng } from '../core/index.js'
import type { Capabilities, Clock, Effect, Entry, Input, MaintenanceWork, NodeName } from '../core/index.js'
import { openStore } from '../store/index.js'
import type { Store } from '../store/index.js'
import { EMERGENCY_READ_TIMEOUT_MS, LEAVE_LINGER_MS, RECENT_EVENTS_MAX, RECORDER_STOP_DEADLINE_MS, REDIAL_BACKOFF_MS_MAX, REDIAL_BACKOFF_MS_MIN, SHUTDOWN_DEADLINE_MS, SYNC_CONCURRENT_MAX, TELEMETRY_SAMPLE_MS } from './constants.js'
import { createMeshNode } from './libp2p-node.js'
import type { MeshNode } from './libp2p-node.js'
import { loadOrCreateNodeKey } from './node-key.js'
import { readRecorderAdminKeys } from './admin-keys.js'
import { noDaemonsExecutor } from './maintenance.js'
import type { MaintenanceExecutor } from './maintenance.js'
import { sampleTelemetry } from './telemetry.js'
import { Counters } from './counters.js'
import { WireMeter } from './wire-meter.js'
import { PingStreams } from './ping-streams.js'
import { ForwardAfterDelivery } from './forward-after.js'
import type { ForwardingPubSub } from './forward-after.js'
import { nativeEd25519Verify } from './ed25519.js'
import { Recorder, peersFromRecorder } from '../recorder/index.js'
import * as wire from './wire.js'
import { handleProbe, requestIndirectProbe } from './probe-protocol.js'
import { handleSync, runSync } from './sync-protocol.js'

export interface RuntimeInit {
  name: NodeName
  dataDir: string
  listen: string[]
  bootstrap: string[]
  capabilities: Capabilities
  heartbeatMs: number
  clock: Clock
  log: Logger
  /** Trusted admin public keys (hex); the recorder's `bootstrap/admin-keys/` adds more. */
  adminKeys?: string[]
  /** Carries out drains and the like. @default noDaemonsExecutor */
  maintenance?: MaintenanceExecutor
  /** Drain this node's daemons before leaving at a clean shutdown. @default false */
  drainOnShutdown?: boolean
  /** The meshfs flight recorder folder and its flush interval, if any. */
  recorder?: { dir: string, flushMs: number }
  /** Core options for tests (shorter periods); production uses the defaults. */
  core?: { probeIntervalMs?: number, probeTimeoutMs?: number, syncIntervalMs?: number, suspicionMult?: number, heartbeatMeshRatePerS?: number, recoverySettleMs?: number, drainDeadlineMs?: number }
}

/** One line of `GET /v1/events`. */
export interface MeshEvent {
  ts: string
  kind: 'mesh' | 'admin'
  event: string
  subject: string
  [field: string]: string | number
}

/** Where the agent is in its life; timers and the node exist only while running. */
type Lifecycle =
  | { state: 'starting' }
  | { state: 'running', node: MeshNode, store: Store }
  | { state: 'stopping' }
  | { state: 'stopped' }

export class AgentRuntime extends EventEmitter {
  readonly name: NodeName
  readonly counters = new Counters()
  /** Bytes on the wire by protocol, for /metrics and the benchmarks. */
  readonly wire = new WireMeter()
  core!: AgentCore
  node!: MeshNode
  /** SWIM probes: libp2p ping on streams kept open per peer. */
  pings!: PingStreams
  recorder: Recorder | undefined
  private store!: Store
  private readonly init: RuntimeInit
  private life: Lifecycle = { state: 'starting' }
  private cancelWake: (() => void) | undefined
  private telemetryTimer: NodeJS.Timeout | undefined
  private readonly peerOfName = new Map<NodeName, string>()
  private readonly nameOfPeer = new Map<string, NodeName>()
  private readonly blocked = new Set<string>()
  private syncsRunning = 0
  /** Recent mesh and admin events for `GET /v1/events`, oldest first, bounded. */
  readonly recentEvents: MeshEvent[] = []
  private readonly publishing = new Set<Promise<void>>()
  private forwards: ForwardAfterDelivery | undefined
  private readonly redials = new Map<string, { timer: NodeJS.Timeout | undefined, backoffMs: number }>()
  /**
   * Gossip messages the topic validator accepted, decoded: gossipsub hands the
   * same message object to the validator and then to the `gossipsub:message`
   * listener, which takes the decoded form from here instead of decoding the
   * bytes a second time. Weak, so a message gossipsub drops after validation
   * (a duplicate that raced in) leaves nothing behind.
   */
  private readonly accepted = new WeakMap<Message, wire.GossipMessage>()
  readonly startedAtMs = Date.now()

  constructor (init: RuntimeInit) {
    super()
    this.init = init
    this.name = init.name
  }

  get peerId (): string {
    return this.node.peerId.toString()
  }

  get addrs (): string[] {
    return this.node.getMultiaddrs().map((a) => a.toString())
  }

  async start (): Promise<void> {
    const { init } = this
    const privateKey = await loadOrCreateNodeKey(init.dataDir)
    this.store = await openStore({ path: `${init.dataDir}/store` })
    const stored = await this.store.load()
    const incarnation = await this.store.beginIncarnation()
    const recorderKeys = init.recorder === undefined ? [] : await readRecorderAdminKeys(init.recorder.dir, init.log)
    this.core = new AgentCore({
      name: init.name,
      rng: seededRng(Math.floor(Math.random() * 2 ** 31)),
      incarnation,
      hlc: stored.hlc,
      heartbeatIntervalMs: init.heartbeatMs,
      adminKeys: [...(init.adminKeys ?? []), ...recorderKeys],
      verifyEd25519: nativeEd25519Verify,
      ...init.core
    })
    this.core.restore(stored.entries, stored.versions, init.clock.now().monoMs)
    for (const e of stored.entries) this.learnIdentity(e)
    this.node = await createMeshNode({ privateKey, listen: init.listen, topics: wire.TOPIC_LIST, blocked: this.blocked, metrics: this.wire.component(), forwardWhenReported: true })
    this.pings = new PingStreams(this.node)
    this.life = { state: 'running', node: this.node, store: this.store }
    if (init.recorder !== undefined) {
      this.recorder = new Recorder({ dir: init.recorder.dir, flushMs: init.recorder.flushMs, writer: init.name, core: this.core, log: init.log })
      await this.recorder.start()
    }
    await this.wireUp()
    this.input({ kind: 'tick', telemetry: sampleTelemetry() })
    this.input({ kind: 'start', capabilities: init.capabilities, identity: { peerId: this.peerId, addrs: this.addrs } })
    this.telemetryTimer = setInterval(() => this.input({ kind: 'tick', telemetry: sampleTelemetry() }), TELEMETRY_SAMPLE_MS)
    this.telemetryTimer.unref()
    for (const addr of init.bootstrap) this.dialBootstrap(addr)
    if (stored.entries.length === 0 && init.bootstrap.length === 0 && init.recorder !== undefined) await this.emergencyBootstrap(init.recorder.dir)
    init.log.info({ peerId: this.peerId, addrs: this.addrs, incarnation: this.core.incarnation, restoredEntries: stored.entries.length }, 'agent started')
  }

  private async wireUp (): Promise<void> {
    const node = this.node
    const pubsub = node.services.pubsub
    for (const topic of wire.TOPIC_LIST) {
      pubsub.topicValidators.set(topic, (_peer, msg) => this.validateGossip(msg))
      pubsub.subscribe(topic)
    }
    // Deliver first, forward after (see forward-after.ts).
    // gossipsub is typed as a generic PubSub here; the node runs gossipsub (libp2p-node.ts).
    const forwards = new ForwardAfterDelivery(pubsub as unknown as ForwardingPubSub)
    this.forwards = forwards
    pubsub.addEventListener('gossipsub:message', (evt) => {
      this.onGossip(evt.detail.msg)
      forwards.accept(evt.detail.msgId, evt.detail.propagationSource.toString())
    })
    await node.handle(wire.PROTOCOL_SYNC, (data) => { void handleSync(this, data.stream, data.connection) }, { maxInboundStreams: 32 })
    await node.handle(wire.PROTOCOL_PROBE, (data) => { void handleProbe(this, data.stream) }, { maxInboundStreams: 64 })
    node.addEventListener('peer:connect', (evt) => this.onPeerConnect(evt.detail))
    node.addEventListener('connection:close', (evt) => this.onConnectionClose(evt.detail))
  }

  /** Feed one input to the core and carry out what it returns. */
  input (input: Input): void {
    if (this.life.state !== 'running' && input.kind !== 'leave') return
    let effects: Effect[]
    try {
      effects = this.core.step(input, this.init.clock.now())
    } catch (err) {
      // A core exception is a bug; say so loudly but keep the agent serving.
      this.init.log.error({ err, input: input.kind }, 'core step failed')
      this.counters.inc('core_step_errors_total')
      return
    }
    let published: Map<string, Entry[]> | undefined
    for (const e of effects) {
      if (e.kind !== 'publish') this.carryOut(e)
      else {
        // Channels that share a topic (all of them: see protocols/topics.ts) leave as one message
        // per step, not one per channel: every message costs gossipsub's framing at every node.
        const topic = wire.topicFor(e.channel)
        published ??= new Map()
        const list = published.get(topic)
        if (list === undefined) published.set(topic, [...e.entries])
        else list.push(...e.entries)
      }
    }
    if (published !== undefined) for (const [topic, entries] of published) this.startPublish(topic, entries)
  }

  private startPublish (topic: string, entries: Entry[]): void {
    const p = this.publish(topic, entries)
    this.publishing.add(p)
    void p.finally(() => this.publishing.delete(p))
  }

  private carryOut (e: Effect): void {
    switch (e.kind) {
      case 'persist':
        this.store.enqueue(e)
        for (const entry of e.entries) {
          this.learnIdentity(entry)
          this.recorder?.noteKey(entry.key)
        }
        for (const key of e.deletes) this.recorder?.noteKey(key)
        return
      case 'publish':
        this.startPublish(wire.topicFor(e.channel), e.entries)
        return
      case 'probe':
        void this.probe(e.probeId, e.target, e.timeoutMs)
        return
      case 'probe-indirect':
        for (const helper of e.helpers) void this.indirect(e.probeId, helper, e.target, e.timeoutMs)
        return
      case 'sync':
        for (const peer of e.peers) {
          const pid = this.peerOfName.get(peer)
          if (pid !== undefined) void this.syncWith(pid)
        }
        return
      case 'admin':
        this.init.log.info({ id: e.event.id, action: e.event.action, target: e.event.target, state: e.view.state, cordoned: e.view.cordoned }, `admin:${e.event.action}`)
        this.recorder?.noteAdmin(e.event, e.view.state)
        this.pushEvent({ ts: new Date().toISOString(), kind: 'admin', event: `admin:${e.event.action}`, subject: e.event.target, id: e.event.id, signer: e.event.signer, state: e.view.state })
        return
      case 'maintenance':
        void this.runMaintenance(e.work, e.eventId)
        return
      case 'member':
        this.counters.inc(`member_transitions_total{to="${e.to}"}`)
        this.pushEvent({ ts: new Date().toISOString(), kind: 'mesh', event: `member:${e.to}`, subject: e.name, incarnation: e.incarnation })
        this.init.log.info({ member: e.name, from: e.from, to: e.to, incarnation: e.incarnation }, `member:${e.to}`)
        this.recorder?.noteMember(e.name, e.from, e.to, e.incarnation)
        this.emit('member', e)
        return
      case 'log':
        this.init.log[e.level](e.fields, e.msg)
        return
      case 'wake':
        this.cancelWake?.()
        this.cancelWake = this.init.clock.schedule(e.atMonoMs, () => this.input({ kind: 'tick' }))
        return
      default: {
        const never: never = e
        throw new Error(`unhandled effect ${JSON.stringify(never)}`)
      }
    }
  }

  private async runMaintenance (work: MaintenanceWork, eventId: string): Promise<void> {
    const executor = this.init.maintenance ?? noDaemonsExecutor
    let ok = false
    try {
      ok = await executor.run(work, eventId)
    } catch (err) {
      this.init.log.warn({ work, event: eventId, err: (err as Error).message }, 'maintenance work failed')
    }
    this.input({ kind: 'maintenance-done', eventId, ok })
  }

  private pushEvent (e: MeshEvent): void {
    this.recentEvents.push(e)
    if (this.recentEvents.length > RECENT_EVENTS_MAX) this.recentEvents.splice(0, this.recentEvents.length - RECENT_EVENTS_MAX)
  }

  /** Keep the name <-> PeerId map and the peer store current from identity entries. */
  private learnIdentity (e: Entry): void {
    if (!e.key.endsWith('/identity') || e.value === null || typeof e.value !== 'object' || Array.isArray(e.value)) return
    const peerId = e.value.peerId
    if (typeof peerId !== 'string') return
    this.peerOfName.set(e.origin, peerId)
    this.nameOfPeer.set(peerId, e.origin)
    if (e.origin === this.name || this.life.state !== 'running') return
    const addrs = Array.isArray(e.value.addrs) ? e.value.addrs.filter((a): a is string => typeof a === 'string') : []
    try {
      const pid = peerIdFromString(peerId)
      void this.node.peerStore.merge(pid, { multiaddrs: addrs.map((a) => multiaddr(a)) }).catch(() => {})
    } catch {
      this.counters.inc('identity_invalid_total')
    }
  }

  nameOf (peerId: string): NodeName | undefined {
    return this.nameOfPeer.get(peerId)
  }

  peerIdOf (name: NodeName): string | undefined {
    return this.peerOfName.get(name)
  }

  private validateGossip (msg: Message): wire.TopicValidatorResult {
    const res = wire.decodeGossip(msg.data)
    if (!res.ok) {
      this.counters.rejected('gossip', res.reason)
      this.init.log.warn({ topic: msg.topic, reason: res.reason }, 'rejected gossip message')
      return wire.TopicValidatorResult.Reject
    }
    // A forged or untrusted admin event is not forwarded: gossipsub drops it here and scores the sender.
    for (const e of res.value.entries) {
      const reason = e.key.startsWith('admin/') ? this.core.admin.rejection(e) : undefined
      if (reason !== undefined) {
        this.counters.rejected('gossip', reason)
        return wire.TopicValidatorResult.Reject
      }
    }
    // Every entry's origin is the message's `from` (the wire carries no other), and `from` must be its signer's name.
    if (msg.type === 'signed') {
      const known = this.nameOfPeer.get(msg.from.toString())
      if (known !== undefined && known !== res.value.from) {
        this.counters.rejected('gossip', 'sender name does not match its peer id')
        return wire.TopicValidatorResult.Reject
      }
    }
    this.accepted.set(msg, res.value)
    return wire.TopicValidatorResult.Accept
  }

  private onGossip (msg: Message): void {
    let value = this.accepted.get(msg)
    if (value === undefined) {
      const res = wire.decodeGossip(msg.data)
      if (!res.ok) return
      value = res.value
    } else {
      this.accepted.delete(msg)
    }
    this.counters.inc('gossip_received_total')
    this.input({ kind: 'entries', source: 'gossip', entries: value.entries })
  }

  private async publish (topic: string, entries: Entry[]): Promise<void> {
    for (const bytes of wire.encodeGossipChunks(this.name, entries)) {
      try {
        await this.node.services.pubsub.publish(topic, bytes)
        this.counters.inc('gossip_published_total')
      } catch (err) {
        this.counters.inc('gossip_publish_errors_total')
        this.init.log.debug({ err: (err as Error).message, topic }, 'publish failed')
      }
    }
  }

  private async probe (probeId: number, target: NodeName, timeoutMs: number): Promise<void> {
    const pid = this.peerOfName.get(target)
    if (pid === undefined) return
    try {
      const rttMs = await this.pings.ping(peerIdFromString(pid), AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs))))
      this.input({ kind: 'probe-ack', probeId, rttMs })
    } catch (err) {
      const name = (err as Error).name
      // A timeout is the core's business (its own deadline); a refused dial lets it go indirect at once.
      if (name !== 'AbortError' && name !== 'TimeoutError') this.input({ kind: 'probe-failed', probeId })
    }
  }

  private async indirect (probeId: number, helper: NodeName, target: NodeName, timeoutMs: number): Promise<void> {
    const helperPid = this.peerOfName.get(helper)
    const targetPid = this.peerOfName.get(target)
    if (helperPid === undefined || targetPid === undefined) return
    const outcome = await requestIndirectProbe(this, helperPid, target, targetPid, timeoutMs)
    if (outcome === 'ack') this.input({ kind: 'indirect-ack', probeId })
    else if (outcome === 'nack') this.input({ kind: 'indirect-nack', probeId })
  }

  async syncWith (peerId: string): Promise<void> {
    if (this.syncsRunning >= SYNC_CONCURRENT_MAX || this.life.state !== 'running') return
    this.syncsRunning++
    try {
      await runSync(this, peerId)
      this.counters.inc('sync_rounds_total')
    } catch (err) {
      this.counters.inc('sync_errors_total')
      this.init.log.debug({ peer: peerId, err: (err as Error).message }, 'sync round failed')
    } finally {
      this.syncsRunning--
    }
  }

  private onPeerConnect (peer: PeerId): void {
    // A new or returning peer: reconcile at once instead of waiting for the next round.
    void this.syncWith(peer.toString())
  }

  private onConnectionClose (conn: Connection): void {
    const pid = conn.remotePeer.toString()
    for (const [addr, st] of this.redials) {
      if (addr.endsWith(`/p2p/${pid}`) && st.timer === undefined) this.scheduleRedial(addr)
    }
    // The last connection to a member closed: its process may be gone (a killed
    // process's kernel closes its sockets at once). Let the core probe it now.
    const name = this.nameOfPeer.get(pid)
    if (name !== undefined && this.node.getConnections(conn.remotePeer).every((c) => c.status !== 'open')) {
      this.counters.inc('peers_lost_total')
      this.input({ kind: 'peer-lost', name })
    }
  }

  /**
   * An empty store and no --bootstrap: find peers in the recorder and dial
   * them (with the same redial backoff). Bounded, so a hung mount cannot hold
   * up the start.
   */
  private async emergencyBootstrap (dir: string): Promise<void> {
    const peers = await Promise.race([
      peersFromRecorder(dir, this.peerId),
      new Promise<string[]>((resolve) => setTimeout(() => resolve([]), EMERGENCY_READ_TIMEOUT_MS).unref())
    ])
    if (peers.length === 0) {
      this.init.log.warn({ recorder: dir }, 'emergency bootstrap: no peers found in the recorder; running alone until someone dials us')
      return
    }
    this.init.log.info({ recorder: dir, peers: peers.length }, 'emergency bootstrap: dialling peers found in the recorder')
    for (const addr of peers) this.dialBootstrap(addr)
  }

  /** Dial a bootstrap peer, and keep redialling with backoff while it is unreachable. */
  private dialBootstrap (addr: string): void {
    if (!this.redials.has(addr)) this.redials.set(addr, { timer: undefined, backoffMs: REDIAL_BACKOFF_MS_MIN })
    const st = this.redials.get(addr)
    if (st === undefined || this.life.state !== 'running') return
    st.timer = undefined
    this.node.dial(multiaddr(addr), { signal: AbortSignal.timeout(5_000) }).then(() => {
      st.backoffMs = REDIAL_BACKOFF_MS_MIN
    }, (err: Error) => {
      this.init.log.warn({ addr, err: err.message, retryInMs: st.backoffMs }, 'bootstrap peer unreachable; retrying')
      this.scheduleRedial(addr)
    })
  }

  private scheduleRedial (addr: string): void {
    const st = this.redials.get(addr)
    if (st === undefined || this.life.state !== 'running' || st.timer !== undefined) return
    const delay = st.backoffMs
    st.backoffMs = Math.min(REDIAL_BACKOFF_MS_MAX, st.backoffMs * 2)
    st.timer = setTimeout(() => this.dialBootstrap(addr), delay)
    st.timer.unref()
  }

  /** Cut this agent off from the given peers (tests: partitions), or heal with an empty list. */
  async setBlocked (peerIds: string[]): Promise<void> {
    this.blocked.clear()
    for (const p of peerIds) this.blocked.add(p)
    for (const conn of this.node.getConnections()) {
      if (this.blocked.has(conn.remotePeer.toString())) await conn.close().catch(() => {})
    }
  }

  /** Announce `left`, flush, stop. Bounded by SHUTDOWN_DEADLINE_MS. */
  async stop (): Promise<void> {
    if (this.life.state !== 'running') return
    if (this.init.drainOnShutdown === true) await this.drainForShutdown()
    if (this.life.state !== 'running') return
    const { node, store } = this.life
    this.input({ kind: 'leave' })
    this.life = { state: 'stopping' }
    this.forwards?.flush()
    this.cancelWake?.()
    clearInterval(this.telemetryTimer)
    for (const st of this.redials.values()) clearTimeout(st.timer)
    const work = (async () => {
      // Let the `left` gossip reach the sockets before they close.
      await Promise.allSettled([...this.publishing])
      await this.recorder?.stop(RECORDER_STOP_DEADLINE_MS)
      // gossipsub's publish resolves once the message is queued on the peers'
      // streams, not once it left; linger briefly so closing does not cut it off.
      await new Promise((resolve) => setTimeout(resolve, LEAVE_LINGER_MS))
      await store.close()
      await node.stop()
    })()
    await Promise.race([work, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_DEADLINE_MS).unref())])
    this.life = { state: 'stopped' }
  }

  /** `--drain-on-shutdown`: stop our daemons before we leave, within half the shutdown deadline. */
  private async drainForShutdown (): Promise<void> {
    const executor = this.init.maintenance ?? noDaemonsExecutor
    const signal = AbortSignal.timeout(SHUTDOWN_DEADLINE_MS / 2)
    const ok = await Promise.race([
      executor.run('drain', 'shutdown', { signal }).catch(() => false),
      new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true }))
    ])
    this.init.log[ok ? 'info' : 'warn']({ drained: ok }, ok ? 'drained before shutdown' : 'drain before shutdown did not finish; leaving anyway')
  }

  /** Stop without announcing `left`, as a kill -9 would look to the peers (tests). */
  async abort (): Promise<void> {
    if (this.life.state !== 'running') return
    const { node, store } = this.life
    this.life = { state: 'stopped' }
    this.forwards?.clear()
    this.cancelWake?.()
    clearInterval(this.telemetryTimer)
    for (const st of this.redials.values()) clearTimeout(st.timer)
    await this.recorder?.stop(0)
    await node.stop()
    await store.close()
  }

  get isRunning (): boolean {
    return this.life.state === 'running'
  }

  get storeStats (): Store['stats'] {
    return this.store.stats
  }

  /** Write the store's queued batch and the recorder's dirty files now (a critical pre-flight's flush barrier). */
  async flushAll (options?: { signal?: AbortSignal }): Promise<void> {
    if (this.life.state !== 'running') throw new Error('agent is not running')
    await this.store.flush(options)
    await this.recorder?.flush()
  }

  /** An event from outside the core (the host bridge): kept for GET /v1/events and appended to the recorder's events/. */
  noteEvent (event: string, subject: string, fields: Record<string, string | number>): void {
    this.pushEvent({ ...fields, ts: new Date().toISOString(), kind: 'mesh', event, subject })
    this.recorder?.noteEvent(event, subject, fields)
  }
}
