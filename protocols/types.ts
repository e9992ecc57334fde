/**
 * Wire types. They are declared here, not imported from the core, because
 * dependencies point one way (`agent/core -> protocols`); they are
 * structurally identical to the core's types, which
 * `test/protocols/compat.spec.ts` checks in both directions.
 */

/** A node's name, e.g. `hauki-crm`: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, at most 63 characters. */
export type NodeName = string

/** A libp2p PeerId in its string form. */
export type PeerIdStr = string

/** A replicated-state key such as `node/hauki-crm/heartbeat`. */
export type EntryKey = string

/** A hybrid logical clock value packed into one safe non-negative integer. */
export type Hlc = number

/** JSON-compatible value carried by an entry; `null` is a tombstone. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value }

/** One replicated write: `(hlc, origin)` stamps it, `prev` is the origin's previous HLC (0 for its first). */
export interface Entry {
  key: EntryKey
  value: Value
  hlc: Hlc
  origin: NodeName
  prev: Hlc
}

/** `[origin, upTo, max]`: what a replica holds of one origin's writes; `upTo <= max`. */
export type OriginVersion = [origin: NodeName, upTo: Hlc, max: Hlc]

/** The outcome of decoding or validating untrusted input. `reason` names the field and the rule. */
export type DecodeResult<T> = { ok: true, value: T } | { ok: false, reason: string }

/** One gossipsub message on any channel: a batch of writes of `from`, each with `origin: from`. */
export interface GossipMessage {
  v: 2
  from: NodeName
  entries: Entry[]
}

// Anti-entropy bodies, as the core's sync.ts builds them.
export interface SyncHello { bucketCount: number, buckets: number[] }
export interface SyncDigest { bucketCount: number, topCount: number, top: number[], buckets: number[] }
export interface SyncWant { bucketCount: number, buckets: number[] }
export interface SyncVersions { bucketCount: number, buckets: number[], versions: OriginVersion[] }
export interface SyncPush { bucketCount: number, buckets: number[], versions: OriginVersion[], entries: Entry[], complete: OriginVersion[] }
export interface SyncDelta { entries: Entry[], complete: OriginVersion[] }

/**
 * Q -> R: the round's fine level `bucketCount` and Q's digest folded to
 * `buckets.length` top buckets (a power of two, at most bucketCount), each a uint32.
 */
export interface SyncHelloFrame extends SyncHello { t: 'hello' }
/**
 * R -> Q: the top buckets that differ (`top`, strictly increasing, below
 * `topCount`) and R's fine buckets under them (`bucketCount / topCount` per
 * top bucket, fine bucket `t + k * topCount` for k = 0, 1, ...), each a uint32.
 */
export interface SyncDigestFrame extends SyncDigest { t: 'digest' }
/** Q -> R: the fine buckets that differ (strictly increasing). */
export interface SyncWantFrame extends SyncWant { t: 'want' }
/** R -> Q: bucket indices that differ (strictly increasing) and R's versions there. */
export interface SyncVersionsFrame extends SyncVersions { t: 'versions' }
/** Q -> R: Q's versions in those buckets and the writes R misses. */
export interface SyncPushFrame extends SyncPush { t: 'push' }
/** R -> Q: the writes Q misses. */
export interface SyncDeltaFrame extends SyncDelta { t: 'delta' }
/** Either side: the round is abandoned, and why. */
export interface SyncErrorFrame { t: 'error', reason: string }

export type SyncFrame = SyncHelloFrame | SyncDigestFrame | SyncWantFrame | SyncVersionsFrame | SyncPushFrame | SyncDeltaFrame | SyncErrorFrame
export type SyncFrameType = SyncFrame['t']

/** Asks a helper to probe `target` on our behalf and answer within `timeoutMs`. */
export interface ProbeRequest {
  t: 'probe-req'
  id: number
  target: NodeName
  targetPeerId: PeerIdStr
  timeoutMs: number
}

/** The helper's answer: `ack` if the target answered (with the helper's RTT to it), else `nack`. */
export interface ProbeResponse {
  t: 'probe-res'
  id: number
  outcome: 'ack' | 'nack'
  rttMs?: number
}

export type ProbeFrame = ProbeRequest | ProbeResponse
