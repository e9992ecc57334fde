/**
 * Gossip messages: one CBOR array per gossipsub message, on every channel:
 *
 *     [v, from, [[key, value, hlc, hlc - prev], ...]]
 *
 * `from` is the node that wrote every entry in the message: gossipsub
 * forwards a message unchanged, and an agent publishes only its own writes,
 * so each entry's `origin` is `from` and does not travel (a decoded entry
 * gets `origin: from`; encoding a message with an entry of another origin is
 * refused). `prev` travels as its distance below `hlc` (at least 1), a few
 * bytes where the full stamp takes nine. Arrays instead of maps keep field
 * names off the wire: every message is received about D times by every node,
 * so each byte of a message costs the fleet D x N bytes (version 1 sent
 * `{ v, from, entries: [{ key, value, hlc, origin, prev }] }`, about 50 bytes
 * more per message).
 *
 * In memory a message is `{ v, from, entries }` with whole entries; reasons
 * name the fields as if they were a map (`entries[3].hlc: ...`).
 */
import { cborLength } from './cbor.js'
import { decodeWith, encodeWith, validateWith } from './codec.js'
import { ENTRY_KEY_LENGTH_MAX, GOSSIP_ENTRIES_MAX, GOSSIP_MESSAGE_BYTES_MAX, GOSSIP_VERSION } from './constants.js'
import { InvalidMessageError, MessageTooLargeError } from './errors.js'
import { entry, fail, fieldPath, indexPath, list, nodeName, record, safeUint, text, validate, value } from './fields.js'
import type { Mode } from './fields.js'
import type { DecodeResult, Entry, GossipMessage, NodeName } from './types.js'

const GOSSIP_FIELDS = ['v', 'from', 'entries'] as const

/** An in-memory entry of a message from `from`: a valid entry whose origin is `from`. */
function ownEntry (x: unknown, path: string, from: NodeName, mode: Mode): Entry {
  const e = entry(x, path, mode)
  if (e.origin !== from) fail(fieldPath(path, 'origin'), 'must be the sender (from): a node gossips only its own writes')
  return e
}

/** An in-memory message (`validateGossip`, and encoding in projecting mode). */
function gossipSchema (x: unknown, mode: Mode): GossipMessage {
  const r = record(x, '', GOSSIP_FIELDS, mode)
  if (r.v !== GOSSIP_VERSION) fail('v', `must be ${GOSSIP_VERSION}`)
  const from = nodeName(r.from, 'from')
  const entries = list(r.entries, 'entries', GOSSIP_ENTRIES_MAX, (e, path) => ownEntry(e, path, from, mode), 1)
  return { v: GOSSIP_VERSION, from, entries }
}

/** One entry as the wire carries it: `[key, value, hlc, hlc - prev]`, its origin the sender. */
function wireEntry (x: unknown, path: string, origin: NodeName): Entry {
  if (!Array.isArray(x) || x.length !== 4) fail(path, 'must be [key, value, hlc, hlc - prev]')
  const key = text(x[0], fieldPath(path, 'key'), ENTRY_KEY_LENGTH_MAX)
  const v = value(x[1], fieldPath(path, 'value'))
  const hlc = safeUint(x[2], fieldPath(path, 'hlc'))
  const below = safeUint(x[3], fieldPath(path, 'prev'))
  if (below < 1 || below > hlc) fail(fieldPath(path, 'prev'), 'must be less than hlc (sent as hlc - prev: 1..hlc)')
  return { key, value: v, hlc, origin, prev: hlc - below }
}

/** A message as the wire carries it (decoding: exact, every field checked). */
function wireSchema (x: unknown, _mode: Mode): GossipMessage {
  if (x === undefined) fail('', 'is required')
  if (!Array.isArray(x) || x.length !== 3) fail('', 'must be [v, from, entries]')
  if (x[0] !== GOSSIP_VERSION) fail('v', `must be ${GOSSIP_VERSION}`)
  const from = nodeName(x[1], 'from')
  const entries = list(x[2], 'entries', GOSSIP_ENTRIES_MAX, (e, path) => wireEntry(e, path, from), 1)
  return { v: GOSSIP_VERSION, from, entries }
}

function wireEntryOf (e: Entry): unknown[] {
  return [e.key, e.value, e.hlc, e.hlc - e.prev]
}

/** The wire form of a valid message. */
function toWire (m: GossipMessage): unknown[] {
  return [m.v, m.from, m.entries.map(wireEntryOf)]
}

/** Encode a gossip message. Throws InvalidMessageError or MessageTooLargeError. */
export function encodeGossip (message: GossipMessage): Uint8Array {
  return encodeWith(message, 'gossip', GOSSIP_MESSAGE_BYTES_MAX, gossipSchema, toWire)
}

