/**
 * Shared vocabulary of the pure core. Nothing here performs I/O.
 */

/** A node's name, e.g. `hauki-crm`. */
export type NodeName = string

/** A libp2p PeerId in its string form. */
export type PeerIdStr = string

/** A replicated-state key such as `node/hauki-crm/heartbeat`. */
export type EntryKey = string

/**
 * A hybrid logical clock value packed into one safe integer:
 * `(wallMs - HLC_EPOCH_MS) * 2^HLC_LOGICAL_BITS + logical`. See `hlc.ts`.
 */
export type Hlc = number

/** JSON-compatible value carried by an entry. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value }

/**
 * One replicated fact. `value === null` is a tombstone (a delete).
 * `(hlc, origin)` is the write's stamp and a total order over all writes;
 * `prev` is the HLC of the origin's previous write (0 for its first), which
 * lets a receiver tell whether it holds an origin's writes without gaps.
 */
export interface Entry {
  key: EntryKey
  value: Value
  hlc: Hlc
  origin: NodeName
  prev: Hlc
}

/** The time an input happened, given to the core by its driver. */
export interface Instant {
  /** Monotonic milliseconds: for timeouts and periods. */
  monoMs: number
  /** Wall-clock milliseconds since the Unix epoch: for HLC stamps only. */
  wallMs: number
}

export type Liveness = 'alive' | 'suspect' | 'dead' | 'left'

/** The value of a `member/<name>` entry. */
export interface MemberRecord {
  incarnation: number
  status: Liveness
}
