/**
 * The agent's pure state machine. The runtime (libp2p, LevelDB, timers) and
 * the simulator (virtual network and clock) both drive it the same way:
 *
 *     const effects = core.step(input, { monoMs, wallMs })
 *
 * and then carry out the effects (publish, persist, probe, sync, wake me at).
 * The core never reads a clock, never draws from Math.random and never does
 * I/O, so a run is a function of its inputs and its seed.
 */
import { AdminLedger } from './admin/ledger.js'
import type { AdminEvent, Ed25519Verify } from './admin/event.js'
import type { MaintenanceView } from './admin/fold.js'
import { MaintenanceWorker } from './admin/worker.js'
import type { MaintenanceWork, WorkerAction } from './admin/worker.js'
import { Awareness } from './membership/awareness.js'
import { DueQueue } from './membership/held-accusations.js'
import type { HeldAccusation, Verification } from './membership/held-accusations.js'
import { MemberTable } from './membership/member-table.js'
import { Prober } from './membership/prober.js'
import type { ProberAction } from './membership/prober.js'
import { Suspicion, SuspicionTimers, deadlineSpreadMs, expectedConfirmations, suspicionMinMs } from './membership/suspicion.js'
import * as C from './constants.js'
import { entryRejection, isMemberRecord, memberKey, nodeKey, ownerOfKey } from './entries.js'
import { HybridClock, hlcWallMs } from './hlc.js'
import { NameTable } from './names.js'
import { Replica } from './replica.js'
import type { OriginVersion } from './replica.js'
import type { Rng } from './rng.js'
import { syncAnswer, syncDelta, syncHello, syncPush, syncWant, syncWanted } from './sync.js'
import type { SyncAnswer, SyncDelta, SyncDigest, SyncHello, SyncPush, SyncVersions, SyncWant } from './sync.js'
import { heartbeatIntervalMs, heartbeatValue, jittered } from './telemetry.js'
import type { Capabilities, TelemetrySample } from './telemetry.js'
import type { Entry, EntryKey, Hlc, Instant, Liveness, MemberRecord, NodeName, Value } from './types.js'

export interface AgentCoreInit {
  /** This node's name. */
  name: NodeName
  /** Seeded generator for every random choice the core makes. */
  rng: Rng
  /** Incarnation to start with; the runtime passes one above any persisted before. @default 1 */
  incarnation?: number
  /** Last persisted HLC, so stamps never go backwards across restarts. @default 0 */
  hlc?: Hlc
  /** Protocol period. @default PROBE_INTERVAL_MS_DEFAULT */
  probeIntervalMs?: number
  /** Direct probe timeout. @default PROBE_TIMEOUT_MS_DEFAULT */
  probeTimeoutMs?: number
  /** Indirect probe helpers. @default INDIRECT_CHECKS_DEFAULT */
  indirectChecks?: number
  /** @default SUSPICION_MULT_DEFAULT */
  suspicionMult?: number
  /** @default SUSPICION_MAX_TIMEOUT_MULT_DEFAULT */
  suspicionMaxTimeoutMult?: number
  /** Lifeguard's k: confirmations that bring a suspicion to its shortest timeout. @default SUSPICION_CONFIRMATIONS_DEFAULT */
  suspicionConfirmations?: number
  /** @default AWARENESS_MAX_DEFAULT */
  awarenessMax?: number
  /** A wake-up later than this by more than asked counts as a stall of our own loop. @default STALL_THRESHOLD_MS_DEFAULT */
  stallThresholdMs?: number
  /** Heartbeat interval of a small cluster. @default HEARTBEAT_INTERVAL_MS_DEFAULT */
  heartbeatIntervalMs?: number
  /** Mesh-wide heartbeat budget. @default HEARTBEAT_MESH_RATE_PER_S_DEFAULT */
  heartbeatMeshRatePerS?: number
  /** Anti-entropy round period. @default SYNC_INTERVAL_MS_DEFAULT */
  syncIntervalMs?: number
  /** @default TOMBSTONE_GRACE_MS_DEFAULT */
  tombstoneGraceMs?: number
  /** @default HLC_DRIFT_MS_MAX_DEFAULT */
  hlcDriftMsMax?: number
  /** Ed25519 public keys (hex) whose admin events this agent accepts. @default [] */
  adminKeys?: string[]
  /** Ed25519 signature check for admin events. @default @noble/curves (the runtime passes node:crypto's) */
  verifyEd25519?: Ed25519Verify
  /** Interned node names; cores in one process may share one (the simulator does). @default a table of its own */
  names?: NameTable
  /** Time a node stays in Recovery after leaving maintenance before it reports itself Active. @default RECOVERY_SETTLE_MS_DEFAULT */
  recoverySettleMs?: number
  /** A drain not finished this long after its event was signed is reported failed (DrainFailed). @default DRAIN_DEADLINE_MS_DEFAULT */
  drainDeadlineMs?: number
}

export type Channel = 'membership' | 'heartbeat' | 'delta'

export type Input =
  | { kind: 'start', capabilities?: Capabilities, identity?: Value }
  | { kind: 'tick', telemetry?: TelemetrySample }
  | { kind: 'entries', source: 'gossip' | 'sync' | 'api', entries: readonly Entry[] }
  | { kind: 'sync-advance', versions: readonly OriginVersion[] }
  | { kind: 'probe-ack', probeId: number, rttMs?: number }
  | { kind: 'probe-failed', probeId: number }
  | { kind: 'indirect-ack', probeId: number }
  | { kind: 'indirect-nack', probeId: number }
  /**
   * The transport lost its last connection to a member (the runtime's
   * `connection:close`). A hint, not evidence: the member is probed out of
   * turn, and only a failed probe makes it suspect.
   */
  | { kind: 'peer-lost', name: NodeName }
  | { kind: 'write-own', field: string, value: Value }
  /** A host bridge recorded (or, with `value: null`, dropped) the snapshot `snapshot/<id>`. */
  | { kind: 'write-snapshot', id: string, value: Value }
  | { kind: 'admin-event', event: AdminEvent }
  | { kind: 'maintenance-done', eventId: string, ok: boolean }
  | { kind: 'leave' }

