/**
 * The host bridge's routes on the local HTTP API. Every agent serves them;
 * the agent finds a host for the request (see bridge-client.ts).
 *
 *   POST /v1/bridge/preflight  {intent, dataset?, critical?, deadlineMs?}
 *   POST /v1/bridge/release    {snapshot}
 *   POST /v1/bridge/clone      {from, name}
 *   POST /v1/bridge/rollback   {snapshot, destroyNewer?}
 *   GET  /v1/snapshots         the replicated snapshot records, newest first
 *
 * A bridge outcome, `denied` included, is a 200 answer: the request was
 * handled, and the status says how. A body that is not a valid request is 400.
 */
import type http from 'node:http'
import { snapshotOfId } from '../../host-bridge/index.js'
import { validateBridgeRequest } from '../../protocols/index.js'
import { hlcWallMs } from '../core/index.js'
import type { AgentRuntime } from './agent.js'
import { readJson, send } from './api.js'
import { askBridge } from './bridge-client.js'
import type { BridgeAsk } from './bridge-client.js'

const OPS = ['preflight', 'release', 'clone', 'rollback'] as const

/** True when the route is a bridge route (handled here, answered asynchronously). */
export function isBridgeRoute (method: string | undefined, pathname: string): boolean {
  if (method === 'GET' && pathname === '/v1/snapshots') return true
  return method === 'POST' && pathname.startsWith('/v1/bridge/')
}

export async function routeBridge (rt: AgentRuntime, req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void> {
  if (req.method === 'GET') return send(res, 200, { snapshots: snapshotRecords(rt) })
  const op = pathname.slice('/v1/bridge/'.length)
  if (!(OPS as readonly string[]).includes(op)) return send(res, 404, { error: { code: 'NOT_FOUND', message: `no bridge operation "${op}" (one of ${OPS.join(', ')})` } })
  const body = await readJson(req)
  if (!body.ok) return send(res, 400, { error: { code: 'BAD_REQUEST', message: body.reason } })
  if (body.value === null || typeof body.value !== 'object' || Array.isArray(body.value)) return send(res, 400, { error: { code: 'BAD_REQUEST', message: 'body must be a JSON object' } })
  const fields = op === 'rollback' ? { destroyNewer: false, ...body.value } : body.value
  const checked = validateBridgeRequest({ ...fields, t: op, id: 0 })
  if (!checked.ok) {
    rt.counters.rejected('api', checked.reason)
    return send(res, 400, { error: { code: 'BAD_REQUEST', message: checked.reason } })
  }
  const { id: _id, ...ask } = checked.value
  return send(res, 200, await askBridge(rt, ask as BridgeAsk))
}

/** Every live `snapshot/<id>` entry this agent holds, newest first. */
export function snapshotRecords (rt: AgentRuntime): Record<string, unknown>[] {
  const out: { at: number, record: Record<string, unknown> }[] = []
  for (const e of rt.core.replica.all()) {
    if (!e.key.startsWith('snapshot/') || e.value === null || typeof e.value !== 'object' || Array.isArray(e.value)) continue
    const id = e.key.slice('snapshot/'.length)
    out.push({ at: e.hlc, record: { id, snapshot: snapshotOfId(id), ...e.value, recordedBy: e.origin, recordedAt: new Date(hlcWallMs(e.hlc)).toISOString() } })
  }
  return out.sort((a, b) => b.at - a.at).map((x) => x.record)
}
