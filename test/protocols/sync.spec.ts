import fc from 'fast-check'
import { encode as rawEncode } from 'cborg'
import { describe, expect, it } from 'vitest'
import {
  InvalidMessageError, MessageTooLargeError, SYNC_FRAME_BYTES_MAX, SYNC_FRAME_ENTRIES_MAX, VALUE_BYTES_MAX,
  decodeSyncFrame, encodeSyncFrame, validateSyncFrame
} from '../../protocols/index.js'
import type { SyncFrame } from '../../protocols/index.js'
import { syncFrameArb } from './arbitraries.js'

const entry = { key: 'node/a/f', value: 1, hlc: 10, origin: 'a', prev: 0 }
const hello = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ t: 'hello', bucketCount: 4, buckets: [0, 1, 2, 0xffff_ffff], ...over })
const versions = (over: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ t: 'versions', bucketCount: 4, buckets: [0, 3], versions: [['a', 1, 2], ['b', 0, 0]], ...over })
const push = (over: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ t: 'push', bucketCount: 4, buckets: [1], versions: [['a', 1, 2]], entries: [entry], complete: [['a', 10, 10]], ...over })
const digest = (over: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ t: 'digest', bucketCount: 8, topCount: 2, top: [1], buckets: [5, 6, 7, 0xffff_ffff], ...over })
const want = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ t: 'want', bucketCount: 8, buckets: [1, 5], ...over })
const delta = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ t: 'delta', entries: [entry], complete: [], ...over })

