/**
 * fast-check arbitraries for replicated writes. Writes come from a few
 * origins over a few keys so that conflicts are common; every origin's writes
 * form a proper chain (increasing HLC, `prev` = the previous write's HLC), as
 * a real agent produces them.
 */
import fc from 'fast-check'
import { Replica } from '../../agent/core/index.js'
import type { Entry, Value } from '../../agent/core/index.js'

export const ORIGINS = ['a', 'b', 'c', 'd'] as const

const NODE_FIELDS = ['f0', 'caps', 'heartbeat', 'rtt'] as const

const writeSpec = fc.record({
  origin: fc.constantFrom(...ORIGINS),
  family: fc.constantFrom('node', 'member', 'snapshot', 'snapshot-delete'),
  slot: fc.integer({ min: 0, max: 3 }),
  gap: fc.integer({ min: 1, max: 5000 }),
  value: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom('x', 'y'), fc.constant(true)),
  incarnation: fc.integer({ min: 1, max: 3 }),
  status: fc.constantFrom('alive', 'suspect', 'dead', 'left')
})

type WriteSpec = typeof writeSpec extends fc.Arbitrary<infer T> ? T : never

/** Turn raw specs into valid chained writes (HLCs interleave across origins). */
function toWrites (specs: WriteSpec[]): Entry[] {
  const last = new Map<string, number>()
  let clock = 1_000_000
  const out: Entry[] = []
  for (const s of specs) {
    clock += s.gap
    const prev = last.get(s.origin) ?? 0
    const hlc = clock
    last.set(s.origin, hlc)
    let key: string
    let value: Value
    if (s.family === 'node') {
      // Fields the replica keeps in its per-node row, and one it keeps apart.
      key = `node/${s.origin}/${NODE_FIELDS[s.slot] as string}`
      value = s.value
    } else if (s.family === 'member') {
      const target = ORIGINS[s.slot] as string
      // Only a node itself may say it is alive or left.
      const status = target === s.origin ? s.status : (s.status === 'alive' || s.status === 'left' ? 'suspect' : s.status)
      key = `member/${target}`
      value = { incarnation: s.incarnation, status }
    } else {
      key = `snapshot/s${s.slot}`
      value = s.family === 'snapshot-delete' ? null : s.value
    }
    out.push({ key, value, hlc, origin: s.origin, prev })
  }
  return out
}

export const writesArb = fc.array(writeSpec, { minLength: 1, maxLength: 60 }).map(toWrites)

export function replicaOf (entries: Iterable<Entry>): Replica {
  const r = new Replica()
  for (const e of entries) r.merge(e)
  return r
}

/** The replica's live view as a plain object, for deep comparisons. */
export function stateOf (r: Replica): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const e of r.all()) out[e.key] = e
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
