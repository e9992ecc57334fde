/**
 * Delta propagation across 20 in-process agents (real libp2p on loopback,
 * real LevelDB, default core periods): how long after an agent writes an own
 * field does each other agent hold it. Arrival is detected exactly, by
 * wrapping each runtime's `input` and checking, after every `entries` input,
 * whether a key still awaited there has landed in the replica.
 *
 * What is measured is the mesh at rest, as it runs for days: the writes start
 * once every agent is connected to every other (SWIM probes open those
 * connections one per period, so for about 20 s after "all alive" every
 * agent is still dialling, with Noise handshakes, identify and gossipsub
 * grafts on the same event loop as the writes), and after `warmupWrites`
 * unmeasured writes (the first writes of a run also pay for compiling the
 * delivery path).
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
  /** Writes made (at the same spacing) and waited for before the measured ones. */
  warmupWrites: number
  spacingMs: number
  /** A delivery later than this after its write counts as missing. */
  missingAfterMs: number
  /** Stop waiting for every agent to be connected to every other after this, and measure anyway. */
  connectDeadlineMs: number
}

export const DELTA_DEFAULTS: DeltaOptions = { agents: 20, writes: 200, warmupWrites: 50, spacingMs: 20, missingAfterMs: 5_000, connectDeadlineMs: 60_000 }

function allSeeAllAlive (agents: RunningAgent[]): boolean {
  return agents.every((a) => {
    const members = [...a.runtime.core.members.all()]
    return members.length === agents.length && members.every((m) => m.status === 'alive')
  })
}

/** Other agents an agent has an open connection to. */
function peersConnected (a: RunningAgent): number {
  return new Set(a.runtime.node.getConnections().filter((c) => c.status === 'open').map((c) => c.remotePeer.toString())).size
}

/** Write own fields `<prefix>-<i>` at random agents, one every `spacingMs`; `onWrite` is told just before each write. */
async function writeAtRandom (agents: RunningAgent[], count: number, spacingMs: number, prefix: string, onWrite: (writer: RunningAgent, key: string) => void): Promise<void> {
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    await sleep(start + i * spacingMs - performance.now())
    const writer = agents[Math.floor(Math.random() * agents.length)] as RunningAgent
    onWrite(writer, `node/${writer.runtime.name}/${prefix}-${i}`)
    writer.runtime.input({ kind: 'write-own', field: `${prefix}-${i}`, value: i })
  }
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
    const everyoneConnected = (): boolean => agents.every((a) => peersConnected(a) >= agents.length - 1)
    const connected = await waitFor(`every agent connected to the ${opt.agents - 1} others`, everyoneConnected, opt.connectDeadlineMs, 100).then(() => true, () => false)
    const connectedMs = performance.now() - t0
    const connections = agents.map(peersConnected)

    const warm: Array<[RunningAgent, string]> = []
    await writeAtRandom(agents, opt.warmupWrites, opt.spacingMs, 'warmup', (writer, key) => { for (const a of agents) if (a !== writer) warm.push([a, key]) })
    await waitFor('every warm-up write reaches every agent', () => warm.every(([a, key]) => a.runtime.core.replica.get(key) !== undefined), opt.missingAfterMs, 10).catch(() => {})

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
    await writeAtRandom(agents, opt.writes, opt.spacingMs, 'bench', (writer, key) => {
      const at = performance.now()
      for (const a of agents) if (a !== writer) (awaited.get(a) as Map<string, number>).set(key, at)
    })
    // Longer than writes x spacing when the shared event loop could not keep up with the pace.
    const writesMs = performance.now() - writesStart
    const outstanding = (): number => [...awaited.values()].reduce((s, m) => s + m.size, 0)
    await waitFor('every write reaches every agent', () => outstanding() === 0, opt.missingAfterMs, 10).catch(() => {})
    const pairs = opt.writes * (opt.agents - 1)
    const missing = outstanding() + latencies.filter((l) => l > opt.missingAfterMs).length
    return [
      { name: `mesh: ${opt.agents} in-process agents started, one by one`, value: Math.round(startedMs), unit: 'ms' },
      { name: `mesh: until all ${opt.agents} see all ${opt.agents} alive (from first start)`, value: Math.round(formedMs), unit: 'ms' },
      { name: `mesh: until every agent is connected to every other (from first start${connected ? '' : `; not by the ${opt.connectDeadlineMs / 1000} s deadline`})`, value: connected ? Math.round(connectedMs) : Number.NaN, unit: 'ms' },
      { name: 'mesh: other agents each agent is connected to when writes start (mean)', value: round(mean(connections)), unit: 'peers' },
      { name: `mesh: delta propagation p50 (${opt.writes} writes x ${opt.agents - 1} receivers, every ${opt.spacingMs} ms, after ${opt.warmupWrites} unmeasured)`, value: round(percentile(latencies, 50), 2), unit: 'ms' },
      { name: `mesh: time taken to make the ${opt.writes} measured writes (${(opt.writes - 1) * opt.spacingMs} ms if the event loop keeps up)`, value: Math.round(writesMs), unit: 'ms' },
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
