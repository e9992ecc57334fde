/**
 * Sync frames: the anti-entropy exchange on SYNC_PROTOCOL, one CBOR map per
 * length-prefixed frame, told apart by `t`:
 *
 *   Q -> R  hello     { bucketCount, buckets: uint32[topCount] }   topCount a power of two <= bucketCount
 *   R -> Q  versions  { bucketCount, buckets: indices, versions }  (empty: the states agree)
 *        or digest    { bucketCount, topCount, top: indices below topCount,
 *                       buckets: uint32[top.length * bucketCount / topCount] }
 *   Q -> R  want      { bucketCount, buckets: indices }           (after a digest)
 *   R -> Q  versions  { bucketCount, buckets: indices, versions }
 *   Q -> R  push      { bucketCount, buckets, versions, entries, complete }
 *   R -> Q  delta     { entries, complete }
 *   either  error     { reason }
 *
 * The bodies are the core's SyncHello, SyncDigest, SyncWant, SyncVersions,
 * SyncPush and SyncDelta.
 */
import { decodeWith, encodeWith, validateWith } from './codec.js'
import { SYNC_BUCKETS_MAX, SYNC_ERROR_REASON_LENGTH_MAX, SYNC_FRAME_BYTES_MAX, SYNC_FRAME_ENTRIES_MAX, SYNC_VERSIONS_MAX } from './constants.js'
import { entry, fail, fieldPath, indexPath, isPlainMap, list, originVersions, record, text, uint32 } from './fields.js'
import type { Mode } from './fields.js'
import type { DecodeResult, Entry, SyncFrame, SyncFrameType } from './types.js'

const SYNC_FIELDS = {
  hello: ['t', 'bucketCount', 'buckets'],
  digest: ['t', 'bucketCount', 'topCount', 'top', 'buckets'],
  want: ['t', 'bucketCount', 'buckets'],
  versions: ['t', 'bucketCount', 'buckets', 'versions'],
  push: ['t', 'bucketCount', 'buckets', 'versions', 'entries', 'complete'],
  delta: ['t', 'entries', 'complete'],
  error: ['t', 'reason']
} as const satisfies Record<SyncFrameType, readonly string[]>

const SYNC_FRAME_TYPES = Object.keys(SYNC_FIELDS) as SyncFrameType[]

function isSyncFrameType (x: unknown): x is SyncFrameType {
  return typeof x === 'string' && (SYNC_FRAME_TYPES as string[]).includes(x)
}

function isPowerOfTwoUpTo (x: unknown, max: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= max && (x & (x - 1)) === 0
}

function powerOfTwo (x: unknown, field: string, max: number, maxName: string): number {
  if (x === undefined) fail(field, 'is required')
  if (!isPowerOfTwoUpTo(x, max)) fail(field, `must be a power of two in [1, ${maxName}]`)
  return x
}

function bucketCount (x: unknown): number {
  return powerOfTwo(x, 'bucketCount', SYNC_BUCKETS_MAX, String(SYNC_BUCKETS_MAX))
}

/** Digest of a hello: one uint32 per top bucket, a power of two of them, at most bucketCount. */
function helloDigest (x: unknown, count: number): number[] {
  const buckets = list(x, 'buckets', SYNC_BUCKETS_MAX, uint32)
  if (!isPowerOfTwoUpTo(buckets.length, count)) fail('buckets', `must hold a power of two of digests, at most bucketCount (${count})`)
  return buckets
}

/** Fine digests of a digest frame: bucketCount / topCount per listed top bucket. */
function fineDigests (x: unknown, count: number): number[] {
  const buckets = list(x, 'buckets', SYNC_BUCKETS_MAX, uint32)
  if (buckets.length !== count) fail('buckets', `must hold exactly top.length x bucketCount / topCount (${count}) digests`)
  return buckets
}

