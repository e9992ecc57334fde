/**
 * The maintenance fold: every agent folds the same grow-only set of admin
 * events, in (hlc, id) order, together with the target node's own progress
 * reports, into the same per-node state. No clock is read: the only inputs
 * are the events and the reports, so the result is identical everywhere.
 *
 *   Active -> EnteringMaintenance -> Maintenance -> ExitingMaintenance -> Recovery -> Active
 *                      \-> DrainFailed (the node reported its drain missed the deadline)
 *
 * An event that does not apply to the current state (exit while Active,
 * enter while already in maintenance) is recorded as a no-op. Cordon is a
 * flag beside the state.
 */
import type { AdminAction, AdminEvent } from './event.js'

export type MaintenanceState = 'Active' | 'EnteringMaintenance' | 'Maintenance' | 'ExitingMaintenance' | 'Recovery' | 'DrainFailed'

/** What the target node reported about an event: its progress through it. */
export type ReportPhase = 'drained' | 'drain-failed' | 'resumed' | 'recovered' | 'done'

export interface FoldStep {
  id: string
  action: AdminAction
  hlc: number
  signer: string
  outcome: 'applied' | 'no-op'
  state: MaintenanceState
  cordoned: boolean
}

export interface MaintenanceView {
  state: MaintenanceState
  cordoned: boolean
  /** The event the node is working on (the enter or exit that set the state), if any. */
  pending: { id: string, action: AdminAction } | undefined
  history: FoldStep[]
}

export function compareEvents (a: AdminEvent, b: AdminEvent): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Advance through the reports the node made for the pending event. */
function settle (state: MaintenanceState, pendingId: string | undefined, reports: ReadonlyMap<string, ReportPhase>): MaintenanceState {
  if (pendingId === undefined) return state
  const r = reports.get(pendingId)
  if (state === 'EnteringMaintenance') return r === 'drained' ? 'Maintenance' : r === 'drain-failed' ? 'DrainFailed' : state
  if (state === 'ExitingMaintenance') return r === 'recovered' ? 'Active' : r === 'resumed' ? 'Recovery' : state
  if (state === 'Recovery') return r === 'recovered' ? 'Active' : state
  return state
}

/** Fold the events about one node (any order, duplicates allowed) with its reports. */
export function foldMaintenance (events: readonly AdminEvent[], reports: ReadonlyMap<string, ReportPhase>): MaintenanceView {
  const seen = new Set<string>()
  const ordered: AdminEvent[] = []
  for (const e of [...events].sort(compareEvents)) {
    if (seen.has(e.id)) continue
    seen.add(e.id)
    ordered.push(e)
  }
  let state: MaintenanceState = 'Active'
  let cordoned = false
  let pending: MaintenanceView['pending']
  const history: FoldStep[] = []
  for (const e of ordered) {
    let applied = true
    switch (e.action) {
      case 'maintenance-enter':
      case 'drain':
        if (state === 'Active' || state === 'Recovery' || state === 'DrainFailed' || state === 'ExitingMaintenance') {
          state = 'EnteringMaintenance'
          pending = { id: e.id, action: e.action }
        } else applied = false
        break
      case 'maintenance-exit':
        if (state === 'EnteringMaintenance' || state === 'Maintenance' || state === 'DrainFailed') {
          state = 'ExitingMaintenance'
          pending = { id: e.id, action: e.action }
        } else applied = false
        break
      case 'cordon':
        applied = !cordoned
        cordoned = true
        break
      case 'uncordon':
        applied = cordoned
        cordoned = false
        break
      case 'restart-daemons':
      case 'clear-avoid':
        break
      default: {
        const never: never = e.action
        throw new Error(`unknown admin action ${String(never)}`)
      }
    }
    state = settle(state, pending?.id, reports)
    if (state === 'Active') pending = undefined
    history.push({ id: e.id, action: e.action, hlc: e.hlc, signer: e.signer, outcome: applied ? 'applied' : 'no-op', state, cordoned })
  }
  return { state, cordoned, pending, history }
}
