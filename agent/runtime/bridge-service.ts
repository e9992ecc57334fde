/**
 * The host side of the bridge: serves `/hauki-mesh/bridge/1.0.0` on agents
 * started with `--role host`, runs requests through the host-bridge
 * executor, and records what happened. A cleared pre-flight is written as a
 * replicated `snapshot/<id>` entry (so every agent and every recorder's
 * `snapshots/` sees it, and gossip announces it), logged, and added to the
 * events (`GET /v1/events`, the recorder's `events/`) before the answer
 * leaves. The caller's identity comes from the Noise-authenticated
 * connection, never from the request.
 */
import type { Connection, Stream } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { Bridge, Caller } from '../../host-bridge/index.js'
import { checkSnapshot, snapshotId } from '../../host-bridge/index.js'
import { BRIDGE_DEADLINE_MS_MAX, BRIDGE_FRAME_BYTES_MAX, BRIDGE_PROTOCOL, decodeBridgeRequest, encodeBridgeAnswer } from '../../protocols/index.js'
import type { BridgeOutcome, BridgeRequest } from '../../protocols/index.js'
import type { Value } from '../core/index.js'
import type { AgentRuntime } from './agent.js'
import { runBarrier } from './barrier.js'
import { BARRIER_DEADLINE_MS_DEFAULT, BRIDGE_INBOUND_STREAMS_MAX, BRIDGE_PRUNE_DELAY_MS, BRIDGE_REQUEST_TIMEOUT_MS } from './constants.js'
import { respondOnce } from './stream-rpc.js'

/** Bridge services by runtime, so the API and the client find the local one without a field on AgentRuntime. */
const services = new WeakMap<AgentRuntime, BridgeService>()

export function bridgeServiceOf (rt: AgentRuntime): BridgeService | undefined {
  return services.get(rt)
}

export class BridgeService {
  readonly bridge: Bridge
  private readonly rt: AgentRuntime
  private readonly logger: Logger
  private readonly pruneTimers = new Map<string, NodeJS.Timeout>()

  constructor (rt: AgentRuntime, bridge: Bridge, log: Logger) {
    this.rt = rt
    this.bridge = bridge
    this.logger = log
  }

  async start (): Promise<void> {
    services.set(this.rt, this)
    await this.rt.node.handle(BRIDGE_PROTOCOL, (data) => { void this.handle(data.stream, data.connection) }, { maxInboundStreams: BRIDGE_INBOUND_STREAMS_MAX })
  }

  private async handle (stream: Stream, conn: Connection): Promise<void> {
    const peerId = conn.remotePeer.toString()
    try {
      await respondOnce(stream, BRIDGE_FRAME_BYTES_MAX, async (bytes) => {
        const req = decodeBridgeRequest(bytes)
        if (!req.ok) {
          this.rt.counters.rejected('bridge', req.reason)
          return encodeBridgeAnswer({ t: 'answer', id: 0, status: 'denied', reason: `invalid request: ${req.reason}` })
        }
        const node = this.rt.nameOf(peerId)
        const outcome = node === undefined
          ? { status: 'denied' as const, reason: `caller ${peerId} is not a known member of the mesh` }
          : await this.execute(req.value, { node, peerId })
        return encodeBridgeAnswer({ ...outcome, t: 'answer', id: req.value.id })
      }, { signal: AbortSignal.timeout(BRIDGE_REQUEST_TIMEOUT_MS + BRIDGE_DEADLINE_MS_MAX) })
    } catch (err) {
      this.rt.counters.rejected('bridge', (err as Error).name)
      stream.abort(err as Error)
    }
  }