export type Effect =
  | { kind: 'persist', entries: Entry[], deletes: EntryKey[], versions: OriginVersion[], hlc: Hlc, incarnation: number }
  | { kind: 'publish', channel: Channel, entries: Entry[] }
  | { kind: 'probe', probeId: number, target: NodeName, timeoutMs: number }
  | { kind: 'probe-indirect', probeId: number, target: NodeName, helpers: NodeName[], timeoutMs: number }
  | { kind: 'sync', peers: NodeName[] }
  | { kind: 'member', name: NodeName, from: Liveness | undefined, to: Liveness, incarnation: number }
  | { kind: 'log', level: 'info' | 'warn', msg: string, fields: Record<string, Value> }
  | { kind: 'admin', event: AdminEvent, view: MaintenanceView }
  | { kind: 'maintenance', work: MaintenanceWork, eventId: string }
  | { kind: 'wake', atMonoMs: number }

type Phase = 'idle' | 'running' | 'left'

export interface CoreStats {
  applied: number
  duplicate: number
  stale: number
  rejected: number
  rejectedByReason: Record<string, number>
  stalls: number
  refutations: number
}

type Config = Required<Omit<AgentCoreInit, 'name' | 'rng' | 'incarnation' | 'hlc' | 'adminKeys' | 'verifyEd25519' | 'names'>>

function configFrom (init: AgentCoreInit): Config {
  return {
    probeIntervalMs: init.probeIntervalMs ?? C.PROBE_INTERVAL_MS_DEFAULT,
    probeTimeoutMs: init.probeTimeoutMs ?? C.PROBE_TIMEOUT_MS_DEFAULT,
    indirectChecks: init.indirectChecks ?? C.INDIRECT_CHECKS_DEFAULT,
    suspicionMult: init.suspicionMult ?? C.SUSPICION_MULT_DEFAULT,
    suspicionMaxTimeoutMult: init.suspicionMaxTimeoutMult ?? C.SUSPICION_MAX_TIMEOUT_MULT_DEFAULT,
    suspicionConfirmations: init.suspicionConfirmations ?? C.SUSPICION_CONFIRMATIONS_DEFAULT,
    awarenessMax: init.awarenessMax ?? C.AWARENESS_MAX_DEFAULT,
    stallThresholdMs: init.stallThresholdMs ?? C.STALL_THRESHOLD_MS_DEFAULT,
    heartbeatIntervalMs: init.heartbeatIntervalMs ?? C.HEARTBEAT_INTERVAL_MS_DEFAULT,
    heartbeatMeshRatePerS: init.heartbeatMeshRatePerS ?? C.HEARTBEAT_MESH_RATE_PER_S_DEFAULT,
    syncIntervalMs: init.syncIntervalMs ?? C.SYNC_INTERVAL_MS_DEFAULT,
    tombstoneGraceMs: init.tombstoneGraceMs ?? C.TOMBSTONE_GRACE_MS_DEFAULT,
    hlcDriftMsMax: init.hlcDriftMsMax ?? C.HLC_DRIFT_MS_MAX_DEFAULT,
    recoverySettleMs: init.recoverySettleMs ?? C.RECOVERY_SETTLE_MS_DEFAULT,
    drainDeadlineMs: init.drainDeadlineMs ?? C.DRAIN_DEADLINE_MS_DEFAULT
  }
}

function validateConfig (init: AgentCoreInit, cfg: Config): void {
  for (const [field, v] of Object.entries(cfg)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`AgentCoreInit.${field} must be a positive number, got ${String(v)}`)
  }
  if (cfg.probeTimeoutMs >= cfg.probeIntervalMs) throw new RangeError('AgentCoreInit.probeTimeoutMs must be shorter than probeIntervalMs')
  if (init.incarnation !== undefined && (!Number.isSafeInteger(init.incarnation) || init.incarnation < 0)) throw new RangeError('AgentCoreInit.incarnation must be a non-negative integer')
}

/** An empty list to start from: never pushed into (`AgentCore.persistEntry` starts a new one), so frozen. */
const NO_ENTRIES = Object.freeze([]) as unknown as Entry[]

/** The effects of a step that emits none: shared, so frozen (`AgentCore.emit` starts a new list). */
const NO_EFFECTS = Object.freeze([]) as unknown as Effect[]

/** The `deletes` of a persist effect that deletes nothing: shared, so frozen. */
const NO_DELETES = Object.freeze([]) as unknown as EntryKey[]

function channelOf (key: EntryKey): Channel {
  if (key.startsWith('member/')) return 'membership'
  if (key.startsWith('node/') && (key.endsWith('/heartbeat') || key.endsWith('/rtt'))) return 'heartbeat'
  return 'delta'
}

