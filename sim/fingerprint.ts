/**
 * An order-independent fingerprint of a node's whole replicated state (every
 * entry: key, stamp and value), for the "identical state" checker. It is the
 * same idea as `Replica.fingerprint()`, but caches each entry's hash by
 * object: the simulator hands one entry object to every node, so checking
 * 1,000 replicas hashes each entry once instead of 1,000 times.
 */
import { canonicalJson } from '../agent/core/index.js'
import type { Entry } from '../agent/core/index.js'

const cache = new WeakMap<Entry, number>()

function fnv (s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

function entryHash (e: Entry): number {
  let h = cache.get(e)
  if (h === undefined) {
    h = fnv(`${e.key}\u0000${e.hlc}\u0000${e.origin}\u0000${canonicalJson(e.value)}`)
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0
    cache.set(e, h)
  }
  return h
}

/** What `stateFingerprints` reads of a replica. */
export interface FingerprintSource {
  rowPoolIds: () => Int32Array
  pooled: (id: number) => Entry
  otherEntries: () => Iterable<Entry>
}

/**
 * The fingerprints of many replicas that share one entry pool, taken at one
 * moment (nothing changes in between): each pooled entry is hashed once, by
 * pool id, and a node's rows are folded as an array of ids (10,000 nodes
 * hold 40,000 entries each: 4 x 10^8 slots, read without touching an entry
 * object). `undefined` (a node without a core) gives 'none'.
 */
export function stateFingerprints (replicas: readonly (FingerprintSource | undefined)[]): string[] {
  let known = new Uint8Array(1024)
  let hashes = new Uint32Array(1024)
  // The last rows folded and what they folded to: converged nodes hold the same ids in the same
  // slots, and comparing two arrays costs a fraction of folding one.
  let lastRows: Int32Array | undefined
  let last = { n: 0, x: 0, sum: 0 }
  return replicas.map((r) => {
    if (r === undefined) return 'none'
    const rows = r.rowPoolIds()
    let { n, x, sum } = last
    if (lastRows === undefined || !sameIds(rows, lastRows)) {
      n = 0
      x = 0
      sum = 0
      for (let i = 0; i < rows.length; i++) {
        const p = rows[i] as number
        if (p === 0) continue
        const id = p - 1
        if (id >= known.length) {
          const size = Math.max(id + 1, known.length * 2)
          const k = new Uint8Array(size)
          k.set(known)
          known = k
          const h = new Uint32Array(size)
          h.set(hashes)
          hashes = h
        }
        let h: number
        if (known[id] === 1) {
          h = hashes[id] as number
        } else {
          h = entryHash(r.pooled(id))
          hashes[id] = h
          known[id] = 1
        }
        n++
        x = (x ^ h) >>> 0
        // Modulo 2^32 as an integer operation (both terms are below 2^32); `%` on doubles cost more than the rest of the loop.
        sum = (sum + h) >>> 0
      }
      lastRows = rows
      last = { n, x, sum }
    }
    for (const e of r.otherEntries()) {
      const h = entryHash(e)
      n++
      x = (x ^ h) >>> 0
      sum = (sum + h) >>> 0
    }
    return `${n}:${x.toString(16)}:${sum.toString(16)}`
  })
}

/** Whether two rows arrays hold the same pool ids (the slots past the shorter one's end empty). */
function sameIds (a: Int32Array, b: Int32Array): boolean {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false
  for (let i = n; i < a.length; i++) if (a[i] !== 0) return false
  for (let i = n; i < b.length; i++) if (b[i] !== 0) return false
  return true
}
