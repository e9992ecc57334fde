/**
 * The agent runtime's door: start an agent (libp2p node, LevelDB store, local
 * HTTP API) driving the pure core.
 *
 * ```ts
 * const agent = await startAgent({ name: 'hauki-crm', dataDir: '/var/lib/mesh', listen: ['/ip4/0.0.0.0/tcp/7400'],
 *   bootstrap: [], api: { host: '127.0.0.1', port: 7401 }, role: 'container', heartbeatMs: 1000, caps: {} })
 * // ... later
 * await agent.stop()
 * ```
 */
import pino from 'pino'
import type { Logger } from 'pino'
import type { Capabilities } from '../core/index.js'
import { AgentRuntime } from './agent.js'
import type { RuntimeInit } from './agent.js'
import { startApi } from './api.js'
import type { ApiServer } from './api.js'
import { systemClock } from './system-clock.js'
import { startBridge, withBridgeLabels } from './bridge-setup.js'
import type { AgentBridgeInit } from './bridge-setup.js'

export { AgentRuntime } from './agent.js'
export type { AgentBridgeInit } from './bridge-setup.js'
export { askBridge, askHost, hostsFor } from './bridge-client.js'
export { bridgeServiceOf } from './bridge-service.js'
export { buildStatus } from './status.js'
export { noDaemonsExecutor } from './maintenance.js'
export type { MaintenanceExecutor } from './maintenance.js'
export type { AgentStatus, MemberStatus } from './status.js'

export interface StartAgentInit {
  name: string
  dataDir: string
  listen: string[]
  bootstrap: string[]
  api: { host: string, port: number }
  role: 'container' | 'host'
  heartbeatMs: number
  /** Mesh-wide heartbeat budget per second. @default HEARTBEAT_MESH_RATE_PER_S_DEFAULT (the core's) */
  heartbeatMeshRate?: number
  caps: Record<string, string>
  /** meshfs flight recorder folder, or null/undefined for none. */
  recorder?: string | null
  /** Recorder flush interval. @default 2000 */
  flushMs?: number
  /** @default 'info' */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent'
  /** A logger to use instead of pino on stderr (tests). */
  log?: Logger
  /** Serve test-only endpoints (blocking the event loop on purpose). @default env HAUKI_MESH_TEST_HOOKS === '1' */
  testHooks?: boolean
  /** Shorter protocol periods for tests. */
  core?: RuntimeInit['core']
  /** Trusted admin public keys (hex), read from `--admin-key` files. @default [] */
  adminKeys?: string[]
  /** Drain this node's daemons before leaving at a clean shutdown. @default false */
  drainOnShutdown?: boolean
  /** Carries out drains and the like (tests). @default noDaemonsExecutor */
  maintenance?: RuntimeInit['maintenance']
  /** The host bridge (ZFS/LXC executor); used only with role `host`. @default none */
  bridge?: AgentBridgeInit
}

export interface RunningAgent {
  runtime: AgentRuntime
  api: ApiServer
  stop(): Promise<void>
}

/** Capabilities from `--role` and `--cap`: `services` (comma-separated) becomes the list of services offered. */
export function capabilitiesFrom (role: 'container' | 'host', caps: Record<string, string>): Capabilities {
  const labels: Record<string, string> = {}
  let services: string[] = []
  for (const [k, v] of Object.entries(caps)) {
    if (k === 'services') services = v.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
    else labels[k] = v
  }
  return { role, labels, services }
}

export async function startAgent (init: StartAgentInit): Promise<RunningAgent> {
  const log = init.log ?? pino({ name: 'mesh-agent', level: init.logLevel ?? 'info', base: { node: init.name } }, pino.destination(2))
  const runtime = new AgentRuntime({
    name: init.name,
    dataDir: init.dataDir,
    listen: init.listen,
    bootstrap: init.bootstrap,
    capabilities: withBridgeLabels(capabilitiesFrom(init.role, init.caps), init.role, init.bridge),
    heartbeatMs: init.heartbeatMs,
    clock: systemClock(),
    log,
    recorder: init.recorder === null || init.recorder === undefined ? undefined : { dir: init.recorder, flushMs: init.flushMs ?? 2000 },
    core: init.heartbeatMeshRate === undefined ? init.core : { ...init.core, heartbeatMeshRatePerS: init.heartbeatMeshRate },
    adminKeys: init.adminKeys,
    drainOnShutdown: init.drainOnShutdown,
    maintenance: init.maintenance
  })
  await runtime.start()
  await startBridge(runtime, init.role, init.bridge, init.dataDir, log)
  const api = await startApi(runtime, init.api.host, init.api.port, init.testHooks ?? process.env.HAUKI_MESH_TEST_HOOKS === '1')
  log.info({ api: api.url }, 'api listening')
  return {
    runtime,
    api,
    stop: async () => {
      await api.close()
      await runtime.stop()
    }
  }
}