export class AgentCore {
  // The fields a step that takes in a gossiped write reads come first, together: at 10,000
  // simulated nodes each cache line of a core such a step touches is a miss. First what the step
  // produces so far, merged into as few effects as possible (see `drain`): fields of the core's
  // own, where a separate outbox object was one more miss per step.
  /**
   * Entries applied in this step, the newest of each key, in the order their
   * keys were first applied. Between steps (and in a step that applies
   * nothing) the shared empty list, not one of the core's own: an array left
   * from the last step would be a cache miss at the next.
   */
  private outPersist: Entry[] = NO_ENTRIES
  /** Whether `outEffects`, `outPublish` or `outDeletes` hold anything: most steps use none of them. */
  private outUsed = false
  private outPersistMeta = false
  /** Where each entry sits in `outPersist`; built only for a big step that applies a key twice. */
  private outPersistAt: Map<Entry, number> | undefined
  private wakeMonoMs: number | undefined
  /** This step may have moved a timer or made one due: run the timers and work out the next wake-up (see `step`). */
  private timersMoved = true
  private phase: Phase = 'idle'
  private maintenanceDirty = false
  readonly replica: Replica
  private readonly clock: HybridClock
  readonly name: NodeName
  private incarnationNow: number
  /** cfg.stallThresholdMs and cfg.hlcDriftMsMax, read by every step and every write taken in. */
  private readonly stallThresholdMs: number
  private readonly hlcDriftMsMax: number
  private applied = 0
  private duplicates = 0
  private stale = 0
  readonly members: MemberTable
  readonly admin: AdminLedger
  private readonly cfg: Config
  private readonly rng: Rng
  private readonly awareness: Awareness
  private prober: Prober | undefined
  private readonly suspicions = new SuspicionTimers()
  /** Accusations held back, and the verification pings of held first accusations (see membership/held-accusations.ts). */
  private readonly held: DueQueue<HeldAccusation>
  private readonly verifying: DueQueue<Verification>
  private nextVerifyId = -1
  private readonly heldMsMax: number
  private readonly ownValues = new Map<EntryKey, Value>()
  /**
   * Smoothed RTT of the last RTT_PEERS_MAX peers sampled, least recently
   * sampled first, as pairs: peer, then the estimate in hundredths of a
   * millisecond (it is kept to 0.01 ms). One small array of names and
   * integers: a Map that took a new peer with nearly every probe answer
   * and let the oldest go was its object, its table, a heap box per
   * fractional value, an iterator per eviction and a new table now and then.
   */
  private readonly rttList: (NodeName | number)[] = []
  private rttDirty = false
  /** The RTT map as last published (hundredths too), and how many heartbeats ago. */
  private rttPublished = new Map<NodeName, number>()
  private beatsSinceRtt = 0
  private lastOwnHlc: Hlc = 0
  private heartbeatSeq = 0
  private telemetry: TelemetrySample | undefined
  private nextHeartbeatMonoMs = 0
  private nextSyncMonoMs = 0
  private nextGcMonoMs = 0
  private readonly worker: MaintenanceWorker
  private workerWakeMonoMs: number | undefined
  // The rest of the step's output (what leaves in an effect is replaced, never reused). The
  // effects list is, like `outPersist`, the shared empty one between steps and new in a step that emits.
  private outEffects: Effect[] = NO_EFFECTS
  private outDeletes: EntryKey[] = []
  private readonly outPublish = new Map<Channel, Entry[]>()
  /** The counters of `stats` that are not in the fields above. */
  private readonly counts = { rejected: 0, rejectedByReason: {} as Record<string, number>, stalls: 0, refutations: 0 }

  constructor (init: AgentCoreInit) {
    this.cfg = configFrom(init)
    validateConfig(init, this.cfg)
    this.stallThresholdMs = this.cfg.stallThresholdMs
    this.hlcDriftMsMax = this.cfg.hlcDriftMsMax
    this.name = init.name
    this.rng = init.rng
    this.incarnationNow = init.incarnation ?? 1
    this.clock = new HybridClock(init.hlc ?? 0)
    this.awareness = new Awareness(this.cfg.awarenessMax)
    const names = init.names ?? new NameTable()
    this.replica = new Replica(names)
    this.members = new MemberTable(init.name, names)
    this.admin = new AdminLedger(init.adminKeys ?? [], this.replica, init.verifyEd25519)
    this.worker = new MaintenanceWorker(this.cfg)
    this.held = new DueQueue(Math.round(C.SUSPICION_HOLD_PERIODS * this.cfg.probeIntervalMs))
    this.verifying = new DueQueue(this.cfg.probeTimeoutMs)
    // An accuser holds an accusation for the hold and one ping; allow a period of slack, no more.
    this.heldMsMax = Math.round(C.SUSPICION_HOLD_PERIODS * this.cfg.probeIntervalMs) + this.cfg.probeTimeoutMs + this.cfg.probeIntervalMs
  }

  /** What the core has counted so far (a copy). */
  get stats (): CoreStats {
    const c = this.counts
    return { applied: this.applied, duplicate: this.duplicates, stale: this.stale, rejected: c.rejected, rejectedByReason: { ...c.rejectedByReason }, stalls: c.stalls, refutations: c.refutations }
  }

  get incarnation (): number {
    return this.incarnationNow
  }

  get health (): number {
    return this.awareness.health
  }

  get hlc (): Hlc {
    return this.clock.current
  }

  get lifecycle (): Phase {
    return this.phase
  }

  /**
   * Load persisted entries and versions before `start`. Restored entries are
   * trusted (they passed validation when they arrived) but still re-checked.
   * The time is not used (members no longer record when they changed); the
   * parameter stays so callers need not change.
   */
  restore (entries: Iterable<Entry>, versions: Iterable<OriginVersion>, monoMs: number): void {
    if (this.phase !== 'idle') throw new Error('restore must run before start')
    for (const v of versions) this.replica.restoreVersion(v)
    for (const e of entries) if (this.replica.merge(e).kind === 'applied') this.restored(e, monoMs)
    this.restoredClock()
  }

  /**
   * After a restore: the clock starts after the newest stamp the replica
   * knows of (every entry held and every version), the own write stamp after
   * the newest own one, and the maintenance worker looks again.
   */
  private restoredClock (newest = this.replica.newestStamp()): void {
    if (newest > this.clock.current) this.clock.observe(newest, 0)
    this.maintenanceDirty = true
    this.lastOwnHlc = Math.max(this.lastOwnHlc, this.replica.versionOf(this.name)[1])
  }

  /**
   * `restore` from another replica's whole state (one interning names in the
   * same table), copied instead of merged entry by entry: what the
   * simulator's formed fleets start from. The entries are trusted as
   * `restore` trusts stored ones.
   */
  restoreFrom (source: Replica, monoMs: number): void {
    if (this.phase !== 'idle') throw new Error('restore must run before start')
    this.replica.copyFrom(source)
    // What `restored` does with each entry, in the same order. Of the rows it reads only the member
    // records: any other row entry is its row node's own write, which needs nothing but the clock,
    // and the versions give that (a formed node holds tens of thousands of entries).
    const selfId = this.replica.names.find(this.name)
    this.replica.forEachMemberRecord((e, id) => {
      if (id !== selfId && isMemberRecord(e.value)) this.members.setId(id, e.value, this.rng)
    }, (e) => this.restored(e, monoMs))
    // The copy holds the source's versions: the source gives the newest stamp, reading its own column
    // in order, where the copy's entries may each be a line of their own (see VersionBank).
    this.restoredClock(source.newestStamp())
  }

