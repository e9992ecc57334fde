/**
 * The local HTTP API (default 127.0.0.1:7401). Read-only for now:
 * `GET /v1/status`, `GET /metrics` (Prometheus), `GET /healthz`.
 * With HAUKI_MESH_TEST_HOOKS=1 it also serves `POST /v1/test/block-loop?ms=N`,
 * which blocks the event loop on purpose (the Lifeguard end-to-end test).
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AgentRuntime } from './agent.js'
import { buildStatus } from './status.js'

export interface ApiServer {
  url: string
  close(): Promise<void>
}

function send (res: http.ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? `${JSON.stringify(body)}\n` : String(body)
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) })
  res.end(text)
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
      if (req.method === 'GET' && url.pathname === '/healthz') return send(res, rt.isRunning ? 200 : 503, { ok: rt.isRunning })
      if (req.method === 'GET' && url.pathname === '/metrics') {
        return send(res, 200, rt.counters.render({ entries: rt.core.replica.size, incarnation: rt.core.incarnation, health_score: rt.core.health, members: rt.core.members.clusterSize }), 'text/plain; version=0.0.4')
      }
      if (testHooks && req.method === 'POST' && url.pathname === '/v1/test/block-loop') {
        const ms = Number(url.searchParams.get('ms'))
        if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) return send(res, 400, { error: { code: 'BAD_REQUEST', message: 'ms: must be an integer between 0 and 60000' } })
        send(res, 202, { blockingMs: ms })
        setImmediate(() => blockLoop(ms))
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
