/**
 * `meshctl status`: the local agent's view of the mesh, from GET /v1/status.
 *
 * The response is checked only as far as the table needs (an object with a
 * `members` array of objects with a `name`); every other field is optional
 * and rendered as `-` when missing, so a newer agent with extra or changed
 * fields still gets a readable table.
 */
import type { Command, CommandResult } from './command.js'
import { BadResponseError } from './errors.js'
import { cell, formatAge, formatRtt, renderTable, sanitize } from './format.js'
import { isPlainObject } from './values.js'

export const STATUS_PATH = '/v1/status'

export interface StatusMember {
  readonly name: string
  readonly [field: string]: unknown
}

export interface StatusResponse {
  readonly self?: unknown
  readonly peerId?: unknown
  readonly members: readonly StatusMember[]
  readonly [field: string]: unknown
}

export const statusCommand: Command = {
  name: 'status',
  summary: "show the agent's view of the mesh: members, liveness, heartbeats, capabilities",
  synopsis: 'status',
  flags: [],
  async run (ctx): Promise<CommandResult> {
    const data = await ctx.agent.getJson(STATUS_PATH)
    const status = checkStatus(data, `agent at ${ctx.agentUrl}`)
    return { data, text: renderStatus(status) }
  }
}

/** @throws BadResponseError naming what is missing */
export function checkStatus (x: unknown, source: string): StatusResponse {
  const bad = (what: string): never => { throw new BadResponseError(`unexpected answer to GET ${STATUS_PATH} from ${source}: ${what}`) }
  if (!isPlainObject(x)) return bad('not a JSON object')
  const members = x.members
  if (!Array.isArray(members)) return bad('"members" is not an array')
  members.forEach((m: unknown, i) => {
    if (!isPlainObject(m) || typeof m.name !== 'string' || m.name === '') bad(`members[${i}] is not an object with a "name"`)
  })
  return x as StatusResponse
}

const LIVENESS_ORDER = ['alive', 'suspect', 'dead', 'left']

export function renderStatus (s: StatusResponse): string {
  const members = [...s.members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const isSelf = (m: StatusMember): boolean => m.name === s.self || (typeof s.peerId === 'string' && m.peerId === s.peerId)
  const rows = members.map((m) => [
    `${isSelf(m) ? '*' : ' '} ${sanitize(m.name)}`,
    cell(m.liveness),
    cell(m.incarnation),
    formatAge(m.lastHeartbeatAgeMs),
    formatRtt(m.rttMs),
    cell(m.role ?? (isPlainObject(m.capabilities) ? m.capabilities.role : undefined)),
    formatMaintenance(m.maintenance, m.cordoned),
    formatCapabilities(m.capabilities)
  ])
  const table = renderTable(['  NAME', 'LIVENESS', 'INC', 'HEARTBEAT', 'RTT', 'ROLE', 'MAINTENANCE', 'CAPABILITIES'], rows)
  return table + summary(members, s)
}

function summary (members: readonly StatusMember[], s: StatusResponse): string {
  const counts = new Map<string, number>()
  for (const m of members) counts.set(cell(m.liveness), (counts.get(cell(m.liveness)) ?? 0) + 1)
  const order = [...LIVENESS_ORDER, ...[...counts.keys()].filter((k) => !LIVENESS_ORDER.includes(k)).sort()]
  const parts = order.filter((k) => counts.has(k)).map((k) => `${counts.get(k)} ${k}`)
  const head = `${members.length} member${members.length === 1 ? '' : 's'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`
  const self = typeof s.self === 'string' ? `\n* self: ${sanitize(s.self)}${typeof s.peerId === 'string' ? ` (${sanitize(s.peerId)})` : ''}` : ''
  return `\n${head}${self}\n`
}

/** `Maintenance`, `Active,cordoned`; `-` from an agent that does not report it. */
export function formatMaintenance (state: unknown, cordoned: unknown): string {
  const base = typeof state === 'string' ? sanitize(state) : '-'
  return cordoned === true ? `${base},cordoned` : base
}

/**
 * `k=v,k=v services:a,b`. Capabilities are `{ role, labels, services }` in the
 * core; flat scalar keys are shown too so a differently shaped answer still
 * renders. The role has its own column.
 */
export function formatCapabilities (caps: unknown): string {
  if (!isPlainObject(caps)) return '-'
  const pairs: string[] = []
  const addPairs = (o: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') pairs.push(`${sanitize(k)}=${sanitize(String(v))}`)
    }
  }
  const { role: _role, labels, services, ...rest } = caps
  addPairs(rest)
  if (isPlainObject(labels)) addPairs(labels)
  pairs.sort()
  const names = Array.isArray(services) ? services.filter((x): x is string => typeof x === 'string').map(sanitize) : []
  const text = [pairs.join(','), names.length > 0 ? `services:${names.join(',')}` : ''].filter((p) => p !== '').join(' ')
  return text === '' ? '-' : text
}
