/**
 * Sync frames: the anti-entropy exchange on SYNC_PROTOCOL, one CBOR map per
 * length-prefixed frame, told apart by `t`:
 *
 *   Q -> R  hello     { bucketCount, buckets: uint32[bucketCount] }
 *   R -> Q  versions  { bucketCount, buckets: indices, versions }
 *   Q -> R  push      { bucketCount, buckets, versions, entries, complete }
 *   R -> Q  delta     { entries, complete }
 *   either  error     { reason }
 *
 * The bodies are the core's SyncHello, SyncVersions, SyncPush and SyncDelta.
 */
import { decodeWith, encodeWith, validateWith } from './codec.js'
import { SYNC_BUCKETS_MAX, SYNC_ERROR_REASON_LENGTH_MAX, SYNC_FRAME_BYTES_MAX, SYNC_FRAME_ENTRIES_MAX, SYNC_VERSIONS_MAX } from './constants.js'
import { entry, fail, fieldPath, indexPath, isPlainMap, list, originVersions, record, text, uint32 } from './fields.js'
import type { Mode } from './fields.js'
import type { DecodeResult, Entry, SyncFrame, SyncFrameType } from './types.js'

const SYNC_FIELDS = {
  hello: ['t', 'bucketCount', 'buckets'],
  versions: ['t', 'bucketCount', 'buckets', 'versions'],
  push: ['t', 'bucketCount', 'buckets', 'versions', 'entries', 'complete'],
  delta: ['t', 'entries', 'complete'],
  error: ['t', 'reason']
} as const satisfies Record<SyncFrameType, readonly string[]>

const SYNC_FRAME_TYPES = Object.keys(SYNC_FIELDS) as SyncFrameType[]

function isSyncFrameType (x: unknown): x is SyncFrameType {
  return typeof x === 'string' && (SYNC_FRAME_TYPES as string[]).includes(x)
}

function bucketCount (x: unknown): number {
  if (x === undefined) fail('bucketCount', 'is required')
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > SYNC_BUCKETS_MAX || (x & (x - 1)) !== 0) {
    fail('bucketCount', `must be a power of two in [1, ${SYNC_BUCKETS_MAX}]`)
  }
  return x
}

/** Digest of a hello: one uint32 per bucket. */
function digest (x: unknown, count: number): number[] {
  const buckets = list(x, 'buckets', SYNC_BUCKETS_MAX, uint32)
  if (buckets.length !== count) fail('buckets', `must hold exactly bucketCount (${count}) digests`)
  return buckets
}

/** Bucket indices of versions and push: strictly increasing, each below bucketCount. */
function bucketIndices (x: unknown, count: number): number[] {
  const buckets = list(x, 'buckets', SYNC_BUCKETS_MAX, (b, path) => {
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b >= count) fail(path, `must be a bucket index below bucketCount (${count})`)
    return b
  })
  for (let i = 1; i < buckets.length; i++) {
    if ((buckets[i] as number) <= (buckets[i - 1] as number)) fail(indexPath('buckets', i), 'must be greater than the index before it')
  }
  return buckets
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
      return { t, bucketCount: count, buckets: digest(r.buckets, count) }
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
