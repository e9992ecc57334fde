/**
 * The local HTTP API (default 127.0.0.1:7401): `GET /v1/status`,
 * `GET /v1/events`, `POST /v1/admin/events` (a signed admin event),
 * `GET /metrics` (Prometheus), `GET /healthz`, and the host bridge's
 * `POST /v1/bridge/*` and `GET /v1/snapshots` (bridge-api.ts).
 * With HAUKI_MESH_TEST_HOOKS=1 it also serves `POST /v1/test/block-loop?ms=N`,
 * which blocks the event loop on purpose (the Lifeguard end-to-end test).
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AgentRuntime } from './agent.js'
import { hlcWallMs, whereIs } from '../core/index.js'
import type { AdminEvent } from '../core/index.js'
import { API_BODY_BYTES_MAX } from './constants.js'
import { buildStatus } from './status.js'
import { isBridgeRoute, routeBridge } from './bridge-api.js'

export interface ApiServer {
  url: string
  close(): Promise<void>
}

export function send (res: http.ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? `${JSON.stringify(body)}\n` : String(body)
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** Read a JSON body of at most API_BODY_BYTES_MAX; a reason instead of a value when it is not one. */
export async function readJson (req: http.IncomingMessage): Promise<{ ok: true, value: unknown } | { ok: false, reason: string }> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > API_BODY_BYTES_MAX) return { ok: false, reason: `body larger than ${API_BODY_BYTES_MAX} bytes` }
    chunks.push(chunk as Buffer)
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) }
  } catch (err) {
    return { ok: false, reason: `body is not JSON: ${(err as Error).message}` }
  }
}

/** Admin events as every agent folds them, plus recent mesh events, oldest first. */
function eventsView (rt: AgentRuntime): unknown[] {
  const out: { ts: string, [k: string]: unknown }[] = []
  // When this agent learnt of each admin event it still remembers (recent events are bounded).
  const seenAt = new Map<string, string>()
  for (const e of rt.recentEvents) if (e.kind === 'admin' && typeof e.id === 'string' && !seenAt.has(e.id)) seenAt.set(e.id, e.ts)
  for (const target of rt.core.admin.targets()) {
    for (const step of rt.core.maintenanceOf(target).history) {
      const seen = seenAt.get(step.id)
      out.push({ ts: new Date(hlcWallMs(step.hlc)).toISOString(), kind: 'admin', event: `admin:${step.action}`, subject: target, id: step.id, signer: step.signer, outcome: step.outcome, state: step.state, cordoned: step.cordoned, ...(seen === undefined ? {} : { seenAt: seen }) })
    }
  }
  for (const e of rt.recentEvents) if (e.kind === 'mesh') out.push(e)
  return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0))
}

async function postAdminEvent (rt: AgentRuntime, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = await readJson(req)
  if (!body.ok) return send(res, 400, { error: { code: 'BAD_REQUEST', message: body.reason } })
  const reason = rt.core.admin.check(body.value)
  if (reason !== undefined) {
    rt.counters.rejected('api', reason)
    return send(res, rt.core.admin.trustedKeyCount === 0 ? 403 : 400, { error: { code: 'REJECTED', message: rt.core.admin.trustedKeyCount === 0 ? `${reason} (this agent trusts no admin keys: start it with --admin-key)` : reason } })
  }
  const event = body.value as AdminEvent
  rt.input({ kind: 'admin-event', event })
  return send(res, 202, { id: event.id, action: event.action, target: event.target, state: rt.core.maintenanceOf(event.target).state })
}

const PLACEMENT_TERM_RE = /^[A-Za-z0-9][A-Za-z0-9._:=-]{0,127}$/

/** `GET /v1/where?service=S&label=K[=V]`: nodes offering it, eligible and nearest first. */
function whereRoute (rt: AgentRuntime, url: URL, res: http.ServerResponse): void {
  const service = url.searchParams.get('service') ?? undefined
  const label = url.searchParams.get('label') ?? undefined
  const bad = [['service', service], ['label', label]].find(([, v]) => v !== undefined && !PLACEMENT_TERM_RE.test(v))
  if ((service === undefined && label === undefined) || bad !== undefined) {
    const message = bad === undefined ? 'give service=NAME or label=KEY[=VALUE]' : `${String(bad[0])}: 1-128 letters, digits, ".", "_", ":", "=" or "-"`
    rt.counters.rejected('api', 'bad where query')
    return send(res, 400, { error: { code: 'BAD_REQUEST', message } })
  }
  const candidates = whereIs(rt.core, { service, label })
  return send(res, 200, { query: { service: service ?? null, label: label ?? null }, candidates })
}

function blockLoop (ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) { /* deliberately busy */ }
}

export async function startApi (rt: AgentRuntime, host: string, port: number, testHooks: boolean): Promise<ApiServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    try {
      if (req.method === 'GET' && url.pathname === '/v1/status') return send(res, 200, buildStatus(rt, Date.now()))
      if (req.method === 'GET' && url.pathname === '/v1/events') return send(res, 200, { events: eventsView(rt) })
      if (req.method === 'POST' && url.pathname === '/v1/admin/events') {
        postAdminEvent(rt, req, res).catch((err: Error) => send(res, 500, { error: { code: 'INTERNAL', message: err.message } }))
        return
      }
      if (req.method === 'GET' && url.pathname === '/v1/where') return whereRoute(rt, url, res)
      if (req.method === 'GET' && url.pathname === '/healthz') return send(res, rt.isRunning ? 200 : 503, { ok: rt.isRunning })
      if (req.method === 'GET' && url.pathname === '/metrics') {
        return send(res, 200, rt.counters.render({ entries: rt.core.replica.size, incarnation: rt.core.incarnation, health_score: rt.core.health, members: rt.core.members.clusterSize, ping_streams_opened_total: rt.pings.opened, pings_on_reused_streams_total: rt.pings.reused, ...rt.wire.series() }), 'text/plain; version=0.0.4')
      }
      if (testHooks && req.method === 'POST' && url.pathname === '/v1/test/block-loop') {
        const ms = Number(url.searchParams.get('ms'))
        if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) return send(res, 400, { error: { code: 'BAD_REQUEST', message: 'ms: must be an integer between 0 and 60000' } })
        send(res, 202, { blockingMs: ms })
        setImmediate(() => blockLoop(ms))
        return
      }
      if (isBridgeRoute(req.method, url.pathname)) {
        routeBridge(rt, req, res, url.pathname).catch((err: Error) => send(res, 500, { error: { code: 'INTERNAL', message: err.message } }))
        return
      }
      return send(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${req.method ?? ''} ${url.pathname}` } })
    } catch (err) {
      return send(res, 500, { error: { code: 'INTERNAL', message: (err as Error).message } })
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const addr = server.address() as AddressInfo
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  return {
    url: `http://${shownHost}:${addr.port}`,
    close: async () => await new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
}