  /** What `restore` does with an entry it merged. */
  private restored (e: Entry, _monoMs: number): void {
    const member = this.replica.memberOf(e.key)
    if (member !== undefined && member !== this.name && isMemberRecord(e.value)) this.members.set(member, e.value, this.rng)
    // Stored admin events were verified when they arrived.
    if (e.key.startsWith('admin/') && e.value !== null) this.admin.add(e.value as unknown as AdminEvent)
  }

  /**
   * Most steps take in a gossiped write that moves no timer, while no timer
   * is due: then `runTimers` would do nothing and `nextWake` would give the
   * wake-up it gave last time, so both are skipped (at 10,000 simulated
   * nodes they were a good part of a step: five more objects per node to
   * touch). Timers run when one is due (the last wake-up has come), after
   * any input but `entries` and `sync-advance`, and after entries that may
   * move one: member records (suspicions, refutations), and whatever marks
   * the maintenance worker dirty.
   */
  step (input: Input, at: Instant): Effect[] {
    this.resetOut()
    const wake = this.wakeMonoMs
    this.timersMoved = wake === undefined || at.monoMs >= wake || (input.kind !== 'entries' && input.kind !== 'sync-advance')
    if (this.phase === 'running') this.detectStall(at)
    this.handle(input, at)
    const retime = this.timersMoved || this.maintenanceDirty
    if (this.phase === 'running' && retime) this.runTimers(at)
    return this.drain(at, retime)
  }

  private handle (input: Input, at: Instant): void {
    switch (input.kind) {
      case 'start': return this.start(input.capabilities, input.identity, at)
      case 'tick':
        if (input.telemetry !== undefined) this.telemetry = input.telemetry
        return
      case 'entries': return this.receive(input.entries, at)
      case 'sync-advance':
        for (const [origin, upTo] of input.versions) this.replica.advance(origin, upTo)
        return
      case 'probe-ack':
        if (input.probeId < 0) return this.verificationAnswered(input.probeId, input.rttMs)
        return this.proberActions(this.prober?.onAck(input.probeId, input.rttMs) ?? [], at)
      case 'indirect-ack': return this.proberActions(this.prober?.onAck(input.probeId, undefined) ?? [], at)
      case 'probe-failed':
        if (input.probeId < 0) return this.verificationFailed(input.probeId, at)
        return this.proberActions(this.prober?.onDirectFailed(input.probeId, this.rng) ?? [], at)
      case 'indirect-nack': return this.proberActions(this.prober?.onNack(input.probeId) ?? [], at)
      case 'peer-lost': {
        const m = this.members.get(input.name)
        if (input.name === this.name || m === undefined || (m.status !== 'alive' && m.status !== 'suspect')) return
        this.prober?.urgentProbe(input.name, at.monoMs + this.rng.int(C.PEER_LOST_PROBE_SPREAD_MS))
        return
      }
      case 'write-own':
        if (this.phase !== 'running') return
        return this.writeOwn(input.field, input.value, at)
      case 'write-snapshot':
        // The key grammar and authority rules of entryRejection apply, as for any write.
        if (this.phase === 'running') this.write(`snapshot/${input.id}`, input.value, at)
        return
      case 'admin-event': {
        const reason = this.admin.check(input.event)
        if (reason !== undefined) return this.reject(reason)
        if (this.phase === 'running') this.write(`admin/${input.event.id}`, input.event as unknown as Value, at)
        return
      }
      case 'maintenance-done':
        this.worker.complete(input.eventId, input.ok)
        this.maintenanceDirty = true
        return
      case 'leave': return this.leave(at)
      default: {
        const never: never = input
        throw new Error(`unknown input ${JSON.stringify(never)}`)
      }
    }
  }

  private start (caps: Capabilities | undefined, identity: Value | undefined, at: Instant): void {
    if (this.phase !== 'idle') return
    this.phase = 'running'
    const mine = this.replica.get(memberKey(this.name))
    if (mine !== undefined && isMemberRecord(mine.value) && mine.value.incarnation >= this.incarnationNow) {
      this.incarnationNow = mine.value.incarnation + 1
    }
    this.outPersistMeta = true
    this.write(memberKey(this.name), { incarnation: this.incarnationNow, status: 'alive' }, at)
    if (caps !== undefined) this.writeOwn('caps', caps as unknown as Value, at)
    if (identity !== undefined) this.writeOwn('identity', identity, at)
    // Spread the first probe over one period so nodes started together do not probe in lockstep.
    this.prober = new Prober(this.cfg, this.members, this.awareness, at.monoMs + this.rng.int(this.cfg.probeIntervalMs))
    this.nextHeartbeatMonoMs = at.monoMs
    this.nextSyncMonoMs = at.monoMs + this.rng.int(Math.min(1000, this.cfg.syncIntervalMs))
    this.nextGcMonoMs = at.monoMs + C.TOMBSTONE_GC_INTERVAL_MS_DEFAULT
  }

  private leave (at: Instant): void {
    if (this.phase !== 'running') return
    // Leave first, then write: our own `left` must not look like an accusation to refute.
    this.phase = 'left'
    this.write(memberKey(this.name), { incarnation: this.incarnationNow, status: 'left' }, at)
    this.prober = undefined
    this.suspicions.clear()
    this.held.clear()
    this.verifying.clear()
  }

  /** Write one of this node's own `node/<name>/<field>` keys. */
  private writeOwn (field: string, value: Value, at: Instant): void {
    const key = nodeKey(this.name, field)
    this.ownValues.set(key, value)
    this.write(key, value, at)
  }

