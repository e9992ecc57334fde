/**
 * An in-process mesh with one host agent serving the bridge on a real
 * zfs-fuse pool and some container agents, sharing one recorder folder.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { startAgent } from '../../agent/runtime/index.js'
import type { AgentBridgeInit, RunningAgent } from '../../agent/runtime/index.js'
import { FAST_CORE } from './mesh.js'

export interface BridgeMesh {
  root: string
  recorder: string
  agents: Map<string, RunningAgent>
  get(name: string): RunningAgent
  close(): Promise<void>
}

export async function createBridgeMesh (host: { name: string, bridge: AgentBridgeInit }, containers: string[]): Promise<BridgeMesh> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'bridge-mesh-'))
  const recorder = path.join(root, 'meshfs')
  const agents = new Map<string, RunningAgent>()
  const start = async (name: string, role: 'host' | 'container', bridge?: AgentBridgeInit): Promise<RunningAgent> => {
    const first = agents.values().next().value as RunningAgent | undefined
    const agent = await startAgent({
      name,
      dataDir: path.join(root, name),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: first === undefined ? [] : [first.runtime.addrs.find((a) => a.includes('/tcp/')) as string],
      api: { host: '127.0.0.1', port: 0 },
      role,
      heartbeatMs: 1000,
      caps: {},
      log: pino({ level: 'silent' }),
      recorder,
      flushMs: 100,
      core: FAST_CORE,
      bridge
    })
    agents.set(name, agent)
    return agent
  }
  await start(host.name, 'host', host.bridge)
  for (const c of containers) await start(c, 'container')
  return {
    root,
    recorder,
    agents,
    get: (name) => {
      const a = agents.get(name)
      if (a === undefined) throw new Error(`no agent ${name}`)
      return a
    },
    close: async () => {
      await Promise.all([...agents.values()].map(async (a) => await a.stop().catch(() => {})))
      await rm(root, { recursive: true, force: true })
    }
  }
}

/** POST a JSON body to an agent's API. */
export async function post (agent: RunningAgent, p: string, body: unknown): Promise<{ status: number, body: Record<string, unknown> }> {
  const res = await fetch(`${agent.api.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, body: await res.json() as Record<string, unknown> }
}