/** Decode a gossip message from a peer. Never throws. */
export function decodeGossip (bytes: Uint8Array): DecodeResult<GossipMessage> {
  return decodeWith(bytes, GOSSIP_MESSAGE_BYTES_MAX, wireSchema, toWire)
}

/** Check an in-memory value against the gossip schema: what encodeGossip accepts, and decodeGossip returns. */
export function validateGossip (x: unknown): DecodeResult<GossipMessage> {
  return validateWith(x, gossipSchema)
}

/** Bytes of an entry on the gossip wire (`[key, value, hlc, hlc - prev]`); the entry must be valid. */
export function gossipEntryBytes (e: Entry): number {
  return cborLength(wireEntryOf(e))
}

/** Bytes of a gossip message from `from` without its entries and their array header. */
export function gossipEnvelopeBytes (from: NodeName): number {
  return cborLength([GOSSIP_VERSION, from, []]) - arrayHeaderBytes(0)
}

export interface SplitGossipInit {
  /** Largest encoded message to produce; at most GOSSIP_MESSAGE_BYTES_MAX. @default GOSSIP_MESSAGE_BYTES_MAX */
  bytesMax?: number
  /** Most entries per message; at most GOSSIP_ENTRIES_MAX. @default GOSSIP_ENTRIES_MAX */
  entriesMax?: number
}

/** Bytes of a CBOR array header for `n` items. */
function arrayHeaderBytes (n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : 5
}

function splitLimits (init: SplitGossipInit): { bytesMax: number, entriesMax: number } {
  const bytesMax = init.bytesMax ?? GOSSIP_MESSAGE_BYTES_MAX
  const entriesMax = init.entriesMax ?? GOSSIP_ENTRIES_MAX
  if (!Number.isInteger(bytesMax) || bytesMax < 1 || bytesMax > GOSSIP_MESSAGE_BYTES_MAX) {
    throw new RangeError(`SplitGossipInit.bytesMax must be an integer in [1, ${GOSSIP_MESSAGE_BYTES_MAX}]`)
  }
  if (!Number.isInteger(entriesMax) || entriesMax < 1 || entriesMax > GOSSIP_ENTRIES_MAX) {
    throw new RangeError(`SplitGossipInit.entriesMax must be an integer in [1, ${GOSSIP_ENTRIES_MAX}]`)
  }
  return { bytesMax, entriesMax }
}

/**
 * Split entries into as few gossip messages as fit the limits, keeping their
 * order (so an origin's writes arrive in `prev` order when nothing is lost).
 * Filling each message greedily is optimal for an order-keeping split, since
 * any run of entries that fits still fits without its last entry. Sizes are
 * exact: the encoded size of a message is the size of its envelope plus its
 * entries' array header plus the wire size of each entry. An empty list gives no
 * messages. Throws InvalidMessageError for an invalid entry and
 * MessageTooLargeError for an entry that does not fit a message on its own
 * (impossible at the default limit: see VALUE_BYTES_MAX).
 */
export function splitGossip (from: NodeName, entries: readonly Entry[], init: SplitGossipInit = {}): GossipMessage[] {
  const { bytesMax, entriesMax } = splitLimits(init)
  const checked = validate((x) => {
    const name = nodeName(x, 'from')
    return { name, entries: entries.map((e, i) => ownEntry(e, indexPath('entries', i), name, 'project')) }
  }, from)
  if (!checked.ok) throw new InvalidMessageError('gossip', checked.reason)
  const base = gossipEnvelopeBytes(checked.value.name)
  const out: GossipMessage[] = []
  let batch: Entry[] = []
  let batchBytes = 0
  for (const e of checked.value.entries) {
    const bytes = gossipEntryBytes(e)
    if (batch.length > 0 && (batch.length === entriesMax || base + arrayHeaderBytes(batch.length + 1) + batchBytes + bytes > bytesMax)) {
      out.push({ v: GOSSIP_VERSION, from: checked.value.name, entries: batch })
      batch = []
      batchBytes = 0
    }
    const alone = base + arrayHeaderBytes(1) + bytes
    if (batch.length === 0 && alone > bytesMax) throw new MessageTooLargeError('gossip', alone, bytesMax)
    batch.push(e)
    batchBytes += bytes
  }
  if (batch.length > 0) out.push({ v: GOSSIP_VERSION, from: checked.value.name, entries: batch })
  return out
}

/** `splitGossip` followed by `encodeGossip` on each message. */
export function encodeGossipBatches (from: NodeName, entries: readonly Entry[], init: SplitGossipInit = {}): Uint8Array[] {
  return splitGossip(from, entries, init).map(encodeGossip)
}
