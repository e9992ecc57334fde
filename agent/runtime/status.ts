/**
 * The `/v1/status` view: what this agent knows about every member, built
 * from the core's member table and replicated entries.
 */
import { hlcWallMs } from '../core/index.js'
import type { Entry, Liveness, Value } from '../core/index.js'
import type { AgentRuntime } from './agent.js'

export interface MemberStatus {
  name: string
  peerId: string | null
  role: string | null
  liveness: Liveness
  incarnation: number
  lastHeartbeatAgeMs: number | null
  rttMs: number | null
  heartbeat: { uptime: number, load: number[], memory: { usedBytes: number, totalBytes: number } } | null
  capabilities: Record<string, Value>
  addrs: string[]
  maintenance: string
  cordoned: boolean
}

export interface AgentStatus {
  self: string
  peerId: string
  incarnation: number
  health: number
  hlc: number
  addrs: string[]
  members: MemberStatus[]
  entries: number
  recorder: Record<string, unknown> | null
  stats: Record<string, unknown>
}

function obj (e: Entry | undefined): Record<string, Value> | undefined {
  const v = e?.value
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : undefined
}

export function buildStatus (rt: AgentRuntime, nowWallMs: number): AgentStatus {
  const core = rt.core
  const members: MemberStatus[] = []
  for (const m of core.members.all()) {
    const identity = obj(core.replica.get(`node/${m.name}/identity`))
    const caps = obj(core.replica.get(`node/${m.name}/caps`))
    const hbEntry = core.replica.get(`node/${m.name}/heartbeat`)
    const hb = obj(hbEntry)
    members.push({
      name: m.name,
      peerId: typeof identity?.peerId === 'string' ? identity.peerId : null,
      role: typeof caps?.role === 'string' ? caps.role : null,
      liveness: m.status,
      incarnation: m.incarnation,
      lastHeartbeatAgeMs: hbEntry === undefined ? null : Math.max(0, nowWallMs - hlcWallMs(hbEntry.hlc)),
      rttMs: m.name === rt.name ? null : (core.rttTo(m.name) ?? null),
      heartbeat: hb === undefined
        ? null
        : { uptime: Number(hb.uptimeS ?? 0), load: Array.isArray(hb.load) ? hb.load.map(Number) : [], memory: (hb.memory ?? { usedBytes: 0, totalBytes: 0 }) as { usedBytes: number, totalBytes: number } },
      capabilities: caps ?? {},
      addrs: Array.isArray(identity?.addrs) ? identity.addrs.filter((a): a is string => typeof a === 'string') : [],
      maintenance: core.maintenanceOf(m.name).state,
      cordoned: core.maintenanceOf(m.name).cordoned
    })
  }
  members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return {
    self: rt.name,
    peerId: rt.peerId,
    incarnation: core.incarnation,
    health: core.health,
    hlc: core.hlc,
    addrs: rt.addrs,
    members,
    entries: core.replica.size,
    recorder: rt.recorder === undefined ? null : { ...rt.recorder.snapshot() },
    stats: { core: core.stats, store: rt.storeStats, counters: rt.counters.snapshot(), connections: rt.node.getConnections().length }
  }
}