  /** Run one request for `caller`; the outcome is recorded before it is returned. */
  async execute (req: BridgeRequest, caller: Caller, options?: { signal?: AbortSignal }): Promise<BridgeOutcome> {
    const ex = this.bridge.executor
    let out: BridgeOutcome
    switch (req.t) {
      case 'preflight': {
        const deadlineMs = req.deadlineMs ?? BARRIER_DEADLINE_MS_DEFAULT
        out = await ex.preflight({ caller, intent: req.intent, dataset: req.dataset, critical: req.critical, barrier: async () => await runBarrier(this.rt, deadlineMs) }, options)
        if (out.status === 'cleared') this.recordPreflight(out, req, caller)
        break
      }
      case 'release':
        out = await ex.release(caller, req.snapshot, options)
        if (out.status === 'released') this.markReleased(out.snapshot, caller)
        break
      case 'rollback':
        out = await ex.rollback(caller, req.snapshot, req.destroyNewer, options)
        if (out.status === 'rolled-back') {
          for (const s of out.destroyed) this.rt.input({ kind: 'write-snapshot', id: snapshotId(s), value: null })
          this.rt.noteEvent('snapshot:rollback', out.snapshot, { caller: caller.node, destroyed: out.destroyed.length })
        }
        break
      case 'clone':
        out = await ex.clone(caller, req.from, req.name, options)
        if (out.status === 'provisioned') this.rt.noteEvent('container:provisioned', out.container, { caller: caller.node, dataset: out.dataset, from: req.from, ms: out.ms })
        break
      case 'list':
        out = await ex.list(caller, req.dataset, options)
        break
      default: {
        const never: never = req
        throw new Error(`unhandled bridge request ${JSON.stringify(never)}`)
      }
    }
    this.log(req, caller, out)
    return out
  }

  private recordPreflight (out: Extract<BridgeOutcome, { status: 'cleared' }>, req: Extract<BridgeRequest, { t: 'preflight' }>, caller: Caller): void {
    const { dataset } = checkSnapshot(out.snapshot)
    const value: Record<string, Value> = {
      snapshot: out.snapshot,
      dataset,
      node: caller.node,
      host: this.rt.name,
      intent: req.intent,
      createdAt: new Date().toISOString(),
      held: true,
      critical: req.critical === true
    }
    if (out.acked !== undefined) value.acked = out.acked
    if (out.notAcked !== undefined) value.notAcked = out.notAcked
    this.rt.input({ kind: 'write-snapshot', id: snapshotId(out.snapshot), value })
    this.rt.noteEvent('snapshot:taken', out.snapshot, { caller: caller.node, intent: req.intent, critical: req.critical === true ? 1 : 0 })
    // Retention follows pre-flights, so a busy container cannot fill the pool, but at most once per
    // BRIDGE_PRUNE_DELAY_MS per dataset: a prune queued behind every answer would slow the next pre-flight.
    if (!this.pruneTimers.has(dataset)) {
      const timer = setTimeout(() => {
        this.pruneTimers.delete(dataset)
        void this.prune(dataset, caller)
      }, BRIDGE_PRUNE_DELAY_MS)
      timer.unref()
      this.pruneTimers.set(dataset, timer)
    }
  }

  private async prune (dataset: string, caller: Caller): Promise<void> {
    try {
      const { destroyed } = await this.bridge.executor.prune(dataset)
      for (const s of destroyed) {
        this.rt.input({ kind: 'write-snapshot', id: snapshotId(s), value: null })
        this.rt.noteEvent('snapshot:pruned', s, { host: this.rt.name })
      }
    } catch (err) {
      this.rt.counters.inc('bridge_prune_errors_total')
      this.log({ t: 'list', id: 0, dataset }, caller, { status: 'denied', reason: `prune failed: ${(err as Error).message}` })
    }
  }

  private markReleased (snapshot: string, caller: Caller): void {
    const e = this.rt.core.replica.get(`snapshot/${snapshotId(snapshot)}`)
    if (e !== undefined && e.value !== null && typeof e.value === 'object' && !Array.isArray(e.value)) {
      this.rt.input({ kind: 'write-snapshot', id: snapshotId(snapshot), value: { ...e.value, held: false, releasedAt: new Date().toISOString() } })
    }
    this.rt.noteEvent('snapshot:released', snapshot, { caller: caller.node })
  }

  private log (req: BridgeRequest, caller: Caller, out: BridgeOutcome): void {
    this.rt.counters.inc(`bridge_requests_total{op="${req.t}",status="${out.status}"}`)
    const log = this.logger
    const fields = { op: req.t, caller: caller.node, peer: caller.peerId, ...out }
    if (out.status === 'denied') log.warn(fields, `bridge:${req.t} denied`)
    else log.info(fields, `bridge:${req.t} ${out.status}`)
  }
}