  private write (key: EntryKey, value: Value, at: Instant): void {
    const hlc = this.clock.tick(at.wallMs)
    const e: Entry = { key, value, hlc, origin: this.name, prev: this.lastOwnHlc }
    const reason = entryRejection(e)
    if (reason !== undefined) {
      this.reject(reason)
      this.emit({ kind: 'log', level: 'warn', msg: 'local write refused', fields: { key, reason } })
      return
    }
    this.lastOwnHlc = hlc
    this.apply(e, at, true)
  }

  private receive (entries: readonly Entry[], at: Instant): void {
    const horizon = at.wallMs + this.hlcDriftMsMax
    const many = entries.length >= C.RECEIVE_HASH_LATER_MIN
    if (many) this.replica.holdHashes()
    try {
      for (const e of entries) {
        if (hlcWallMs(e.hlc) > horizon) {
          this.reject('clock drift: stamp too far in the future')
          continue
        }
        this.apply(e, at, false)
      }
    } finally {
      if (many) this.replica.settleHashes()
    }
  }

  private reject (reason: string): void {
    const c = this.counts
    c.rejected++
    c.rejectedByReason[reason] = (c.rejectedByReason[reason] ?? 0) + 1
  }

  /** The one path every write takes, local or remote. */
  private apply (e: Entry, at: Instant, local: boolean): void {
    if (e.key.startsWith('admin/')) {
      // Verify a signature once: a copy of a write we already hold needs no second check.
      const held = this.replica.get(e.key)
      const reason = held !== undefined && held.hlc === e.hlc && held.origin === e.origin ? undefined : this.admin.rejection(e)
      if (reason !== undefined) {
        this.reject(reason)
        return
      }
    }
    const outcome = this.replica.merge(e)
    if (outcome.kind === 'rejected') {
      this.reject(outcome.reason)
      return
    }
    if (!local) this.clock.observe(e.hlc, at.wallMs)
    if (outcome.kind === 'applied') this.applied++
    else if (outcome.kind === 'duplicate') this.duplicates++
    else this.stale++
    if (outcome.kind === 'applied') {
      this.persistEntry(e, outcome.previous)
      if (local) this.publishEntry(channelOf(e.key), e)
    }
    // Merged, so a member key's name is interned (no -2).
    const member = this.replica.memberIdOf(e.key)
    if (member >= 0) {
      this.timersMoved = true
      this.onMemberWrite(member, e, at)
    } else if (!local && outcome.kind === 'applied' && e.origin === this.name) this.reassertOwn(e.key, at)
    if (e.key.startsWith('admin/')) this.onAdminEntry(e.key)
    else if (outcome.kind === 'applied' && e.key.endsWith('/maintenance')) {
      const owner = ownerOfKey(e.key)
      if (owner !== undefined) this.admin.invalidate(owner)
      if (owner === this.name) this.maintenanceDirty = true
    }
  }

  private onAdminEntry (key: EntryKey): void {
    const event = this.replica.get(key)?.value as unknown as AdminEvent | undefined
    if (event === undefined || event === null || !this.admin.add(event)) return
    this.emit({ kind: 'admin', event, view: this.admin.view(event.target) })
    if (event.target === this.name) this.maintenanceDirty = true
  }

  /** The maintenance view of a node, as every agent folds it. */
  maintenanceOf (node: NodeName): MaintenanceView {
    return this.admin.view(node)
  }

  /**
   * Let the maintenance worker act on our own state (see admin/worker.ts).
   * A report changes our view, which may call for the next step, so plan
   * again until nothing changes (bounded: a view has few steps).
   */
  private actOnMaintenance (at: Instant): void {
    const wakeDue = this.workerWakeMonoMs !== undefined && at.monoMs >= this.workerWakeMonoMs
    if (!this.maintenanceDirty && !wakeDue) return
    for (let round = 0; round < 4 && (this.maintenanceDirty || round === 0); round++) {
      this.maintenanceDirty = false
      const actions = this.worker.plan(this.admin.view(this.name), this.admin.reportsOf(this.name), (id) => this.admin.eventById(id), at)
      for (const a of actions) this.workerAction(a, at)
    }
    this.workerWakeMonoMs = this.worker.wakeMonoMs(at)
  }

  private workerAction (a: WorkerAction, at: Instant): void {
    switch (a.kind) {
      case 'work':
        this.emit({ kind: 'log', level: 'info', msg: `maintenance: ${a.work}`, fields: { event: a.eventId } })
        this.emit({ kind: 'maintenance', work: a.work, eventId: a.eventId })
        return
      case 'report':
        this.emit({ kind: 'log', level: a.phase === 'drain-failed' ? 'warn' : 'info', msg: `maintenance: reporting ${a.phase}`, fields: { event: a.eventId } })
        this.writeOwn('maintenance', this.admin.withReport(this.name, a.eventId, a.phase), at)
        return
      default: {
        const never: never = a
        throw new Error(`unknown worker action ${JSON.stringify(never)}`)
      }
    }
  }

  /**
   * A write of ours from an earlier life (stamped by a clock that ran ahead)
   * displaced our current value: write the current value again, newer.
   */
  private reassertOwn (key: EntryKey, at: Instant): void {
    if (this.phase !== 'running' || ownerOfKey(key) !== this.name) return
    const value = this.ownValues.get(key)
    if (value !== undefined) this.write(key, value, at)
  }

  /** A write to `member/<name>` merged; `id`: the name's id in the name table. */
  private onMemberWrite (id: number, e: Entry, at: Instant): void {
    const rec = e.value as unknown as MemberRecord
    const current = this.replica.get(e.key)?.value as unknown as MemberRecord
    const member = this.replica.names.nameOf(id)
    if (member === this.name) {
      this.members.setId(id, current, this.rng)
      if (this.phase === 'running' && current.status !== 'alive' && current.incarnation >= this.incarnationNow) this.refute(current, at)
      return
    }
    if (this.members.statusOfId(id) !== current.status || this.members.incarnationOfId(id) !== current.incarnation) {
      const from = this.members.setId(id, current, this.rng)
      if (from !== current.status) this.emit({ kind: 'member', name: member, from, to: current.status, incarnation: current.incarnation })
    }
    this.trackSuspicion(member, rec, e.origin, current, at)
  }

