/**
 * Rendering the replicated state into recorder records. Pure functions of the
 * core's state: the recorder calls them at flush time, so only the latest
 * state of each file is ever written.
 */
import { hlcWallMs } from '../core/index.js'
import type { AgentCore, Entry, Value } from '../core/index.js'
import { seal } from './records.js'
import type { RecordEnvelope } from './records.js'

const SERVICE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/

function obj (e: Entry | undefined): Record<string, Value> {
  const v = e?.value
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : {}
}

function maxHlc (...entries: (Entry | undefined)[]): number {
  let h = 0
  for (const e of entries) if (e !== undefined && e.hlc > h) h = e.hlc
  return h
}

export function servicesOf (core: AgentCore, node: string): string[] {
  const services = obj(core.replica.get(`node/${node}/caps`)).services
  return Array.isArray(services) ? services.filter((s): s is string => typeof s === 'string' && SERVICE_NAME_RE.test(s)) : []
}

/** `live/nodes/<node>.json`, or undefined when the node is not known as a member. */
export function renderLiveNode (core: AgentCore, writer: string, node: string): RecordEnvelope | undefined {
  const memberEntry = core.replica.get(`member/${node}`)
  const m = core.members.get(node)
  if (memberEntry === undefined || m === undefined) return undefined
  const identityEntry = core.replica.get(`node/${node}/identity`)
  const capsEntry = core.replica.get(`node/${node}/caps`)
  const hbEntry = core.replica.get(`node/${node}/heartbeat`)
  const maintEntry = core.replica.get(`node/${node}/maintenance`)
  const identity = obj(identityEntry)
  const caps = obj(capsEntry)
  const hb = obj(hbEntry)
  const maintenance = core.maintenanceOf(node)
  const lastAdmin = maintenance.history[maintenance.history.length - 1]
  return seal('live-node', writer, Math.max(maxHlc(memberEntry, identityEntry, capsEntry, hbEntry, maintEntry), lastAdmin?.hlc ?? 0), {
    node,
    peerId: typeof identity.peerId === 'string' ? identity.peerId : null,
    status: m.status.toUpperCase(),
    incarnation: m.incarnation,
    timestamp: hbEntry === undefined ? null : new Date(hlcWallMs(hbEntry.hlc)).toISOString(),
    uptime: typeof hb.uptimeS === 'number' ? hb.uptimeS : null,
    load: Array.isArray(hb.load) ? hb.load : null,
    memory: hb.memory ?? null,
    role: typeof caps.role === 'string' ? caps.role : null,
    capabilities: capsEntry?.value ?? {},
    addrs: Array.isArray(identity.addrs) ? identity.addrs : [],
    maintenance: maintenance.state,
    cordoned: maintenance.cordoned
  })
}

export function renderLiveService (core: AgentCore, writer: string, node: string, service: string): RecordEnvelope | undefined {
  const m = core.members.get(node)
  const capsEntry = core.replica.get(`node/${node}/caps`)
  if (m === undefined || capsEntry === undefined) return undefined
  return seal('live-service', writer, maxHlc(capsEntry, core.replica.get(`member/${node}`)), {
    node,
    service,
    // Until daemons are supervised (a later issue), a service is as alive as the node offering it.
    status: m.status.toUpperCase(),
    offered: servicesOf(core, node).includes(service)
  })
}

export function renderSnapshot (core: AgentCore, writer: string, id: string): RecordEnvelope | undefined {
  const e = core.replica.get(`snapshot/${id}`)
  if (e === undefined || e.value === null) return undefined
  return seal('snapshot', writer, e.hlc, { id, origin: e.origin, value: e.value })
}

/** `bootstrap/peers.json`: dialable addresses of the members this agent believes alive. */
export function renderPeers (core: AgentCore, writer: string): RecordEnvelope {
  const addrs: string[] = []
  let hlc = 0
  for (const m of core.members.all()) {
    if (m.status !== 'alive') continue
    const e = core.replica.get(`node/${m.name}/identity`)
    const identity = obj(e)
    if (typeof identity.peerId !== 'string' || !Array.isArray(identity.addrs)) continue
    hlc = Math.max(hlc, e?.hlc ?? 0)
    for (const a of identity.addrs) {
      if (typeof a !== 'string') continue
      addrs.push(a.includes('/p2p/') ? a : `${a}/p2p/${identity.peerId}`)
    }
  }
  addrs.sort()
  return seal('peers', writer, hlc, { addrs })
}
