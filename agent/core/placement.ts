/**
 * "Where is X?": which nodes offer a service or a capability, and which of
 * them may take new work now, nearest first. Pure: it reads the replicated
 * state and this node's own RTT estimates, so every agent answers from the
 * same facts but orders by its own distance.
 *
 * A node is eligible when it is alive, not cordoned and Active (not in any
 * maintenance state, nor recovering from one). Ineligible matches are kept
 * with the reason, so an operator can see why a node was passed over.
 */
import type { AgentCore } from './agent.js'
import type { NodeName } from './types.js'

export interface PlacementQuery {
  /** A service name from a node's `services` capability. */
  service?: string
  /** A capability label: `key` alone matches any value, `key=value` that value. */
  label?: string
}

export interface PlacementCandidate {
  node: NodeName
  /** This node's smoothed RTT to it; 0 for itself, null when never probed. */
  rttMs: number | null
  role: string | null
  eligible: boolean
  /** Why it may not take new work, when it may not. */
  reason: string | null
}

function obj (v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {}
}

function offers (caps: Record<string, unknown>, q: PlacementQuery): boolean {
  if (q.service !== undefined) {
    const services = Array.isArray(caps.services) ? caps.services : []
    if (!services.includes(q.service)) return false
  }
  if (q.label !== undefined) {
    const labels = obj(caps.labels)
    const eq = q.label.indexOf('=')
    const key = eq === -1 ? q.label : q.label.slice(0, eq)
    if (!Object.hasOwn(labels, key)) return false
    if (eq !== -1 && labels[key] !== q.label.slice(eq + 1)) return false
  }
  return true
}

function ineligibility (core: AgentCore, node: NodeName): string | null {
  const liveness = node === core.name ? (core.lifecycle === 'running' ? 'alive' : 'left') : core.members.get(node)?.status ?? 'unknown'
  if (liveness !== 'alive') return `liveness ${liveness}`
  const m = core.maintenanceOf(node)
  if (m.cordoned) return 'cordoned'
  if (m.state !== 'Active') return `maintenance ${m.state}`
  return null
}

/** Nodes that offer what was asked, eligible ones first, then by RTT (unknown last), then by name. */
export function whereIs (core: AgentCore, q: PlacementQuery): PlacementCandidate[] {
  const out: PlacementCandidate[] = []
  for (const e of core.replica.all()) {
    if (!e.key.startsWith('node/') || !e.key.endsWith('/caps') || e.value === null) continue
    const node = e.key.slice(5, -5)
    const caps = obj(e.value)
    if (!offers(caps, q)) continue
    const reason = ineligibility(core, node)
    out.push({
      node,
      rttMs: node === core.name ? 0 : core.rttTo(node) ?? null,
      role: typeof caps.role === 'string' ? caps.role : null,
      eligible: reason === null,
      reason
    })
  }
  const rank = (c: PlacementCandidate): number => c.rttMs ?? Number.POSITIVE_INFINITY
  return out.sort((a, b) => Number(b.eligible) - Number(a.eligible) || rank(a) - rank(b) || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
}
