/**
 * Benchmarks of the pure core: merge throughput and the cost of one
 * anti-entropy comparison. They print figures; they assert nothing.
 */
import { performance } from 'node:perf_hooks'
import { Replica, syncDelta, syncHello, syncPush, syncVersions } from '../agent/core/index.js'
import type { Entry } from '../agent/core/index.js'

export interface Figure { name: string, value: number, unit: string }

const HLC0 = 2 ** 40

function heartbeat (origin: string, i: number, hlc: number, prev: number): Entry {
  return {
    key: `node/${origin}/heartbeat`,
    value: { uptimeS: i, load: [0.5, 0.4, 0.3], memory: { usedBytes: 123_456_789, totalBytes: 1_073_741_824 }, incarnation: 1, seq: i, intervalMs: 1000 },
    hlc,
    origin,
    prev
  }
}

/** Entries from `origins` nodes, `perOrigin` writes each, interleaved as gossip delivers them. */
function workload (origins: number, perOrigin: number, keysPerOrigin: number): Entry[] {
  const out: Entry[] = []
  const prev = new Array<number>(origins).fill(0)
  let hlc = HLC0
  for (let round = 0; round < perOrigin; round++) {
    for (let o = 0; o < origins; o++) {
      hlc += 3
      const origin = `node-${o}`
      const e = heartbeat(origin, round, hlc, prev[o] as number)
      if (keysPerOrigin > 1) e.key = `node/${origin}/f${round % keysPerOrigin}`
      prev[o] = hlc
      out.push(e)
    }
  }
  return out
}

function mergeThroughput (): Figure {
  const entries = workload(10_000, 60, 5) // 600k writes over 50k keys
  const r = new Replica()
  // Warm up the JIT on a separate replica.
  const warm = new Replica()
  for (let i = 0; i < 50_000; i++) warm.merge(entries[i] as Entry)
  const t0 = performance.now()
  for (const e of entries) r.merge(e)
  const ms = performance.now() - t0
  return { name: 'core: entries merged per second (in memory, 10k origins)', value: Math.round(entries.length / (ms / 1000)), unit: 'merges/s' }
}

function digestAndDelta (): Figure[] {
  const entries = workload(2_000, 5, 5) // 10,000 keys from 2,000 origins
  const full = new Replica()
  const behind = new Replica()
  for (const e of entries) full.merge(e)
  // The lagging replica misses the last 1 % of writes (spread over many origins).
  for (const e of entries.slice(0, entries.length - 100)) behind.merge(e)
  const runs = 50
  let totalMs = 0
  let sent = 0
  for (let i = 0; i < runs + 5; i++) {
    const t0 = performance.now()
    const hello = syncHello(behind, behind.originCount)
    const versions = syncVersions(full, hello)
    const push = syncPush(behind, versions)
    const delta = syncDelta(full, push)
    const ms = performance.now() - t0
    if (i >= 5) { totalMs += ms; sent = delta.entries.length }
  }
  const fullScanT0 = performance.now()
  const versions = syncVersions(behind, { bucketCount: 1, buckets: [0] })
  const push = syncPush(full, versions)
  const fullScanMs = performance.now() - fullScanT0
  return [
    { name: `core: digest + delta, 10,000 entries, 1 % missing (${sent} entries found)`, value: +(totalMs / runs).toFixed(3), unit: 'ms' },
    { name: `core: delta with no digest help, 10,000 entries (${push.entries.length} entries found)`, value: +fullScanMs.toFixed(3), unit: 'ms' }
  ]
}

export function benchCore (): Figure[] {
  return [mergeThroughput(), ...digestAndDelta()]
}
