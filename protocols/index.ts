/**
 * Everything hauki-mesh puts on the wire: gossipsub topics, stream protocol
 * ids, message types, their limits and a strict CBOR codec. Decoders never
 * throw: they check the byte length first, then CBOR, then every field, and
 * return `{ ok: true, value }` or `{ ok: false, reason }` with the field and
 * rule in the reason. Encoders throw InvalidMessageError or
 * MessageTooLargeError. This folder imports nothing from `agent/`; the core
 * depends on it, not the reverse.
 *
 * ```ts
 * import { decodeGossip, splitGossip, encodeGossip, topicFor } from '../protocols/index.js'
 * for (const m of splitGossip('hauki-crm', entries)) await pubsub.publish(topicFor('delta'), encodeGossip(m))
 * const r = decodeGossip(evt.detail.data)
 * if (!r.ok) log('mesh:gossip dropped %s', r.reason)
 * else core.step({ kind: 'entries', source: 'gossip', entries: r.value.entries }, now())
 * ```
 */
export * as constants from './constants.js'
export * from './constants.js'
export { BARRIER_PROTOCOL, BRIDGE_PROTOCOL, CHANNELS, GOSSIP_TOPIC, PROBE_PROTOCOL, PROTOCOLS, SYNC_PROTOCOL, TOPICS, isGossipTopic, topicFor } from './topics.js'
export type { Channel, Topic } from './topics.js'
export { InvalidMessageError, MessageTooLargeError } from './errors.js'
export type { MessageKind } from './errors.js'
export { decodeGossip, encodeGossip, encodeGossipBatches, gossipEntryBytes, gossipEnvelopeBytes, splitGossip, validateGossip } from './gossip.js'
export type { SplitGossipInit } from './gossip.js'
export { decodeSyncFrame, encodeSyncFrame, validateSyncFrame } from './sync.js'
export { decodeProbeFrame, encodeProbeFrame, validateProbeFrame } from './probe.js'
export { validateEntry, validateValue } from './entries.js'
export { decodeBarrierFrame, decodeBridgeAnswer, decodeBridgeRequest, encodeBarrierFrame, encodeBridgeAnswer, encodeBridgeRequest, validateBridgeOutcome, validateBridgeRequest } from './bridge.js'
export type { BarrierFrame, BridgeAnswer, BridgeOutcome, BridgeRequest, ListedSnapshotWire } from './bridge.js'
export type {
  DecodeResult,
  Entry,
  EntryKey,
  GossipMessage,
  Hlc,
  NodeName,
  OriginVersion,
  PeerIdStr,
  ProbeFrame,
  ProbeRequest,
  ProbeResponse,
  SyncDelta,
  SyncDigest,
  SyncDigestFrame,
  SyncDeltaFrame,
  SyncErrorFrame,
  SyncFrame,
  SyncFrameType,
  SyncHello,
  SyncHelloFrame,
  SyncPush,
  SyncPushFrame,
  SyncVersions,
  SyncVersionsFrame,
  SyncWant,
  SyncWantFrame,
  Value
} from './types.js'