/** Bucket indices: strictly increasing, each below `count`. */
function bucketIndices (x: unknown, count: number, field = 'buckets', countName = 'bucketCount', lengthMin = 0): number[] {
  const buckets = list(x, field, SYNC_BUCKETS_MAX, (b, path) => {
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b >= count) fail(path, `must be a bucket index below ${countName} (${count})`)
    return b
  }, lengthMin)
  for (let i = 1; i < buckets.length; i++) {
    if ((buckets[i] as number) <= (buckets[i - 1] as number)) fail(indexPath(field, i), 'must be greater than the index before it')
  }
  return buckets
}

function digestFrame (r: Record<string, unknown>): SyncFrame {
  const count = bucketCount(r.bucketCount)
  const topCount = powerOfTwo(r.topCount, 'topCount', count, `bucketCount (${count})`)
  if (topCount === count) fail('topCount', `must be below bucketCount (${count}): a hello at the fine level is answered with versions`)
  const top = bucketIndices(r.top, topCount, 'top', 'topCount', 1)
  return { t: 'digest', bucketCount: count, topCount, top, buckets: fineDigests(r.buckets, top.length * (count / topCount)) }
}

function entries (x: unknown, mode: Mode): Entry[] {
  return list(x, 'entries', SYNC_FRAME_ENTRIES_MAX, (e, path) => entry(e, path, mode))
}

function syncSchema (x: unknown, mode: Mode): SyncFrame {
  if (!isPlainMap(x)) return fail('', 'must be a map')
  const t = x.t
  if (!isSyncFrameType(t)) return fail('t', `must be one of ${SYNC_FRAME_TYPES.join(', ')}`)
  const r = record(x, '', SYNC_FIELDS[t], mode)
  switch (t) {
    case 'hello': {
      const count = bucketCount(r.bucketCount)
      return { t, bucketCount: count, buckets: helloDigest(r.buckets, count) }
    }
    case 'digest':
      return digestFrame(r)
    case 'want': {
      const count = bucketCount(r.bucketCount)
      return { t, bucketCount: count, buckets: bucketIndices(r.buckets, count) }
    }
    case 'versions': {
      const count = bucketCount(r.bucketCount)
      return { t, bucketCount: count, buckets: bucketIndices(r.buckets, count), versions: originVersions(r.versions, 'versions', SYNC_VERSIONS_MAX) }
    }
    case 'push': {
      const count = bucketCount(r.bucketCount)
      return {
        t,
        bucketCount: count,
        buckets: bucketIndices(r.buckets, count),
        versions: originVersions(r.versions, 'versions', SYNC_VERSIONS_MAX),
        entries: entries(r.entries, mode),
        complete: originVersions(r.complete, 'complete', SYNC_VERSIONS_MAX)
      }
    }
    case 'delta':
      return { t, entries: entries(r.entries, mode), complete: originVersions(r.complete, 'complete', SYNC_VERSIONS_MAX) }
    case 'error':
      return { t, reason: text(r.reason, fieldPath('', 'reason'), SYNC_ERROR_REASON_LENGTH_MAX) }
    default: {
      const never: never = t
      throw new Error(`unhandled sync frame type ${String(never)}`)
    }
  }
}

/** Encode a sync frame. Throws InvalidMessageError or MessageTooLargeError. */
export function encodeSyncFrame (frame: SyncFrame): Uint8Array {
  return encodeWith(frame, 'sync', SYNC_FRAME_BYTES_MAX, syncSchema)
}

/** Decode a sync frame from a peer. Never throws. */
export function decodeSyncFrame (bytes: Uint8Array): DecodeResult<SyncFrame> {
  return decodeWith(bytes, SYNC_FRAME_BYTES_MAX, syncSchema)
}

/** Check an in-memory value against the sync frame schema, exactly as decodeSyncFrame would. */
export function validateSyncFrame (x: unknown): DecodeResult<SyncFrame> {
  return validateWith(x, syncSchema)
}
