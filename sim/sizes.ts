/**
 * What a message costs on the wire. Payloads are measured with the real
 * codec (`cborLength` from protocols: the exact CBOR length the agent sends);
 * framing around them (Noise, yamux, gossipsub RPC, multistream-select) comes
 * from the documented constants in `constants.ts`. TCP/IP headers are not
 * counted. Entry sizes are cached per entry object: the simulator hands the
 * same object to every node, so each entry is measured once.
 */
import type { Entry, OriginVersion, SyncDelta, SyncDigest, SyncHello, SyncPush, SyncVersions, SyncWant } from '../agent/core/index.js'
import { cborLength } from '../protocols/cbor.js'
import * as C from './constants.js'

const entrySizes = new WeakMap<Entry, number>()

/** The sync frames the simulator charges (the core's bodies with their frame type). */
export type SimSyncFrame =
  | ({ t: 'hello' } & SyncHello) | ({ t: 'digest' } & SyncDigest) | ({ t: 'want' } & SyncWant)
  | ({ t: 'versions' } & SyncVersions) | ({ t: 'push' } & SyncPush) | ({ t: 'delta' } & SyncDelta)

/** An entry as the wire carries it: a CBOR map of its five fields (protocols `entry`), names included. */
export function entryBytes (e: Entry): number {
  let n = entrySizes.get(e)
  if (n === undefined) {
    n = cborLength({ key: e.key, value: e.value, hlc: e.hlc, origin: e.origin, prev: e.prev })
    entrySizes.set(e, n)
  }
  return n
}

/** Bytes of a CBOR array or text header for `n` items or bytes. */
function headerBytes (n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : 5
}

export function entriesBytes (entries: readonly Entry[]): number {
  let n = headerBytes(entries.length)
  for (const e of entries) n += entryBytes(e)
  return n
}

/** The gossip payload `{ v: 1, from, entries }` as protocols `encodeGossip` writes it. */
export function gossipPayloadBytes (from: string, entries: readonly Entry[]): number {
  // Map header (1), "v" (2) and 1 (1), "from" (5), "entries" (8): 17, then the name and the list.
  return 17 + headerBytes(from.length) + from.length + entriesBytes(entries)
}

/** One gossip message carrying `entries`, as one subscriber receives it. */
export function gossipMessageBytes (from: string, entries: readonly Entry[]): number {
  return C.GOSSIP_MESSAGE_OVERHEAD_BYTES + C.FRAME_OVERHEAD_BYTES + gossipPayloadBytes(from, entries)
}

/** One IHAVE/IWANT/IDONTWANT control RPC carrying `ids` message ids. */
export function controlBytes (ids: number): number {
  return C.FRAME_OVERHEAD_BYTES + C.GOSSIP_CONTROL_OVERHEAD_BYTES + ids * C.GOSSIP_MESSAGE_ID_BYTES
}

/** A direct probe: a libp2p ping on a new stream, both ways. */
export const PING_BYTES = C.STREAM_OPEN_BYTES + 2 * (C.PING_PAYLOAD_BYTES + C.FRAME_OVERHEAD_BYTES)

export function probeRequestBytes (target: string): number {
  return C.STREAM_OPEN_BYTES + C.PROBE_REQ_BYTES + target.length + C.FRAME_OVERHEAD_BYTES
}

export const PROBE_RESPONSE_BYTES = C.PROBE_RES_BYTES + C.FRAME_OVERHEAD_BYTES

/** Bytes of a CBOR unsigned integer. */
function uintBytes (n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : n < 0x1_0000_0000 ? 5 : 9
}

/** An ASCII text string (node names are ASCII). */
function textBytes (s: string): number {
  return headerBytes(s.length) + s.length
}

function uintsBytes (xs: readonly number[]): number {
  let n = headerBytes(xs.length)
  for (const x of xs) n += uintBytes(x)
  return n
}

function versionsBytes (versions: readonly OriginVersion[]): number {
  let n = headerBytes(versions.length)
  for (const v of versions) n += 1 + textBytes(v[0]) + uintBytes(v[1]) + uintBytes(v[2])
  return n
}

// Field names as CBOR text, each with its header byte.
const T_FIELD = 2
const BUCKET_COUNT_FIELD = 12
const BUCKETS_FIELD = 8
const VERSIONS_FIELD = 9

/** A sync frame's CBOR payload, exactly as protocols `encodeSyncFrame` writes it (`test/sim/sizes.spec.ts`). */
export function syncPayloadBytes (f: SimSyncFrame): number {
  const head = 1 + T_FIELD + textBytes(f.t)
  switch (f.t) {
    case 'hello':
    case 'want':
      return head + BUCKET_COUNT_FIELD + uintBytes(f.bucketCount) + BUCKETS_FIELD + uintsBytes(f.buckets)
    case 'digest':
      return head + BUCKET_COUNT_FIELD + uintBytes(f.bucketCount) + 9 + uintBytes(f.topCount) + 4 + uintsBytes(f.top) + BUCKETS_FIELD + uintsBytes(f.buckets)
    case 'versions':
      return head + BUCKET_COUNT_FIELD + uintBytes(f.bucketCount) + BUCKETS_FIELD + uintsBytes(f.buckets) + VERSIONS_FIELD + versionsBytes(f.versions)
    case 'push':
      return head + BUCKET_COUNT_FIELD + uintBytes(f.bucketCount) + BUCKETS_FIELD + uintsBytes(f.buckets) + VERSIONS_FIELD + versionsBytes(f.versions) +
        8 + entriesBytes(f.entries) + 9 + versionsBytes(f.complete)
    case 'delta':
      return head + 8 + entriesBytes(f.entries) + 9 + versionsBytes(f.complete)
    default: {
      const never: never = f
      throw new Error(`unhandled sync frame ${String(never)}`)
    }
  }
}

/** A sync request: a new stream and one frame. */
export function syncRequestBytes (f: SimSyncFrame): number {
  return C.STREAM_OPEN_BYTES + C.FRAME_OVERHEAD_BYTES + syncPayloadBytes(f)
}

/** A sync response: one frame on the request's stream. */
export function syncResponseBytes (f: SimSyncFrame): number {
  return C.FRAME_OVERHEAD_BYTES + syncPayloadBytes(f)
}
