/**
 * In-process meshes of real agents (real libp2p on loopback, real LevelDB in
 * temp folders) for integration tests. Protocol periods are shortened so
 * tests finish quickly; the logic is the production logic.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { hashString } from '../../agent/core/hash.js'
import { canonicalJson } from '../../agent/core/index.js'
import type { Replica } from '../../agent/core/index.js'
import { startAgent } from '../../agent/runtime/index.js'
import type { MaintenanceExecutor, RunningAgent, StartAgentInit } from '../../agent/runtime/index.js'

export const FAST_CORE = { probeIntervalMs: 500, probeTimeoutMs: 200, syncIntervalMs: 1000, suspicionMult: 4 }

export interface TestMeshInit {
  /** Recorder folder shared by every agent, if any. */
  recorder?: string
  flushMs?: number
  /** Trusted admin public keys (hex) of every agent. */
  adminKeys?: string[]
  /** Core options on top of FAST_CORE. */
  core?: StartAgentInit['core']
  /** The maintenance executor of an agent, by name (default: none supervised, all work done at once). */
  maintenance?: (name: string) => MaintenanceExecutor | undefined
  drainOnShutdown?: boolean
  /** Capabilities of an agent, by name. @default { zone: 'test' } */
  caps?: (name: string) => Record<string, string>
}

export interface TestMesh {
  root: string
  agents: Map<string, RunningAgent>
  start(name: string, bootstrap?: string[]): Promise<RunningAgent>
  bootstrapAddr(): string
  close(): Promise<void>
}

export async function createTestMesh (names: string[], init: TestMeshInit = {}): Promise<TestMesh> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'hauki-mesh-'))
  const agents = new Map<string, RunningAgent>()
  const mesh: TestMesh = {
    root,
    agents,
    bootstrapAddr () {
      const first = agents.values().next().value as RunningAgent
      return first.runtime.addrs.find((a) => a.includes('/tcp/')) as string
    },
    async start (name, bootstrap) {
      const agent = await startAgent({
        name,
        dataDir: path.join(root, name),
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap: bootstrap ?? (agents.size > 0 ? [mesh.bootstrapAddr()] : []),
        api: { host: '127.0.0.1', port: 0 },
        role: 'container',
        heartbeatMs: 1000,
        caps: init.caps?.(name) ?? { zone: 'test' },
        log: pino({ level: 'silent' }),
        recorder: init.recorder,
        flushMs: init.flushMs,
        core: { ...FAST_CORE, ...init.core },
        adminKeys: init.adminKeys,
        maintenance: init.maintenance?.(name),
        drainOnShutdown: init.drainOnShutdown
      })
      agents.set(name, agent)
      return agent
    },
    async close () {
      await Promise.all([...agents.values()].map(async (a) => await a.stop().catch(() => {})))
      await rm(root, { recursive: true, force: true })
    }
  }
  for (const n of names) await mesh.start(n)
  return mesh
}

/** A fingerprint of the state without the fields that change every second (heartbeats, RTT). */
export function stableFingerprint (r: Replica): string {
  let h = 0
  let n = 0
  for (const e of r.all()) {
    if (e.key.endsWith('/heartbeat') || e.key.endsWith('/rtt')) continue
    n++
    h = (h ^ hashString(`${e.key}|${e.hlc}|${e.origin}|${canonicalJson(e.value)}`)) >>> 0
  }
  return `${n}:${h.toString(16)}`
}

export function livenessAt (agent: RunningAgent, member: string): string | undefined {
  return agent.runtime.core.members.get(member)?.status
}