  private trackSuspicion (member: NodeName, rec: MemberRecord, accuser: NodeName, current: MemberRecord, at: Instant): void {
    if (current.status !== 'suspect' && this.suspicions.size === 0) return
    const existing = this.suspicions.get(member)
    if (current.status !== 'suspect') {
      if (existing !== undefined) this.suspicions.delete(member)
      return
    }
    if (existing !== undefined && existing.incarnation !== current.incarnation) this.suspicions.delete(member)
    if (rec.status !== 'suspect' || rec.incarnation !== current.incarnation || this.phase !== 'running') return
    if (this.suspicions.get(member) !== undefined) {
      this.suspicions.confirm(member, accuser)
      return
    }
    const n = this.members.clusterSize
    const minMs = suspicionMinMs(this.cfg.suspicionMult, n, this.cfg.probeIntervalMs, C.SUSPICION_MIN_PERIODS)
    this.suspicions.open(new Suspicion({
      target: member,
      incarnation: current.incarnation,
      accuser,
      // A held accusation started when its accuser's probe failed, not when it reached us.
      startMonoMs: at.monoMs - this.heldMsOf(rec),
      k: expectedConfirmations(this.cfg.suspicionConfirmations, n),
      minMs,
      maxMs: minMs * this.cfg.suspicionMaxTimeoutMult,
      spreadMs: this.rng.int(deadlineSpreadMs(n))
    }))
  }

  /** Someone suspects (or declared dead) us at our incarnation or later: raise it and say we are alive. */
  private refute (held: MemberRecord, at: Instant): void {
    this.incarnationNow = held.incarnation + 1
    this.counts.refutations++
    this.awareness.apply(1)
    this.outPersistMeta = true
    this.emit({ kind: 'log', level: 'warn', msg: 'refuting suspicion of self', fields: { status: held.status, incarnation: this.incarnationNow } })
    this.write(memberKey(this.name), { incarnation: this.incarnationNow, status: 'alive' }, at)
  }

  private proberActions (actions: ProberAction[], at: Instant): void {
    for (const a of actions) {
      switch (a.kind) {
        case 'probe':
        case 'probe-indirect':
          this.emit(a)
          break
        case 'suspect': {
          // A refused connection (the process is gone) is accused at once; silence and
          // confirmations are held back first (see membership/held-accusations.ts).
          const m = this.members.get(a.target)
          if (m === undefined) break
          if (m.status === 'alive' && a.refused) this.accuse(a.target, m.incarnation, 0, at)
          else if (m.status === 'alive' || (m.status === 'suspect' && this.confirmationCounts(a.target, m.incarnation))) {
            this.held.add({ target: a.target, incarnation: m.incarnation, failedAtMonoMs: at.monoMs }, at.monoMs)
          }
          break
        }
        case 'rtt':
          this.recordRtt(a.target, a.rttMs)
          break
        default: {
          const never: never = a
          throw new Error(`unknown prober action ${JSON.stringify(never)}`)
        }
      }
    }
  }

  /**
   * Would our accusation of `target` at `incarnation` shorten anyone's timeout? Not once the
   * suspicion we hold is confirmed enough (then we keep it to ourselves instead of adding one more
   * message to the mesh), nor when it counts us already (a second accusation from us is no
   * confirmation: during a partition every failed probe of a suspected node used to publish one).
   */
  private confirmationCounts (target: NodeName, incarnation: number): boolean {
    const held = this.suspicions.get(target)
    return held === undefined || held.incarnation !== incarnation || (!held.saturated && !held.accusedBy(this.name))
  }

  /** Publish our accusation of `target`; `heldMs` says how long ago our probe of it failed, if we held it back. */
  private accuse (target: NodeName, incarnation: number, heldMs: number, at: Instant): void {
    this.write(memberKey(target), heldMs > 0 ? { incarnation, status: 'suspect', heldMs } : { incarnation, status: 'suspect' }, at)
  }

  /**
   * A held accusation fell due. Someone else accuses the member by now: ours is a confirmation,
   * published if it still counts. Still alive to us: ping it once more before saying anything.
   */
  private heldDue (h: HeldAccusation, at: Instant): void {
    const m = this.members.get(h.target)
    if (m === undefined || m.incarnation !== h.incarnation) return
    if (m.status === 'suspect') {
      if (this.confirmationCounts(h.target, h.incarnation)) this.accuse(h.target, h.incarnation, 0, at)
      return
    }
    if (m.status !== 'alive') return
    const probeId = this.nextVerifyId--
    this.verifying.add({ ...h, probeId }, at.monoMs)
    this.emit({ kind: 'probe', probeId, target: h.target, timeoutMs: this.cfg.probeTimeoutMs })
  }

  private verificationOf (probeId: number): Verification | undefined {
    for (const v of this.verifying.values()) if (v.probeId === probeId) return v
    return undefined
  }

  /** The member answered the verification ping: it is fine, and nobody hears of our accusation. */
  private verificationAnswered (probeId: number, rttMs: number | undefined): void {
    const v = this.verificationOf(probeId)
    if (v === undefined) return
    this.verifying.delete(v.target)
    if (rttMs !== undefined) this.recordRtt(v.target, rttMs)
  }

  private verificationFailed (probeId: number, at: Instant): void {
    const v = this.verificationOf(probeId)
    if (v === undefined) return
    this.verifying.delete(v.target)
    this.unverified(v, at)
  }

  /** The verification ping failed or timed out: accuse, saying how long ago our first probe failed. */
  private unverified (v: Verification, at: Instant): void {
    const m = this.members.get(v.target)
    if (m === undefined || m.incarnation !== v.incarnation) return
    if (m.status === 'alive') this.accuse(v.target, v.incarnation, Math.max(1, at.monoMs - v.failedAtMonoMs), at)
    else if (m.status === 'suspect' && this.confirmationCounts(v.target, v.incarnation)) this.accuse(v.target, v.incarnation, 0, at)
  }

