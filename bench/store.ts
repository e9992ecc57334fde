/**
 * Benchmark of agent/store: entries persisted per second through enqueue and
 * flush, and the time to load them back, on a real LevelDB in a temp folder.
 * It prints figures; it asserts nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Entry, OriginVersion } from '../agent/core/index.js'
import { openStore } from '../agent/store/index.js'

interface Figure { name: string, value: number, unit: string }

const ENTRIES = 100_000
/** Entries per persist effect, about what a busy core step emits. */
const EFFECT_ENTRIES = 100
const ORIGINS = 1_000
const HLC0 = 2 ** 40

/** A heartbeat-like entry whose JSON value is about 150 bytes. */
function entry (i: number): Entry {
  const origin = `node-${i % ORIGINS}`
  const hlc = HLC0 + i * 3
  return {
    key: `node/${origin}/f${Math.floor(i / ORIGINS)}`,
    value: { alive: true, uptimeS: 86_400 + i, load: [0.42, 0.37, 0.31], memUsedMb: 1843, memTotalMb: 4096, role: 'container', zone: 'hel1-rack07', net: 'ok', seq: i },
    hlc,
    origin,
    prev: i < ORIGINS ? 0 : hlc - 3 * ORIGINS
  }
}

function effects (): Array<{ entries: Entry[], versions: OriginVersion[], hlc: number }> {
  const out = []
  for (let i = 0; i < ENTRIES; i += EFFECT_ENTRIES) {
    const entries = Array.from({ length: EFFECT_ENTRIES }, (_, j) => entry(i + j))
    const versions: OriginVersion[] = entries.map((e) => [e.origin, e.hlc, e.hlc])
    out.push({ entries, versions, hlc: entries.at(-1)?.hlc ?? HLC0 })
  }
  return out
}

/**
 * Persist ENTRIES entries as a core would hand them over: effect after effect,
 * yielding to the event loop between effects so background batches run while
 * more arrive. The clock stops when the final flush is durable.
 */
async function persistRun (path: string, batchEntriesMax: number): Promise<{ seconds: number, batches: number }> {
  const work = effects()
  const store = await openStore({ path, batchEntriesMax })
  const startedMs = performance.now()
  for (const e of work) {
    store.enqueue({ entries: e.entries, deletes: [], versions: e.versions, hlc: e.hlc, incarnation: 1 })
    await new Promise<void>((resolve) => { setImmediate(resolve) })
  }
  await store.flush()
  const seconds = (performance.now() - startedMs) / 1000
  const batches = store.stats.batches
  await store.close()
  return { seconds, batches }
}

export async function benchStore (): Promise<Figure[]> {
  const figures: Figure[] = []
  const root = await mkdtemp(join(tmpdir(), 'hauki-bench-store-'))
  try {
    for (const batchEntriesMax of [1024, 8192]) {
      const path = join(root, `b${batchEntriesMax}`)
      const run = await persistRun(path, batchEntriesMax)
      figures.push({ name: `store: persist ${ENTRIES} entries, batchEntriesMax ${batchEntriesMax}`, value: Math.round(ENTRIES / run.seconds), unit: 'entries/s' })
      figures.push({ name: `store: batches for ${ENTRIES} entries, batchEntriesMax ${batchEntriesMax}`, value: run.batches, unit: 'batches' })
    }
    const store = await openStore({ path: join(root, 'b1024') })
    const startedMs = performance.now()
    const state = await store.load()
    const loadMs = performance.now() - startedMs
    await store.close()
    if (state.entries.length !== ENTRIES) throw new Error(`bench: loaded ${state.entries.length} entries, expected ${ENTRIES}`)
    figures.push({ name: `store: load ${ENTRIES} entries`, value: Math.round(loadMs), unit: 'ms' })
    figures.push({ name: 'store: load rate', value: Math.round(ENTRIES / (loadMs / 1000)), unit: 'entries/s' })
  } finally {
    await rm(root, { recursive: true, force: true })
  }
  return figures
}
