/**
 * A real HTTP server on 127.0.0.1 (port 0) that answers like an agent's API,
 * and a port known to be closed, for meshctl tests.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export const SAMPLE_STATUS = {
  self: 'hauki-crm',
  peerId: '12D3KooWGRUVh8ZWFHsGvtwoTmbsbDMCGCZu6nL76rUa1xKwSFQM',
  version: '0.1.0',
  members: [
    {
      name: 'hauki-crm',
      peerId: '12D3KooWGRUVh8ZWFHsGvtwoTmbsbDMCGCZu6nL76rUa1xKwSFQM',
      role: 'container',
      liveness: 'alive',
      incarnation: 3,
      lastHeartbeatAgeMs: 800,
      rttMs: null,
      heartbeat: { uptime: 3600, load: [0.1, 0.2, 0.3], memory: { usedBytes: 1e9, totalBytes: 4e9 } },
      capabilities: { role: 'container', labels: { zone: 'hel1', zfs: 'yes' }, services: ['http', 'ssh'] },
      addrs: ['/ip4/192.0.2.10/tcp/7400'],
      maintenance: 'Active',
      cordoned: false,
      extra: 'tolerated'
    },
    {
      name: 'zfs-host-1',
      peerId: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo',
      role: 'host',
      liveness: 'suspect',
      incarnation: 12,
      lastHeartbeatAgeMs: 125_000,
      rttMs: 1.234,
      heartbeat: null,
      capabilities: { role: 'host', labels: {}, services: [] },
      addrs: [],
      maintenance: 'Maintenance',
      cordoned: true
    },
    {
      name: 'billing',
      peerId: '12D3KooWBhHyTmPWBbXQXJhc1TTyYz9VDc8TFVhb6QXbqN4DBrNW',
      role: 'container',
      liveness: 'dead',
      incarnation: 0,
      lastHeartbeatAgeMs: null,
      rttMs: null,
      heartbeat: null,
      capabilities: {},
      addrs: []
    }
  ]
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void

export interface TestServer {
  readonly url: string
  /** Requests seen, as `METHOD path`. */
  readonly requests: string[]
  close: () => Promise<void>
}

export function jsonHandler (status: number, body: unknown): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
}

export async function startServer (handler: Handler): Promise<TestServer> {
  const requests: string[] = []
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    handler(req, res)
  })
  const port = await listen(server)
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

/** A port that was just bound and released, so nothing listens on it. */
export async function closedPort (): Promise<number> {
  const server = createServer()
  const port = await listen(server)
  await new Promise<void>((resolve) => server.close(() => { resolve() }))
  return port
}

async function listen (server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => { resolve() })
  })
  return (server.address() as AddressInfo).port
}
