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

/** Hashes by pool id (`Replica.forEachWithId`), with the entry each was computed for: ids are reused. */
let byId: (Entry | undefined)[] = []
let hashById = new Uint32Array(1024)

function hashWithId (e: Entry, id: number): number {
  if (id < 0) return entryHash(e)
  if (byId[id] === e) return hashById[id] as number
  const h = entryHash(e)
  if (id >= hashById.length) {
    const grown = new Uint32Array(Math.max(id + 1, hashById.length * 2))
    grown.set(hashById)
    hashById = grown
  }
  byId[id] = e
  hashById[id] = h
  return h
}

/** Forget the cached hashes by pool id (they hold their entries). */
export function clearFingerprintCache (): void {
  byId = []
  hashById = new Uint32Array(1024)
}

/**
 * Of every entry a replica holds (10,000 nodes hold 40,000 entries each): a
 * node's rows are walked in order and each entry's hash found by its pool id,
 * which keeps a node's fingerprint a pass over arrays in cache.
 */
export function stateFingerprint (replica: { forEachWithId: (fn: (e: Entry, id: number) => void) => void }): string {
  let n = 0
  let x = 0
  let sum = 0
  replica.forEachWithId((e, id) => {
    const h = hashWithId(e, id)
    n++
    x = (x ^ h) >>> 0
    // Modulo 2^32 as an integer operation (both terms are below 2^32); `%` on doubles cost more than the rest of the loop.
    sum = (sum + h) >>> 0
  })
  return `${n}:${x.toString(16)}:${sum.toString(16)}`
}