  /** How long ago an accuser's probe failed (`heldMs`), within what an honest accuser can have held it. */
  private heldMsOf (rec: MemberRecord): number {
    const held = (rec as MemberRecord & { heldMs?: unknown }).heldMs
    return typeof held === 'number' && Number.isFinite(held) ? Math.min(this.heldMsMax, Math.max(0, held)) : 0
  }

  private recordRtt (peer: NodeName, rttMs: number): void {
    const list = this.rttList
    const i = this.rttIndex(peer)
    const prev = i < 0 ? undefined : (list[i + 1] as number) / 100
    const next = prev === undefined ? rttMs : prev + C.RTT_EWMA_ALPHA * (rttMs - prev)
    // Move it to the end (most recently sampled), then let the least recently sampled go.
    if (i >= 0) list.splice(i, 2)
    list.push(peer, Math.round(next * 100))
    if (list.length > 2 * C.RTT_PEERS_MAX) list.splice(0, 2)
    this.rttDirty = true
  }

  /** Smoothed RTT to a peer this node probed, in ms. */
  rttTo (peer: NodeName): number | undefined {
    const i = this.rttIndex(peer)
    return i < 0 ? undefined : (this.rttList[i + 1] as number) / 100
  }

  /** Where the peer's pair starts in `rttList`, or -1. */
  private rttIndex (peer: NodeName): number {
    const list = this.rttList
    for (let i = 0; i < list.length; i += 2) if (list[i] === peer) return i
    return -1
  }

  /** The RTT estimates as [peer, hundredths of a ms] pairs, least recently sampled first. */
  private rttPairs (): [NodeName, number][] {
    const out: [NodeName, number][] = []
    const list = this.rttList
    for (let i = 0; i < list.length; i += 2) out.push([list[i] as NodeName, list[i + 1] as number])
    return out
  }

  /**
   * Lifeguard: if we wake up much later than we asked, our own event loop
   * stalled. Time spent stalled is not evidence against anyone: drop the
   * probe in flight, push suspicion deadlines back by the stall so queued
   * refutations get processed first, and count the stall against our health.
   */
  private detectStall (at: Instant): void {
    const wake = this.wakeMonoMs
    if (wake === undefined) return
    const lagMs = at.monoMs - wake
    if (lagMs <= this.stallThresholdMs) return
    this.counts.stalls++
    this.awareness.apply(1)
    this.prober?.onStall(at.monoMs)
    this.suspicions.postponeAll(lagMs)
    // Timers run before the messages that queued up during the stall: a held accusation due now
    // would go out before a refutation or a ping answer waiting behind the stall is read. Drop them.
    this.held.clear()
    this.verifying.clear()
    this.emit({ kind: 'log', level: 'warn', msg: 'own event loop stalled; not counting it against peers', fields: { lagMs, health: this.awareness.health } })
  }

  private runTimers (at: Instant): void {
    const now = at.monoMs
    if (this.prober !== undefined) this.proberActions(this.prober.onTimer(now, this.rng), at)
    if (this.held.size > 0) for (const h of this.held.takeDue(now)) this.heldDue(h, at)
    if (this.verifying.size > 0) for (const v of this.verifying.takeDue(now)) this.unverified(v, at)
    for (const s of this.suspicions.takeExpired(now)) {
      const target = s.target
      const m = this.members.get(target)
      if (m !== undefined && m.status === 'suspect' && m.incarnation === s.incarnation) {
        this.write(memberKey(target), { incarnation: s.incarnation, status: 'dead' }, at)
      }
    }
    this.actOnMaintenance(at)
    if (now >= this.nextHeartbeatMonoMs) this.beat(at)
    if (now >= this.nextSyncMonoMs) {
      this.nextSyncMonoMs = now + jittered(this.cfg.syncIntervalMs, this.rng)
      // Draw a few extra and keep the alive ones: O(peers), not O(N), per round.
      const count = this.syncPeerCount()
      const peers = this.members.sampleOthers(count + 2, this.rng).filter((n) => this.members.statusOf(n) === 'alive').slice(0, count)
      // Like Serf's reconnect: also try one member we believe dead, so two sides
      // of a healed partition (each thinking the other dead) find each other again.
      const dead = this.members.randomDead(this.rng)
      if (dead !== undefined) peers.push(dead)
      if (peers.length > 0) this.emit({ kind: 'sync', peers })
    }
    if (now >= this.nextGcMonoMs) {
      this.nextGcMonoMs = now + C.TOMBSTONE_GC_INTERVAL_MS_DEFAULT
      for (const key of this.replica.collectTombstones(at.wallMs, this.cfg.tombstoneGraceMs)) this.deleteKey(key)
    }
  }

  /** Repair partners per round: clamp(N / 100, 3, 10), as Corrosion pulls. */
  syncPeerCount (): number {
    return Math.min(C.SYNC_PEERS_MAX, Math.max(C.SYNC_PEERS_MIN, Math.ceil(this.members.clusterSize / 100)))
  }

  /** The heartbeat interval this node uses now (see telemetry.ts for the rule). */
  heartbeatIntervalMs (): number {
    return heartbeatIntervalMs(this.members.clusterSize, this.cfg.heartbeatIntervalMs, this.cfg.heartbeatMeshRatePerS)
  }

  private beat (at: Instant): void {
    const intervalMs = this.heartbeatIntervalMs()
    this.nextHeartbeatMonoMs = at.monoMs + jittered(intervalMs, this.rng)
    if (this.telemetry !== undefined) {
      this.heartbeatSeq++
      this.writeOwn('heartbeat', heartbeatValue(this.telemetry, this.incarnationNow, this.heartbeatSeq, intervalMs), at)
    }
    this.beatsSinceRtt++
    if (this.rttDirty && this.rttWorthPublishing()) {
      this.rttDirty = false
      this.beatsSinceRtt = 0
      const pairs = this.rttPairs()
      this.rttPublished = new Map(pairs)
      this.writeOwn('rtt', Object.fromEntries(pairs.map(([peer, held]) => [peer, held / 100])), at)
    }
  }

