/**
 * Names on the wire: the gossipsub topic of the channels and the stream protocol
 * ids. A breaking change to a message bumps the version in its name, so old
 * and new agents never misread each other's messages; they simply do not
 * hear them.
 */

/** The gossip channels; the core's `Channel`. */
export const CHANNELS = ['membership', 'heartbeat', 'delta'] as const
export type Channel = typeof CHANNELS[number]

/**
 * The one gossipsub topic every channel is published on; its number is
 * GOSSIP_VERSION. One topic, not one per channel: gossipsub sends IHAVE per
 * topic (`emitGossip`: each topic's recent ids to Dlazy peers of its own
 * every heartbeat), so three topics cost up to three times the IHAVE RPCs,
 * and the topic name travels in every message and every IHAVE, hence short.
 * Receivers never needed the channel: an entry's key says what it is.
 */
export const GOSSIP_TOPIC = 'hauki/2'

/** Gossipsub topic of each channel. */
export const TOPICS = Object.freeze({
  membership: GOSSIP_TOPIC,
  heartbeat: GOSSIP_TOPIC,
  delta: GOSSIP_TOPIC
} as const satisfies Record<Channel, string>)

export type Topic = typeof GOSSIP_TOPIC

/**
 * Anti-entropy stream: hello, digest, want, versions, push, delta (see `sync.ts`).
 * 2.0.0: the hello carries a few top buckets and a `digest`/`want` exchange
 * descends into the ones that differ (1.0.0 sent every bucket in the hello).
 */
export const SYNC_PROTOCOL = '/hauki-mesh/sync/2.0.0'
/** Indirect probe: one probe-req, one probe-res per stream (see `probe.ts`). */
export const PROBE_PROTOCOL = '/hauki-mesh/probe/1.0.0'
/** Host bridge: one request, one answer per stream (see `bridge.ts`); only hosts serve it. */
export const BRIDGE_PROTOCOL = '/hauki-mesh/bridge/1.0.0'
/** Flush barrier of a critical pre-flight: flush, flushed; every agent serves it. */
export const BARRIER_PROTOCOL = '/hauki-mesh/barrier/1.0.0'

export const PROTOCOLS = Object.freeze({
  sync: SYNC_PROTOCOL,
  probe: PROBE_PROTOCOL,
  bridge: BRIDGE_PROTOCOL,
  barrier: BARRIER_PROTOCOL
} as const)

/** The gossipsub topic a channel is published on. */
export function topicFor (channel: Channel): Topic {
  return TOPICS[channel]
}

/** Is `topic` ours? */
export function isGossipTopic (topic: string): boolean {
  return topic === GOSSIP_TOPIC
}
