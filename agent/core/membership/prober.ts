/**
 * The SWIM failure detector's probe loop, as memberlist runs it: each protocol
 * period probe one member directly; if no ack arrives within the probe
 * timeout, ask k other members to probe it indirectly; if no ack (direct or
 * indirect) arrives by the end of the period, suspect it. Lifeguard's local
 * health scales both the period and the timeout, and missing nacks from
 * helpers count against our own health rather than the target's.
 *
 * Besides its schedule, the prober takes urgent targets: members whose
 * transport connection just closed (a killed process's kernel closes its
 * sockets at once). Those are probed next, out of turn, so a crash is
 * suspected within milliseconds instead of whenever the round-robin reaches
 * it. A closed connection is only a hint: the probe decides, so a member
 * whose connection closed for a benign reason simply answers it.
 *
 * The prober decides; the runtime carries out the probes and reports acks.
 */
import type { Awareness } from './awareness.js'
import type { MemberTable } from './member-table.js'
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
  /** `refused`: the direct probe failed outright (connection refused: the process is gone), not by a timeout. */
  | { kind: 'suspect', target: NodeName, refused: boolean }
  | { kind: 'rtt', target: NodeName, rttMs: number }

interface Probe {
  id: number
  target: NodeName
  phase: 'direct' | 'indirect'
  directDeadlineMonoMs: number
  periodEndMonoMs: number
  helpers: NodeName[]
  nacks: number
  refused: boolean
}

export class Prober {
  private readonly init: ProberInit
  private readonly table: MemberTable
  private readonly awareness: Awareness
  private probe: Probe | undefined
  private nextProbeMonoMs: number
  private nextId = 1
  /**
   * Members to probe out of turn, in order, each with the earliest time to
   * start; undefined when there are none (nearly always: every timer step
   * asks, and an empty Map is one more object to read).
   */
  private urgent: Map<NodeName, number> | undefined

  constructor (init: ProberInit, table: MemberTable, awareness: Awareness, startMonoMs: number) {
    this.init = init
    this.table = table
    this.awareness = awareness
    this.nextProbeMonoMs = startMonoMs
  }

  /** The next time the prober needs to run. */
  get wakeMonoMs (): number {
    const p = this.probe
    if (p === undefined) return Math.min(this.nextProbeMonoMs, this.urgentDueMonoMs())
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
    if (this.probe === undefined && nowMonoMs >= this.urgentDueMonoMs()) this.startProbe(nowMonoMs, rng, out, this.takeUrgent(nowMonoMs))
    if (this.probe === undefined && nowMonoMs >= this.nextProbeMonoMs) this.startProbe(nowMonoMs, rng, out, undefined)
    return out
  }

  /**
   * Probe `target` out of turn, no earlier than `notBeforeMonoMs` (the caller
   * spreads a herd of probers that all saw the same connection close).
   */
  urgentProbe (target: NodeName, notBeforeMonoMs: number): void {
    if (this.probe?.target === target || this.urgent?.has(target) === true) return
    this.urgent ??= new Map()
    this.urgent.set(target, notBeforeMonoMs)
  }

  private urgentDueMonoMs (): number {
    if (this.urgent === undefined) return Infinity
    let t = Infinity
    for (const at of this.urgent.values()) t = Math.min(t, at)
    return t
  }

  /** The first urgent target that is due and still worth probing. */
  private takeUrgent (nowMonoMs: number): NodeName | undefined {
    const urgent = this.urgent
    if (urgent === undefined) return undefined
    let found: NodeName | undefined
    for (const [target, at] of urgent) {
      if (at > nowMonoMs) continue
      urgent.delete(target)
      if (this.table.isProbeable(target)) {
        found = target
        break
      }
    }
    if (urgent.size === 0) this.urgent = undefined
    return found
  }

  /**
   * Start a probe of `urgentTarget`, or of the next member in round-robin
   * order. An urgent probe does not move the schedule: the next scheduled
   * probe still starts one period after the last scheduled one.
   */
  private startProbe (nowMonoMs: number, rng: Rng, out: ProberAction[], urgentTarget: NodeName | undefined): void {
    const periodMs = this.awareness.scale(this.init.probeIntervalMs)
    if (urgentTarget === undefined) this.nextProbeMonoMs = nowMonoMs + periodMs
    const target = urgentTarget ?? this.table.nextProbeTarget(rng)
    if (target === undefined) return
    const timeoutMs = this.awareness.scale(this.init.probeTimeoutMs)
    const id = this.nextId++
    this.probe = { id, target, phase: 'direct', directDeadlineMonoMs: nowMonoMs + timeoutMs, periodEndMonoMs: nowMonoMs + periodMs, helpers: [], nacks: 0, refused: false }
    out.push({ kind: 'probe', probeId: id, target, timeoutMs })
  }

  private goIndirect (p: Probe, rng: Rng, out: ProberAction[]): void {
    p.phase = 'indirect'
    p.helpers = this.table.sampleOthers(this.init.indirectChecks, rng, p.target)
    if (p.helpers.length === 0) return
    out.push({ kind: 'probe-indirect', probeId: p.id, target: p.target, helpers: p.helpers, timeoutMs: Math.max(1, Math.ceil(p.periodEndMonoMs - p.directDeadlineMonoMs)) })
  }

  private finishFailed (p: Probe, out: ProberAction[]): void {
    this.probe = undefined
    // Lifeguard: helpers that could not reach the target say so (nack). Missing
    // nacks mean our own messages are not getting through, so we are the suspect one.
    const expected = p.helpers.length
    this.awareness.apply(expected > 0 ? expected - p.nacks : 1)
    out.push({ kind: 'suspect', target: p.target, refused: p.refused })
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
    p.refused = true
    const out: ProberAction[] = []
    this.goIndirect(p, rng, out)
    return out
  }

  /**
   * A helper could not reach the target either. When every helper says so
   * (and our own probe failed), waiting out the period adds nothing: suspect now.
   */
  onNack (probeId: number): ProberAction[] {
    const p = this.probe
    if (p === undefined || p.id !== probeId || p.phase !== 'indirect') return []
    p.nacks++
    if (p.nacks < p.helpers.length) return []
    const out: ProberAction[] = []
    this.finishFailed(p, out)
    return out
  }

  /**
   * Our own event loop stalled: whatever timed out during the stall says
   * nothing about the target. Drop the probe in flight and start afresh.
   */
  onStall (nowMonoMs: number): void {
    this.probe = undefined
    this.urgent = undefined
    this.nextProbeMonoMs = nowMonoMs + this.awareness.scale(this.init.probeIntervalMs)
  }
}
