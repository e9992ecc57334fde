/**
 * Limits of everything on the wire. Every decoder checks the byte length
 * against its limit before it looks at a single byte, then checks every
 * field against the limits below; every encoder refuses to produce a message
 * that a peer would reject. Sizes end in `Bytes`, durations in `Ms`, counts
 * in `Max`.
 *
 * The core keeps its own copies of the shared grammar limits (key length,
 * node name length); `test/protocols/compat.spec.ts` checks that they agree.
 */

/**
 * Gossip message schema version, carried first in every gossip message and
 * in the topic name. 2: arrays instead of maps, no origin per entry, prev as
 * its distance below hlc (see gossip.ts).
 */
export const GOSSIP_VERSION = 2

/**
 * Largest encoded gossip message. Gossipsub forwards a message to every mesh
 * peer, so a large message costs D times its size per hop; 256 KiB keeps a
 * burst of membership changes in one message without letting one node flood
 * the mesh.
 */
export const GOSSIP_MESSAGE_BYTES_MAX = 256 * 1024
/** Entries in one gossip message. */
export const GOSSIP_ENTRIES_MAX = 1024

/**
 * Largest encoded sync frame (one length-prefixed frame on the sync stream).
 * Pass it to it-length-prefixed as `maxDataLength`. A push or delta carries
 * at most SYNC_FRAME_ENTRIES_MAX entries, which the core caps at
 * SYNC_DELTA_ENTRIES_MAX (4096) by default.
 */
export const SYNC_FRAME_BYTES_MAX = 4 * 1024 * 1024
/** Entries in one push or delta frame; must be at least the core's SYNC_DELTA_ENTRIES_MAX. */
export const SYNC_FRAME_ENTRIES_MAX = 4096
/** Origin versions in one frame's `versions` or `complete` list: the number of origins a mesh may have. */
export const SYNC_VERSIONS_MAX = 65_536
/** Digest buckets: `bucketCount` is a power of two in [1, SYNC_BUCKETS_MAX]; the core's DIGEST_BUCKETS_FINE. */
export const SYNC_BUCKETS_MAX = 1024
/** Longest reason in a sync `error` frame, in UTF-16 code units. */
export const SYNC_ERROR_REASON_LENGTH_MAX = 256

/** Largest encoded probe frame (request or response). Pass it to it-length-prefixed as `maxDataLength`. */
export const PROBE_FRAME_BYTES_MAX = 1024
/** Longest timeout a probe request may ask a helper to wait. */
export const PROBE_TIMEOUT_MS_MAX = 60_000
/** Largest round-trip time a probe response may report. */
export const PROBE_RTT_MS_MAX = 60_000

/** Longest entry key, in UTF-16 code units (the core's ENTRY_KEY_LENGTH_MAX). */
export const ENTRY_KEY_LENGTH_MAX = 256
/** Longest node name (the core's NODE_NAME_LENGTH_MAX; also a DNS label's limit). */
export const NODE_NAME_LENGTH_MAX = 63
/** Longest PeerId string. An Ed25519 PeerId is 52 characters in base58btc, 59 as a base32 CID. */
export const PEER_ID_LENGTH_MAX = 128

/** Deepest nesting of arrays and maps inside an entry value: `[]` is one level, `[[1]]` two. */
export const VALUE_DEPTH_MAX = 16
/**
 * Largest encoded entry value. Keeps a single entry well below
 * GOSSIP_MESSAGE_BYTES_MAX, so every valid entry fits in a gossip message of
 * its own and `splitGossip` never meets an entry it cannot send.
 */
export const VALUE_BYTES_MAX = 64 * 1024

/**
 * Deepest CBOR nesting any message may have. The decoder enforces it while it
 * reads tokens, before cborg recurses, so a hostile frame of a million nested
 * arrays fails fast instead of exhausting the stack. It is well above the
 * deepest valid message (message map, entries array, entry map, then
 * VALUE_DEPTH_MAX levels of value), so a value that is only somewhat too deep
 * still reaches the schema and gets a reason that names its field.
 */
export const CBOR_NESTING_MAX = 64

/** Largest encoded host bridge frame (request or answer; a `listed` answer is the big one). */
export const BRIDGE_FRAME_BYTES_MAX = 1024 * 1024
/** Longest dataset, snapshot or container name on the wire (ZFS's own limit is 255). */
export const BRIDGE_NAME_LENGTH_MAX = 255
/** Longest pre-flight intent. */
export const BRIDGE_INTENT_LENGTH_MAX = 256
/** Longest reason in a `denied` answer. */
export const BRIDGE_REASON_LENGTH_MAX = 1024
/** Names in one answer's list (snapshots listed, destroyed or newer). */
export const BRIDGE_LIST_MAX = 4096
/** Members named in a critical pre-flight's acked / notAcked lists. */
export const BRIDGE_MEMBERS_MAX = 4096
/** Longest barrier deadline a critical pre-flight may ask for. */
export const BRIDGE_DEADLINE_MS_MAX = 120_000
/** Largest encoded flush-barrier frame. */
export const BARRIER_FRAME_BYTES_MAX = 256
