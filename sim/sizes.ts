/**
 * What a message costs on the wire. Payloads are measured with the real
 * codec (`cborLength` from protocols: the exact CBOR length the agent sends);
 * framing around them (Noise, yamux, gossipsub RPC, multistream-select) comes
 * from the documented constants in `constants.ts`. TCP/IP headers are not
 * counted. Entry sizes are cached per entry object: the simulator hands the
 * same object to every node, so each entry is measured once.
 */
import type { Entry, OriginVersion } from '../agent/core/index.js'
import { cborLength } from '../protocols/cbor.js'
import { gossipEntryBytes, gossipEnvelopeBytes } from '../protocols/index.js'
import * as C from './constants.js'

const entrySizes = new WeakMap<Entry, number>()
const gossipEntrySizes = new WeakMap<Entry, number>()

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

function versionsBytes (versions: readonly OriginVersion[]): number {
  let n = 3
  for (const v of versions) n += v[0].length + 21
  return n
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

export function syncHelloBytes (bucketCount: number): number {
  return C.STREAM_OPEN_BYTES + C.FRAME_OVERHEAD_BYTES + 12 + 5 * bucketCount
}

export function syncVersionsBytes (buckets: number, versions: readonly OriginVersion[]): number {
  return C.FRAME_OVERHEAD_BYTES + 12 + 3 * buckets + versionsBytes(versions)
}

export function syncPushBytes (buckets: number, versions: readonly OriginVersion[], entries: readonly Entry[], complete: readonly OriginVersion[]): number {
  return C.STREAM_OPEN_BYTES + C.FRAME_OVERHEAD_BYTES + 12 + 3 * buckets + versionsBytes(versions) + entriesBytes(entries) + versionsBytes(complete)
}

export function syncDeltaBytes (entries: readonly Entry[], complete: readonly OriginVersion[]): number {
  return C.FRAME_OVERHEAD_BYTES + 8 + entriesBytes(entries) + versionsBytes(complete)
}
