/**
 * The admin ledger of one agent: the verified admin events it holds, indexed
 * by target node, and each node's folded maintenance view (cached, recomputed
 * when an event about it or one of its reports arrives).
 */
import { adminEventRejection, VerifiedSignatures } from './event.js'
import type { AdminEvent, Ed25519Verify } from './event.js'
import { foldMaintenance } from './fold.js'
import type { MaintenanceView, ReportPhase } from './fold.js'
import type { Replica } from '../replica.js'
import type { Entry, NodeName, Value } from '../types.js'

const REPORT_PHASES = new Set<string>(['drained', 'drain-failed', 'resumed', 'recovered', 'done'])
/** Reports a node keeps about its most recent events. */
export const REPORTS_KEPT_MAX = 64
/** Verified signatures remembered, so the copies of an event (gossip validator, then merge) verify once. */
export const VERIFIED_SIGNATURES_MAX = 4096

export class AdminLedger {
  private readonly trusted: ReadonlySet<string>
  private readonly byTarget = new Map<NodeName, AdminEvent[]>()
  private readonly ids = new Map<string, AdminEvent>()
  private readonly views = new Map<NodeName, MaintenanceView>()
  private readonly replica: Replica
  private readonly verified = new VerifiedSignatures(VERIFIED_SIGNATURES_MAX)
  private readonly verify: Ed25519Verify | undefined

  constructor (trustedKeys: readonly string[], replica: Replica, verify?: Ed25519Verify) {
    this.trusted = new Set(trustedKeys.map((k) => k.toLowerCase()))
    this.replica = replica
    this.verify = verify
  }

  get trustedKeyCount (): number {
    return this.trusted.size
  }

  /** Why an `admin/<id>` entry must be dropped, or undefined. */
  rejection (e: Entry): string | undefined {
    if (e.value === null) return 'admin events cannot be deleted (a grow-only set)'
    const reason = adminEventRejection(e.value, this.trusted, this.verified, this.verify)
    if (reason !== undefined) return reason
    if (e.key !== `admin/${(e.value as unknown as AdminEvent).id}`) return 'admin event: key does not match its id'
    return undefined
  }

  /** Check an event handed in through the local API. */
  check (event: unknown): string | undefined {
    return adminEventRejection(event, this.trusted, this.verified, this.verify)
  }

  /** Index a held event; true when it is new here. */
  add (event: AdminEvent): boolean {
    if (this.ids.has(event.id)) return false
    this.ids.set(event.id, event)
    const list = this.byTarget.get(event.target) ?? []
    list.push(event)
    this.byTarget.set(event.target, list)
    this.views.delete(event.target)
    return true
  }

  /** A node's reports changed. */
  invalidate (node: NodeName): void {
    this.views.delete(node)
  }

  reportsOf (node: NodeName): Map<string, ReportPhase> {
    const v = this.replica.get(`node/${node}/maintenance`)?.value
    const out = new Map<string, ReportPhase>()
    if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) return out
    const reports = v.reports
    if (reports === null || typeof reports !== 'object' || Array.isArray(reports)) return out
    for (const [id, phase] of Object.entries(reports)) if (typeof phase === 'string' && REPORT_PHASES.has(phase)) out.set(id, phase as ReportPhase)
    return out
  }

  /** The reports value with one more report, trimmed to the most recent ones. */
  withReport (node: NodeName, id: string, phase: ReportPhase): Value {
    const reports = [...this.reportsOf(node)].filter(([k]) => k !== id)
    reports.push([id, phase])
    return { reports: Object.fromEntries(reports.slice(-REPORTS_KEPT_MAX)) }
  }

  view (node: NodeName): MaintenanceView {
    let v = this.views.get(node)
    if (v === undefined) {
      v = foldMaintenance(this.byTarget.get(node) ?? [], this.reportsOf(node))
      this.views.set(node, v)
    }
    return v
  }

  eventById (id: string): AdminEvent | undefined {
    return this.ids.get(id)
  }

  eventsAbout (node: NodeName): readonly AdminEvent[] {
    return this.byTarget.get(node) ?? []
  }

  targets (): IterableIterator<NodeName> {
    return this.byTarget.keys()
  }
}
