/**
 * Delta propagation across 20 in-process agents (real libp2p on loopback,
 * real LevelDB, default core periods): how long after an agent writes an own
 * field does each other agent hold it. Arrival is detected exactly, by
 * wrapping each runtime's `input` and checking, after every `entries` input,
 * whether a key still awaited there has landed in the replica.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Input } from '../agent/core/index.js'
import type { RunningAgent } from '../agent/runtime/index.js'
import type { Figure } from './core.js'
import { startInProcessAgents } from './mesh-inprocess.js'
import { mean, percentile, round, sleep, waitFor } from './mesh-util.js'

export interface DeltaOptions {
  agents: number
  writes: number
  spacingMs: number
  /** A delivery later than this after its write counts as missing. */
  missingAfterMs: number
}

export const DELTA_DEFAULTS: DeltaOptions = { agents: 20, writes: 200, spacingMs: 20, missingAfterMs: 5_000 }

function allSeeAllAlive (agents: RunningAgent[]): boolean {
  return agents.every((a) => {
    const members = [...a.runtime.core.members.all()]
    return members.length === agents.length && members.every((m) => m.status === 'alive')
  })
}

export async function benchDelta (opt: DeltaOptions = DELTA_DEFAULTS): Promise<Figure[]> {
  const root = await mkdtemp(join(tmpdir(), 'hauki-bench-mesh-'))
  const agents: RunningAgent[] = []
  try {
    const t0 = performance.now()
    await startInProcessAgents(root, opt.agents, 'bench', agents)
    const startedMs = performance.now() - t0
    await waitFor(`all ${opt.agents} in-process agents see all ${opt.agents} alive`, () => allSeeAllAlive(agents), 90_000, 20)
    const formedMs = performance.now() - t0
    const connections = agents.map((a) => a.runtime.node.getConnections().length)

    // Per receiver: awaited key -> time of its write.
    const awaited = new Map<RunningAgent, Map<string, number>>()
    const latencies: number[] = []
    let viaSync = 0
    for (const a of agents) {
      const rt = a.runtime
      const mine = new Map<string, number>()
      awaited.set(a, mine)
      const original = rt.input.bind(rt)
      rt.input = (input: Input): void => {
        original(input)
        if (input.kind !== 'entries' || mine.size === 0) return
        const now = performance.now()
        for (const e of input.entries) {
          const wroteAt = mine.get(e.key)
          if (wroteAt === undefined || rt.core.replica.get(e.key) === undefined) continue
          mine.delete(e.key)
          latencies.push(now - wroteAt)
          if (input.source === 'sync') viaSync++
        }
      }
    }

    const writesStart = performance.now()
    for (let i = 0; i < opt.writes; i++) {
      await sleep(writesStart + i * opt.spacingMs - performance.now())
      const writer = agents[Math.floor(Math.random() * agents.length)] as RunningAgent
      const key = `node/${writer.runtime.name}/bench-${i}`
      const at = performance.now()
      for (const a of agents) if (a !== writer) (awaited.get(a) as Map<string, number>).set(key, at)
      writer.runtime.input({ kind: 'write-own', field: `bench-${i}`, value: i })
    }
    const outstanding = (): number => [...awaited.values()].reduce((s, m) => s + m.size, 0)
    await waitFor('every write reaches every agent', () => outstanding() === 0, opt.missingAfterMs, 10).catch(() => {})
    const pairs = opt.writes * (opt.agents - 1)
    const missing = outstanding() + latencies.filter((l) => l > opt.missingAfterMs).length
    return [
      { name: `mesh: ${opt.agents} in-process agents started, one by one`, value: Math.round(startedMs), unit: 'ms' },
      { name: `mesh: until all ${opt.agents} see all ${opt.agents} alive (from first start)`, value: Math.round(formedMs), unit: 'ms' },
      { name: 'mesh: libp2p connections per agent when writes start (mean)', value: round(mean(connections)), unit: 'connections' },
      { name: `mesh: delta propagation p50 (${opt.writes} writes x ${opt.agents - 1} receivers, every ${opt.spacingMs} ms)`, value: round(percentile(latencies, 50), 2), unit: 'ms' },
      { name: 'mesh: delta propagation p99', value: round(percentile(latencies, 99), 2), unit: 'ms' },
      { name: 'mesh: delta propagation max', value: round(Math.max(...latencies), 2), unit: 'ms' },
      { name: `mesh: deliveries missing after ${opt.missingAfterMs / 1000} s (of ${pairs})`, value: missing, unit: 'deliveries' },
      { name: 'mesh: deliveries that first arrived by anti-entropy sync, not gossip', value: viaSync, unit: 'deliveries' }
    ]
  } finally {
    await Promise.all(agents.map(async (a) => await a.stop().catch(() => {})))
    await rm(root, { recursive: true, force: true })
  }
}