describe('protocols: sync frames', () => {
  it('should round-trip every valid frame (encode -> decode deep-equals)', () => {
    fc.assert(fc.property(syncFrameArb, (f) => {
      const bytes = encodeSyncFrame(f)
      expect(decodeSyncFrame(bytes)).toEqual({ ok: true, value: f })
      expect(validateSyncFrame(f)).toEqual({ ok: true, value: f })
    }), { numRuns: 500 })
  })

  it.each<[string, Record<string, unknown>]>([
    ['hello', hello()], ['versions', versions()], ['push', push()], ['delta', delta()], ['error', { t: 'error', reason: 'busy' }],
    ['hello with one bucket', hello({ bucketCount: 1, buckets: [7] })],
    ['hello with its top bucket only', hello({ bucketCount: 1024, buckets: [7] })],
    ['hello with 16 of 1024 buckets', hello({ bucketCount: 1024, buckets: Array.from({ length: 16 }, (_, i) => i) })],
    ['digest', digest()], ['digest of two top buckets', digest({ top: [0, 1], buckets: [1, 2, 3, 4, 5, 6, 7, 8] })],
    ['want', want()], ['want of nothing', want({ buckets: [] })],
    ['versions that agree (no buckets)', versions({ buckets: [], versions: [] })]
  ])('should accept a %s frame', (_name, frame) => {
    expect(decodeSyncFrame(rawEncode(frame))).toEqual({ ok: true, value: frame })
  })

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown frame type', { t: 'bye' }, 't: must be one of hello, digest, want, versions, push, delta, error'],
    ['a missing frame type', { bucketCount: 1, buckets: [0] }, 't: must be one of'],
    ['a field of another frame type', hello({ entries: [] }), 'entries: is not a known field'],
    ['a bucketCount that is not a power of two', hello({ bucketCount: 3, buckets: [0, 0, 0] }), 'bucketCount: must be a power of two in [1, 1024]'],
    ['a bucketCount of zero', hello({ bucketCount: 0, buckets: [] }), 'bucketCount: must be a power of two'],
    ['a bucketCount above 1024', hello({ bucketCount: 2048, buckets: [] }), 'bucketCount: must be a power of two'],
    ['a missing bucketCount', { t: 'hello', buckets: [] }, 'bucketCount: is required'],
    ['a hello digest of three buckets', hello({ buckets: [1, 2, 3] }), 'buckets: must hold a power of two of digests, at most bucketCount (4)'],
    ['a hello digest of more buckets than bucketCount', hello({ buckets: [1, 2, 3, 4, 5, 6, 7, 8] }), 'buckets: must hold a power of two of digests, at most bucketCount (4)'],
    ['an empty hello digest', hello({ buckets: [] }), 'buckets: must hold a power of two of digests'],
    ['a digest without topCount', { t: 'digest', bucketCount: 8, top: [1], buckets: [5, 6, 7, 8] }, 'topCount: is required'],
    ['a digest whose topCount is not a power of two', digest({ topCount: 3 }), 'topCount: must be a power of two in [1, bucketCount (8)]'],
    ['a digest whose topCount exceeds bucketCount', digest({ topCount: 16 }), 'topCount: must be a power of two in [1, bucketCount (8)]'],
    ['a digest at the fine level', digest({ topCount: 8 }), 'topCount: must be below bucketCount (8)'],
    ['a digest with no top bucket', digest({ top: [], buckets: [] }), 'top: must hold 1..1024 items'],
    ['a digest with a top index out of range', digest({ top: [2] }), 'top[0]: must be a bucket index below topCount (2)'],
    ['a digest with repeated top indices', digest({ top: [1, 1], buckets: [1, 2, 3, 4, 5, 6, 7, 8] }), 'top[1]: must be greater than the index before it'],
    ['a digest with too few fine digests', digest({ buckets: [1, 2, 3] }), 'buckets: must hold exactly top.length x bucketCount / topCount (4) digests'],
    ['a digest with too many fine digests', digest({ buckets: [1, 2, 3, 4, 5] }), 'buckets: must hold exactly top.length x bucketCount / topCount (4) digests'],
    ['a digest with a fine digest above uint32', digest({ buckets: [1, 2, 2 ** 32, 4] }), 'buckets[2]: must be a uint32'],
    ['a want with a bucket index out of range', want({ buckets: [8] }), 'buckets[0]: must be a bucket index below bucketCount (8)'],
    ['a want with unsorted buckets', want({ buckets: [5, 1] }), 'buckets[1]: must be greater than the index before it'],
    ['a want with a digest field', want({ topCount: 2 }), 'topCount: is not a known field'],
    ['a digest above uint32', hello({ buckets: [0, 0, 2 ** 32, 0] }), 'buckets[2]: must be a uint32'],
    ['a negative digest', hello({ buckets: [0, -1, 0, 0] }), 'buckets[1]: must be a uint32'],
    ['a bucket index out of range', versions({ buckets: [0, 4] }), 'buckets[1]: must be a bucket index below bucketCount (4)'],
    ['a repeated bucket index', versions({ buckets: [1, 1] }), 'buckets[1]: must be greater than the index before it'],
    ['unsorted bucket indices', push({ buckets: [2, 0] }), 'buckets[1]: must be greater than the index before it'],
    ['a version that is not a triple', versions({ versions: [['a', 1]] }), 'versions[0]: must be [origin, upTo, max]'],
    ['a version with a bad origin', versions({ versions: [['a', 1, 2], ['', 0, 0]] }), 'versions[1][0]: must be a node name'],
    ['a version with upTo above max', versions({ versions: [['a', 3, 2]] }), 'versions[0][1]: must not exceed max'],
    ['a version with an unsafe max', versions({ versions: [['a', 0, 2 ** 60]] }), 'versions[0][2]: must be a safe non-negative integer'],
    ['a repeated origin in versions', versions({ versions: [['a', 1, 2], ['a', 1, 2]] }), 'versions[1][0]: repeats origin a'],
    ['a repeated origin in complete', delta({ complete: [['b', 1, 1], ['b', 2, 2]] }), 'complete[1][0]: repeats origin b'],
    ['a missing complete list', { t: 'delta', entries: [] }, 'complete: is required'],
    ['an invalid entry in a push', push({ entries: [entry, { ...entry, prev: 10 }] }), 'entries[1].prev: must be less than hlc'],
    ['an entry with a byte string value in a delta', delta({ entries: [{ ...entry, value: new Uint8Array(4) }] }), 'entries[0].value: must be a JSON value'],
    ['too many entries', delta({ entries: Array.from({ length: SYNC_FRAME_ENTRIES_MAX + 1 }, () => entry) }), `entries: must hold at most ${SYNC_FRAME_ENTRIES_MAX} items`],
    ['an empty error reason', { t: 'error', reason: '' }, 'reason: must be 1..256 characters long'],
    ['an error reason over 256 characters', { t: 'error', reason: 'r'.repeat(257) }, 'reason: must be 1..256 characters long']
  ])('should reject %s, naming the field', (_name, input, reason) => {
    const decoded = decodeSyncFrame(rawEncode(input))
    expect(decoded.ok ? '' : decoded.reason).toContain(reason)
    const validated = validateSyncFrame(input)
    expect(validated.ok ? '' : validated.reason).toContain(reason)
    // Encoders project: a field the schema does not know is left out, not refused.
    if (reason.endsWith('is not a known field')) expect(() => encodeSyncFrame(input as unknown as SyncFrame)).not.toThrow()
    else expect(() => encodeSyncFrame(input as unknown as SyncFrame)).toThrow(InvalidMessageError)
  })

  it('should throw MessageTooLargeError for a frame over SYNC_FRAME_BYTES_MAX', () => {
    const value = 'x'.repeat(VALUE_BYTES_MAX - 3)
    const entries = Array.from({ length: Math.ceil(SYNC_FRAME_BYTES_MAX / VALUE_BYTES_MAX) + 1 }, (_, i) => ({ ...entry, key: `k${i}`, value }))
    expect(() => encodeSyncFrame({ t: 'delta', entries, complete: [] }))
      .toThrow(expect.objectContaining({ name: 'MessageTooLargeError', code: MessageTooLargeError.code, kind: 'sync', bytesMax: SYNC_FRAME_BYTES_MAX }))
  })
})
