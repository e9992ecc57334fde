/**
 * Anti-entropy messages and the pure steps of one push-pull round between a
 * requester Q and a responder R (the runtime carries them over streams):
 *
 *   Q -> R  hello     Q's digest folded to a few top buckets (tens of bytes)
 *   R -> Q  versions  empty: the states agree, the round ends here; or, when
 *                     the hello was already at the round's fine level, R's
 *                     versions in the buckets that differ
 *        or digest    R's fine buckets under the top buckets that differ
 *   Q -> R  want      the fine buckets that differ          (after a digest)
 *   R -> Q  versions  R's origin versions in them
 *   Q -> R  push      Q's versions there + every write R misses
 *   R -> Q  delta     every write Q misses
 *
 * The digest is a two-level tree (Merkle-style): `bucketCount` fine buckets,
 * folded to `buckets.length` top buckets in the hello (fine bucket i lies in
 * top bucket i mod topCount). In steady state nearly every round finds the
 * states equal after the first exchange; a round that finds them unequal
 * pays one more exchange to learn which fine buckets differ.
 *
 * Each side merges what it received and then raises its versions to the
 * sender's for the origins whose sections arrived whole (`complete`).
 */
import { DIGEST_BUCKETS_FINE, DIGEST_ORIGINS_PER_BUCKET, SYNC_DELTA_ENTRIES_MAX, SYNC_HELLO_BUCKETS } from './constants.js'
import type { OriginVersion, Replica } from './replica.js'
import type { Entry } from './types.js'

/** `buckets`: the digest folded to a power of two of top buckets, at most `bucketCount`. */
export interface SyncHello { bucketCount: number, buckets: number[] }
/** R's fine buckets (`buckets`, in the order of `top`, then by fine index) under the top buckets `top` that differ. */
export interface SyncDigest { bucketCount: number, topCount: number, top: number[], buckets: number[] }
/** The fine buckets Q found different (strictly increasing): empty means nothing to do. */
export interface SyncWant { bucketCount: number, buckets: number[] }
export interface SyncVersions { bucketCount: number, buckets: number[], versions: OriginVersion[] }
export interface SyncPush { bucketCount: number, buckets: number[], versions: OriginVersion[], entries: Entry[], complete: OriginVersion[] }
export interface SyncDelta { entries: Entry[], complete: OriginVersion[] }
/** R's answer to a hello. */
export type SyncAnswer = ({ t: 'versions' } & SyncVersions) | ({ t: 'digest' } & SyncDigest)

/** Buckets for a digest: about DIGEST_ORIGINS_PER_BUCKET origins each, a power of two in [1, 1024]. */
export function bucketCountFor (origins: number): number {
  let n = 1
  while (n < DIGEST_BUCKETS_FINE && n * DIGEST_ORIGINS_PER_BUCKET < origins) n *= 2
  return n
}

export function isBucketCount (n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= DIGEST_BUCKETS_FINE && (n & (n - 1)) === 0
}

/** Fine index of the `k`-th fine bucket under top bucket `top` (fine bucket i lies in top bucket i mod topCount). */
function fineIndex (top: number, k: number, topCount: number): number {
  return top + k * topCount
}

/** Q's hello: the round works at `bucketCountFor(originCount)` fine buckets and opens with at most SYNC_HELLO_BUCKETS. */
export function syncHello (r: Replica, originCount: number, helloBuckets = SYNC_HELLO_BUCKETS): SyncHello {
  const bucketCount = bucketCountFor(originCount)
  return { bucketCount, buckets: r.digest(Math.min(bucketCount, helloBuckets)) }
}

/**
 * R's answer to a hello. At the fine level (`buckets.length === bucketCount`)
 * that is R's versions in the buckets that differ; above it, the versions
 * frame with no buckets if the top buckets agree, else a digest of R's fine
 * buckets under the top buckets that differ.
 */
export function syncAnswer (r: Replica, hello: SyncHello): SyncAnswer {
  const topCount = hello.buckets.length
  if (topCount === hello.bucketCount) return { t: 'versions', ...syncVersions(r, hello) }
  const top = r.differingBuckets(hello.buckets)
  if (top.length === 0) return { t: 'versions', bucketCount: hello.bucketCount, buckets: [], versions: [] }
  const fine = r.digest(hello.bucketCount)
  const perTop = hello.bucketCount / topCount
  const buckets: number[] = []
  for (const t of top) for (let k = 0; k < perTop; k++) buckets.push(fine[fineIndex(t, k, topCount)] as number)
  return { t: 'digest', bucketCount: hello.bucketCount, topCount, top, buckets }
}

/** Q compares R's fine buckets with its own: the ones that differ, in increasing order. */
export function syncWant (r: Replica, d: SyncDigest): SyncWant {
  const fine = r.digest(d.bucketCount)
  const perTop = d.bucketCount / d.topCount
  const buckets: number[] = []
  for (let j = 0; j < d.top.length; j++) {
    for (let k = 0; k < perTop; k++) {
      const i = fineIndex(d.top[j] as number, k, d.topCount)
      if (fine[i] !== d.buckets[j * perTop + k]) buckets.push(i)
    }
  }
  buckets.sort((a, b) => a - b)
  return { bucketCount: d.bucketCount, buckets }
}

/** R's versions in the fine buckets Q wants. */
export function syncWanted (r: Replica, want: SyncWant): SyncVersions {
  return { bucketCount: want.bucketCount, buckets: want.buckets, versions: r.versionsInBuckets(want.buckets, want.bucketCount) }
}

/** R's answer to a hello at the fine level: empty `buckets` means the states already agree. */
export function syncVersions (r: Replica, hello: SyncHello): SyncVersions {
  const buckets = r.differingBuckets(hello.buckets)
  return { bucketCount: hello.bucketCount, buckets, versions: r.versionsInBuckets(buckets, hello.bucketCount) }
}

export function syncPush (r: Replica, v: SyncVersions, entriesMax = SYNC_DELTA_ENTRIES_MAX): SyncPush {
  const delta = r.deltaFor(v.versions, v.buckets, v.bucketCount, entriesMax)
  return { bucketCount: v.bucketCount, buckets: v.buckets, versions: r.versionsInBuckets(v.buckets, v.bucketCount), entries: delta.entries, complete: delta.complete }
}

/** R computes Q's delta from Q's versions; call before merging the push. */
export function syncDelta (r: Replica, push: SyncPush, entriesMax = SYNC_DELTA_ENTRIES_MAX): SyncDelta {
  const delta = r.deltaFor(push.versions, push.buckets, push.bucketCount, entriesMax)
  return { entries: delta.entries, complete: delta.complete }
}
