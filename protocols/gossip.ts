/**
 * Gossip messages: one CBOR map `{ v: 1, from, entries }` per gossipsub
 * message, on every channel. `from` is the relaying node, not the writer:
 * each entry names its own `origin`.
 */
import { cborLength } from './cbor.js'
import { decodeWith, encodeWith, validateWith } from './codec.js'
import { GOSSIP_ENTRIES_MAX, GOSSIP_MESSAGE_BYTES_MAX, GOSSIP_VERSION } from './constants.js'
import { InvalidMessageError, MessageTooLargeError } from './errors.js'
import { entry, fail, list, nodeName, record, validate } from './fields.js'
import type { Mode } from './fields.js'
import type { DecodeResult, Entry, GossipMessage, NodeName } from './types.js'

const GOSSIP_FIELDS = ['v', 'from', 'entries'] as const

function gossipSchema (x: unknown, mode: Mode): GossipMessage {
  const r = record(x, '', GOSSIP_FIELDS, mode)
  if (r.v !== GOSSIP_VERSION) fail('v', `must be ${GOSSIP_VERSION}`)
  const from = nodeName(r.from, 'from')
  const entries = list(r.entries, 'entries', GOSSIP_ENTRIES_MAX, (e, path) => entry(e, path, mode), 1)
  return { v: GOSSIP_VERSION, from, entries }
}

/** Encode a gossip message. Throws InvalidMessageError or MessageTooLargeError. */
export function encodeGossip (message: GossipMessage): Uint8Array {
  return encodeWith(message, 'gossip', GOSSIP_MESSAGE_BYTES_MAX, gossipSchema)
}

/** Decode a gossip message from a peer. Never throws. */
export function decodeGossip (bytes: Uint8Array): DecodeResult<GossipMessage> {
  return decodeWith(bytes, GOSSIP_MESSAGE_BYTES_MAX, gossipSchema)
}

/** Check an in-memory value against the gossip schema, exactly as decodeGossip would. */
export function validateGossip (x: unknown): DecodeResult<GossipMessage> {
  return validateWith(x, gossipSchema)
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
 * exact: the encoded size of a message is the size of its empty form plus
 * its array header plus the size of each entry. An empty list gives no
 * messages. Throws InvalidMessageError for an invalid entry and
 * MessageTooLargeError for an entry that does not fit a message on its own
 * (impossible at the default limit: see VALUE_BYTES_MAX).
 */
export function splitGossip (from: NodeName, entries: readonly Entry[], init: SplitGossipInit = {}): GossipMessage[] {
  const { bytesMax, entriesMax } = splitLimits(init)
  const checked = validate((x) => {
    const name = nodeName(x, 'from')
    return { name, entries: entries.map((e, i) => entry(e, `entries[${i}]`, 'project')) }
  }, from)
  if (!checked.ok) throw new InvalidMessageError('gossip', checked.reason)
  const base = cborLength({ v: GOSSIP_VERSION, from: checked.value.name, entries: [] }) - arrayHeaderBytes(0)
  const out: GossipMessage[] = []
  let batch: Entry[] = []
  let batchBytes = 0
  for (const e of checked.value.entries) {
    const bytes = cborLength(e)
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
