/**
 * Names on the wire: gossipsub topics per channel and the stream protocol
 * ids. A breaking change to a message bumps the version in its name, so old
 * and new agents never misread each other's messages; they simply do not
 * hear them.
 */

/** The gossip channels; the core's `Channel`. */
export const CHANNELS = ['membership', 'heartbeat', 'delta'] as const
export type Channel = typeof CHANNELS[number]

/** Gossipsub topic of each channel. */
export const TOPICS = Object.freeze({
  membership: 'hauki-mesh/membership/1',
  heartbeat: 'hauki-mesh/heartbeat/1',
  delta: 'hauki-mesh/delta/1'
} as const satisfies Record<Channel, string>)

export type Topic = typeof TOPICS[Channel]

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

/** The channel of a gossipsub topic, or undefined for a topic that is not ours. */
export function channelOfTopic (topic: string): Channel | undefined {
  for (const channel of CHANNELS) if (TOPICS[channel] === topic) return channel
  return undefined
}
