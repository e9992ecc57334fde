/**
 * The maintenance worker: what a node does about its own maintenance state.
 * Every agent folds the same events into the same view (fold.ts); only the
 * target node does the work (stop its non-essential daemons, start them
 * again, ...) and reports its progress through its own `maintenance` entry,
 * which every agent's fold reads. So the visible state advances the same way
 * everywhere, and only because the node itself said so.
 *
 * The worker asks the driver for work with an effect and hears back through
 * an input (`maintenance-done`); it never assumes work is done because it
 * was asked for. A drain that has not finished by its deadline is reported
 * as failed: the deadline is measured from the event's own HLC stamp, so a
 * restart of the node does not extend it.
 */
import { hlcWallMs } from '../hlc.js'
import type { Instant } from '../types.js'
import type { AdminEvent } from './event.js'
import type { MaintenanceView, ReportPhase } from './fold.js'

export type MaintenanceWork = 'drain' | 'resume' | 'restart-daemons' | 'clear-avoid'

export type WorkerAction =
  | { kind: 'work', work: MaintenanceWork, eventId: string }
  | { kind: 'report', eventId: string, phase: ReportPhase }

export interface MaintenanceWorkerInit {
  /** How long a drain may take unless the event says otherwise (`params.deadlineS`). */
  drainDeadlineMs: number
  /** How long a node stays in Recovery after it resumed. */
  recoverySettleMs: number
}

/** Only the most recent one-shot events (restart-daemons, clear-avoid) are acted on, so old ones whose reports were trimmed are not re-run. */
export const ONE_SHOT_RECENT_MAX = 16
/** Longest drain deadline an event may ask for: one day. */
export const DRAIN_DEADLINE_S_MAX = 86_400

/** The drain deadline an event asks for, in ms, or undefined for the default. */
export function drainDeadlineMsOf (event: AdminEvent | undefined): number | undefined {
  const s = event?.params.deadlineS
  return typeof s === 'number' && Number.isFinite(s) && s > 0 && s <= DRAIN_DEADLINE_S_MAX ? s * 1000 : undefined
}

export class MaintenanceWorker {
  private readonly init: MaintenanceWorkerInit
  /** Events this life has asked the driver to work on. */
  private readonly requested = new Set<string>()
  /** Work the driver finished and we have not reported yet: event id -> ok. */
  private readonly finished = new Map<string, boolean>()
  private deadline: { id: string, atWallMs: number } | undefined
  private recovery: { id: string, atMonoMs: number } | undefined

  constructor (init: MaintenanceWorkerInit) {
    this.init = init
  }

  /** The driver finished the work asked for an event. */
  complete (eventId: string, ok: boolean): void {
    if (this.requested.has(eventId)) this.finished.set(eventId, ok)
  }

  /** When the worker must run again even if nothing arrives, or undefined. */
  wakeMonoMs (at: Instant): number | undefined {
    let t: number | undefined
    if (this.deadline !== undefined) t = at.monoMs + Math.max(0, this.deadline.atWallMs - at.wallMs)
    if (this.recovery !== undefined) t = Math.min(t ?? Infinity, this.recovery.atMonoMs)
    return t
  }

  /**
   * What to do now, given our own folded view, the reports we already made
   * and a lookup of events by id.
   */
  plan (view: MaintenanceView, reports: ReadonlyMap<string, ReportPhase>, eventOf: (id: string) => AdminEvent | undefined, at: Instant): WorkerAction[] {
    const out: WorkerAction[] = []
    const p = view.pending
    if (p !== undefined && !reports.has(p.id)) {
      if (view.state === 'EnteringMaintenance') this.planDrain(p.id, eventOf(p.id), at, out)
      else if (view.state === 'ExitingMaintenance') this.planStep(p.id, 'resume', 'resumed', out)
    }
    if (this.deadline !== undefined && (view.state !== 'EnteringMaintenance' || p?.id !== this.deadline.id)) this.deadline = undefined
    this.planRecovery(view, reports, at, out)
    const recent = view.history.slice(-ONE_SHOT_RECENT_MAX)
    for (const step of recent) {
      if (reports.has(step.id)) continue
      if (step.action === 'restart-daemons' || step.action === 'clear-avoid') this.planStep(step.id, step.action, 'done', out)
    }
    return out
  }

  private planDrain (id: string, event: AdminEvent | undefined, at: Instant, out: WorkerAction[]): void {
    if (!this.requested.has(id)) {
      this.requested.add(id)
      out.push({ kind: 'work', work: 'drain', eventId: id })
    }
    if (this.deadline?.id !== id) {
      const stampMs = event === undefined ? at.wallMs : hlcWallMs(event.hlc)
      this.deadline = { id, atWallMs: stampMs + (drainDeadlineMsOf(event) ?? this.init.drainDeadlineMs) }
    }
    const ok = this.finished.get(id)
    if (ok === true) return this.reportOnce(id, 'drained', out)
    if (ok === false || at.wallMs >= this.deadline.atWallMs) this.reportOnce(id, 'drain-failed', out)
  }

  /** Ask once, report once the driver says it finished (whatever the outcome: resuming and one-shots cannot fail the state). */
  private planStep (id: string, work: MaintenanceWork, phase: ReportPhase, out: WorkerAction[]): void {
    if (!this.requested.has(id)) {
      this.requested.add(id)
      out.push({ kind: 'work', work, eventId: id })
    }
    if (this.finished.has(id)) this.reportOnce(id, phase, out)
  }

  private planRecovery (view: MaintenanceView, reports: ReadonlyMap<string, ReportPhase>, at: Instant, out: WorkerAction[]): void {
    const p = view.pending
    if (view.state !== 'Recovery' || p === undefined || reports.get(p.id) !== 'resumed') {
      this.recovery = undefined
      return
    }
    if (this.recovery?.id !== p.id) this.recovery = { id: p.id, atMonoMs: at.monoMs + this.init.recoverySettleMs }
    if (at.monoMs >= this.recovery.atMonoMs) {
      this.recovery = undefined
      out.push({ kind: 'report', eventId: p.id, phase: 'recovered' })
    }
  }

  private reportOnce (id: string, phase: ReportPhase, out: WorkerAction[]): void {
    this.finished.delete(id)
    if (this.deadline?.id === id) this.deadline = undefined
    out.push({ kind: 'report', eventId: id, phase })
  }
}
