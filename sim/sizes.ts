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
import { gossipEntryBytes, gossipEnvelopeBytes } from '../protocols/index.js'
import * as C from './constants.js'

const entrySizes = new WeakMap<Entry, number>()
const gossipEntrySizes = new WeakMap<Entry, number>()

/** The sync frames the simulator charges (the core's bodies with their frame type). */
export type SimSyncFrame =
  | ({ t: 'hello' } & SyncHello) | ({ t: 'digest' } & SyncDigest) | ({ t: 'want' } & SyncWant)
  | ({ t: 'versions' } & SyncVersions) | ({ t: 'push' } & SyncPush) | ({ t: 'delta' } & SyncDelta)

/** An entry as anti-entropy carries it: a CBOR map of its five fields (protocols `entry`), names included. */
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

/** The gossip payload `[v, from, [[key, value, hlc, hlc - prev], ...]]` as protocols `encodeGossip` writes it. */
export function gossipPayloadBytes (from: string, entries: readonly Entry[]): number {
  let n = gossipEnvelopeBytes(from) + headerBytes(entries.length)
  for (const e of entries) {
    let b = gossipEntrySizes.get(e)
    if (b === undefined) {
      b = gossipEntryBytes(e)
      gossipEntrySizes.set(e, b)
    }
    n += b
  }
  return n
}

/** Bytes of a protobuf varint. */
function varintBytes (n: number): number {
  let bytes = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    bytes++
  }
  return bytes
}

/** A protobuf length-delimited field (tag, length, body) whose body is `n` bytes. */
function fieldBytes (n: number): number {
  return 1 + varintBytes(n) + n
}

/** One gossipsub RPC carrying one published message of `dataBytes` on `topic`, with its length prefix. */
export function gossipRpcBytes (topic: string, dataBytes: number): number {
  const message = C.GOSSIP_MESSAGE_FIELDS_BYTES + varintBytes(dataBytes) + dataBytes + varintBytes(topic.length) + topic.length
  const rpc = fieldBytes(message)
  return varintBytes(rpc) + rpc
}

/**
 * One control RPC carrying an IHAVE of `ids` message ids on `topic`, framing included. IWANT and
 * IDONTWANT (no topic, a few bytes less) are charged the same.
 */
export function controlBytes (topic: string, ids: number): number {
  const ihave = fieldBytes(topic.length) + ids * C.GOSSIP_MESSAGE_ID_BYTES
  const rpc = fieldBytes(fieldBytes(ihave))
  return C.FRAME_OVERHEAD_BYTES + varintBytes(rpc) + rpc
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