  /**
   * RTT estimates move a little with every probe; republishing the whole map
   * with every heartbeat doubled what each heartbeat cost the mesh. Publish
   * when a peer came or went, when an estimate moved by more than
   * RTT_PUBLISH_CHANGE_RATIO (and RTT_PUBLISH_CHANGE_MS), or at least every
   * RTT_PUBLISH_BEATS_MAX heartbeats.
   */
  private rttWorthPublishing (): boolean {
    if (this.beatsSinceRtt >= C.RTT_PUBLISH_BEATS_MAX || this.rttList.length / 2 !== this.rttPublished.size) return true
    const list = this.rttList
    for (let i = 0; i < list.length; i += 2) {
      const peer = list[i] as NodeName
      const held = list[i + 1] as number
      const published = this.rttPublished.get(peer)
      if (published === undefined) return true
      const was = published / 100
      const delta = Math.abs(held / 100 - was)
      if (delta > C.RTT_PUBLISH_CHANGE_MS && delta > was * C.RTT_PUBLISH_CHANGE_RATIO) return true
    }
    return false
  }

  private nextWake (): number | undefined {
    if (this.phase !== 'running') return undefined
    let t = Math.min(this.nextHeartbeatMonoMs, this.nextSyncMonoMs, this.nextGcMonoMs)
    if (this.prober !== undefined) t = Math.min(t, this.prober.wakeMonoMs)
    const heldMs = this.held.nextDueMonoMs()
    if (heldMs !== undefined) t = Math.min(t, heldMs)
    const verifyMs = this.verifying.nextDueMonoMs()
    if (verifyMs !== undefined) t = Math.min(t, verifyMs)
    const suspicionMs = this.suspicions.nextDeadlineMonoMs()
    if (suspicionMs !== undefined) t = Math.min(t, suspicionMs)
    if (this.workerWakeMonoMs !== undefined) t = Math.min(t, this.workerWakeMonoMs)
    return t
  }

  private emit (e: Effect): void {
    this.outUsed = true
    if (this.outEffects.length === 0) this.outEffects = [e]
    else this.outEffects.push(e)
  }

  private deleteKey (key: EntryKey): void {
    this.outUsed = true
    this.outDeletes.push(key)
  }

  /**
   * An applied write, which replaced `previous`. If that was applied in this
   * step too, the newer one takes its place (one entry per key, as a Map
   * keyed by key would keep them, without a Map per step: a step that takes
   * in a whole fleet's state applies thousands of writes).
   */
  private persistEntry (e: Entry, previous: Entry | undefined): void {
    const i = previous === undefined ? -1 : this.persistIndex(previous)
    if (i < 0) {
      this.outPersistAt?.set(e, this.outPersist.length)
      // A step's first entry starts a new array: the empty one is shared (and see Replica.rehash for why a list is not refilled).
      if (this.outPersist.length === 0) this.outPersist = [e]
      else this.outPersist.push(e)
      return
    }
    this.outPersist[i] = e
    if (this.outPersistAt !== undefined) {
      this.outPersistAt.delete(previous as Entry)
      this.outPersistAt.set(e, i)
    }
  }

  private persistIndex (e: Entry): number {
    const list = this.outPersist
    if (this.outPersistAt === undefined) {
      if (list.length <= 32) return list.lastIndexOf(e)
      this.outPersistAt = new Map()
      for (let i = 0; i < list.length; i++) this.outPersistAt.set(list[i] as Entry, i)
    }
    return this.outPersistAt.get(e) ?? -1
  }

  private publishEntry (channel: Channel, e: Entry): void {
    this.outUsed = true
    let list = this.outPublish.get(channel)
    if (list === undefined) this.outPublish.set(channel, list = [])
    list.push(e)
  }

  /** Empty the step's output (`drain` took what it holds). */
  private resetOut (): void {
    if (this.outUsed) {
      if (this.outEffects.length > 0) this.outEffects = NO_EFFECTS
      if (this.outDeletes.length > 0) this.outDeletes = []
      if (this.outPublish.size > 0) this.outPublish.clear()
      this.outUsed = false
    }
    if (this.outPersist.length > 0) this.outPersist = NO_ENTRIES
    this.outPersistAt = undefined
    this.outPersistMeta = false
  }

  private drain (at: Instant, retime: boolean): Effect[] {
    const effects: Effect[] = []
    const deletes = this.outUsed && this.outDeletes.length > 0
    if (this.outPersist.length > 0 || deletes || this.outPersistMeta) {
      effects.push({ kind: 'persist', entries: this.outPersist, deletes: deletes ? this.outDeletes : NO_DELETES, versions: this.replica.takeDirtyVersions(), hlc: this.clock.current, incarnation: this.incarnationNow })
      if (deletes) this.outDeletes = []
    }
    if (this.outUsed) {
      for (const [channel, entries] of this.outPublish) effects.push({ kind: 'publish', channel, entries })
      for (const e of this.outEffects) effects.push(e)
    }
    this.resetOut()
    if (retime) this.wakeMonoMs = this.nextWake()
    if (this.wakeMonoMs !== undefined) effects.push({ kind: 'wake', atMonoMs: Math.max(this.wakeMonoMs, at.monoMs) })
    return effects
  }

  // Anti-entropy: the runtime calls these while it runs a round over a stream.

  syncHello (): SyncHello {
    return syncHello(this.replica, this.replica.originCount)
  }

  /** R: versions (empty when the states agree) or the fine digest under the top buckets that differ. */
  syncAnswer (hello: SyncHello): SyncAnswer {
    return syncAnswer(this.replica, hello)
  }

  /** Q, after a digest: the fine buckets that differ (empty: nothing to do). */
  syncWant (digest: SyncDigest): SyncWant {
    return syncWant(this.replica, digest)
  }

  /** R: its versions in the fine buckets Q wants. */
  syncWanted (want: SyncWant): SyncVersions {
    return syncWanted(this.replica, want)
  }

  syncPush (v: SyncVersions): SyncPush {
    return syncPush(this.replica, v)
  }

  syncDelta (push: SyncPush): SyncDelta {
    return syncDelta(this.replica, push)
  }
}
