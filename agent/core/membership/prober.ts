/**
 * The SWIM failure detector's probe loop, as memberlist runs it: each protocol
 * period probe one member directly; if no ack arrives within the probe
 * timeout, ask k other members to probe it indirectly; if no ack (direct or
 * indirect) arrives by the end of the period, suspect it. Lifeguard's local
 * health scales both the period and the timeout, and missing nacks from
 * helpers count against our own health rather than the target's.
 *
 * The prober decides; the runtime carries out the probes and reports acks.
 */
import type { Awareness } from './awareness.js'
import type { MemberTable } from './member-table.js'
import { sample } from '../rng.js'
import type { Rng } from '../rng.js'
import type { NodeName } from '../types.js'

export interface ProberInit {
  probeIntervalMs: number
  probeTimeoutMs: number
  indirectChecks: number
}

export type ProberAction =
  | { kind: 'probe', probeId: number, target: NodeName, timeoutMs: number }
  | { kind: 'probe-indirect', probeId: number, target: NodeName, helpers: NodeName[], timeoutMs: number }
  | { kind: 'suspect', target: NodeName }
  | { kind: 'rtt', target: NodeName, rttMs: number }

interface Probe {
  id: number
  target: NodeName
  phase: 'direct' | 'indirect'
  directDeadlineMonoMs: number
  periodEndMonoMs: number
  helpers: NodeName[]
  nacks: number
}

export class Prober {
  private readonly init: ProberInit
  private readonly table: MemberTable
  private readonly awareness: Awareness
  private probe: Probe | undefined
  private nextProbeMonoMs: number
  private nextId = 1

  constructor (init: ProberInit, table: MemberTable, awareness: Awareness, startMonoMs: number) {
    this.init = init
    this.table = table
    this.awareness = awareness
    this.nextProbeMonoMs = startMonoMs
  }

  /** The next time the prober needs to run. */
  get wakeMonoMs (): number {
    const p = this.probe
    if (p === undefined) return this.nextProbeMonoMs
    return Math.min(p.phase === 'direct' ? p.directDeadlineMonoMs : p.periodEndMonoMs, p.periodEndMonoMs)
  }

  get inFlight (): { target: NodeName, phase: 'direct' | 'indirect' } | undefined {
    return this.probe === undefined ? undefined : { target: this.probe.target, phase: this.probe.phase }
  }

  onTimer (nowMonoMs: number, rng: Rng): ProberAction[] {
    const out: ProberAction[] = []
    const p = this.probe
    if (p !== undefined && p.phase === 'direct' && nowMonoMs >= p.directDeadlineMonoMs) this.goIndirect(p, rng, out)
    if (p !== undefined && nowMonoMs >= p.periodEndMonoMs) this.finishFailed(p, out)
    if (this.probe === undefined && nowMonoMs >= this.nextProbeMonoMs) this.startProbe(nowMonoMs, rng, out)
    return out
  }

  private startProbe (nowMonoMs: number, rng: Rng, out: ProberAction[]): void {
    const periodMs = this.awareness.scale(this.init.probeIntervalMs)
    this.nextProbeMonoMs = nowMonoMs + periodMs
    const target = this.table.nextProbeTarget(rng)
    if (target === undefined) return
    const timeoutMs = this.awareness.scale(this.init.probeTimeoutMs)
    const id = this.nextId++
    this.probe = { id, target, phase: 'direct', directDeadlineMonoMs: nowMonoMs + timeoutMs, periodEndMonoMs: nowMonoMs + periodMs, helpers: [], nacks: 0 }
    out.push({ kind: 'probe', probeId: id, target, timeoutMs })
  }

  private goIndirect (p: Probe, rng: Rng, out: ProberAction[]): void {
    p.phase = 'indirect'
    const candidates = this.table.others.filter((n) => n !== p.target)
    p.helpers = sample(candidates, this.init.indirectChecks, rng)
    if (p.helpers.length === 0) return
    out.push({ kind: 'probe-indirect', probeId: p.id, target: p.target, helpers: p.helpers, timeoutMs: Math.max(1, Math.ceil(p.periodEndMonoMs - p.directDeadlineMonoMs)) })
  }

  private finishFailed (p: Probe, out: ProberAction[]): void {
    this.probe = undefined
    // Lifeguard: helpers that could not reach the target say so (nack). Missing
    // nacks mean our own messages are not getting through, so we are the suspect one.
    const expected = p.helpers.length
    this.awareness.apply(expected > 0 ? expected - p.nacks : 1)
    out.push({ kind: 'suspect', target: p.target })
  }

  /** A direct probe was answered. */
  onAck (probeId: number, rttMs: number | undefined): ProberAction[] {
    const p = this.probe
    if (p === undefined || p.id !== probeId) return []
    this.probe = undefined
    this.awareness.apply(-1)
    return rttMs === undefined ? [] : [{ kind: 'rtt', target: p.target, rttMs }]
  }

  /** The direct probe failed before its timeout (e.g. no route): go indirect now. */
  onDirectFailed (probeId: number, rng: Rng): ProberAction[] {
    const p = this.probe
    if (p === undefined || p.id !== probeId || p.phase !== 'direct') return []
    const out: ProberAction[] = []
    this.goIndirect(p, rng, out)
    return out
  }

  onNack (probeId: number): void {
    const p = this.probe
    if (p !== undefined && p.id === probeId) p.nacks++
  }

  /**
   * Our own event loop stalled: whatever timed out during the stall says
   * nothing about the target. Drop the probe in flight and start afresh.
   */
  onStall (nowMonoMs: number): void {
    this.probe = undefined
    this.nextProbeMonoMs = nowMonoMs + this.awareness.scale(this.init.probeIntervalMs)
  }
}
