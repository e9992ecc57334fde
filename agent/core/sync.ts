/**
 * Anti-entropy messages and the pure steps of one push-pull round between a
 * requester Q and a responder R (the runtime carries them over a stream):
 *
 *   Q -> R  hello     digest folded to a few buckets (bytes, not kilobytes)
 *   R -> Q  versions  R's origin versions in the buckets that differ
 *   Q -> R  push      Q's versions there + every write R misses
 *   R -> Q  delta     every write Q misses
 *
 * Each side merges what it received and then raises its versions to the
 * sender's for the origins whose sections arrived whole (`complete`).
 */
import { DIGEST_BUCKETS_FINE, DIGEST_ORIGINS_PER_BUCKET, SYNC_DELTA_ENTRIES_MAX } from './constants.js'
import type { OriginVersion, Replica } from './replica.js'
import type { Entry } from './types.js'

export interface SyncHello { bucketCount: number, buckets: number[] }
export interface SyncVersions { bucketCount: number, buckets: number[], versions: OriginVersion[] }
export interface SyncPush { bucketCount: number, buckets: number[], versions: OriginVersion[], entries: Entry[], complete: OriginVersion[] }
export interface SyncDelta { entries: Entry[], complete: OriginVersion[] }

/** Buckets for a digest: about DIGEST_ORIGINS_PER_BUCKET origins each, a power of two in [1, 1024]. */
export function bucketCountFor (origins: number): number {
  let n = 1
  while (n < DIGEST_BUCKETS_FINE && n * DIGEST_ORIGINS_PER_BUCKET < origins) n *= 2
  return n
}

export function isBucketCount (n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= DIGEST_BUCKETS_FINE && (n & (n - 1)) === 0
}

export function syncHello (r: Replica, originCount: number): SyncHello {
  const bucketCount = bucketCountFor(originCount)
  return { bucketCount, buckets: r.digest(bucketCount) }
}

/** R's answer to a hello: empty `buckets` means the states already agree. */
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
