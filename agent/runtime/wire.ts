/**
 * The runtime's view of `protocols/`: names re-exported in the shape the
 * runtime uses, plus gossipsub's validator verdicts.
 */
import { TopicValidatorResult } from '@libp2p/interface'
import { GOSSIP_TOPIC, PROBE_PROTOCOL, SYNC_PROTOCOL, encodeGossipBatches, topicFor } from '../../protocols/index.js'
import type { Entry, NodeName } from '../core/index.js'

export { TopicValidatorResult, topicFor }
export { decodeGossip, decodeProbeFrame, decodeSyncFrame, encodeProbeFrame, encodeSyncFrame, PROBE_FRAME_BYTES_MAX, PROBE_TIMEOUT_MS_MAX, SYNC_FRAME_BYTES_MAX } from '../../protocols/index.js'
export type { Channel, GossipMessage, SyncFrame } from '../../protocols/index.js'

export const TOPIC_LIST: string[] = [GOSSIP_TOPIC]
export const PROTOCOL_SYNC = SYNC_PROTOCOL
export const PROTOCOL_PROBE = PROBE_PROTOCOL

/** Our writes as as few gossip messages as fit the size limit. */
export function encodeGossipChunks (from: NodeName, entries: readonly Entry[]): Uint8Array[] {
  return encodeGossipBatches(from, entries)
}
