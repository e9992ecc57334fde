/**
 * Defaults and limits of the core, applied once where a component is built
 * (`init.x ?? X_DEFAULT`). Durations end in `Ms`.
 */

// Hybrid logical clock.
/** HLC wall part counts from this epoch (2024-01-01T00:00:00Z) so the packed value stays a safe integer until 2093. */
export const HLC_EPOCH_MS = 1_704_067_200_000
/** Logical counter bits below the wall part: 4096 events per millisecond before the counter spills into the wall part. */
export const HLC_LOGICAL_BITS = 12
/** A remote stamp further than this ahead of our wall clock is rejected, so one bad clock cannot drag the mesh into the future. */
export const HLC_DRIFT_MS_MAX_DEFAULT = 60_000

// Replicated state.
/** Tombstones are collected this long after the delete (wall time of its HLC). Must exceed the longest partition. */
export const TOMBSTONE_GRACE_MS_DEFAULT = 24 * 60 * 60 * 1000
/** How often the core sweeps collectable tombstones. */
export const TOMBSTONE_GC_INTERVAL_MS_DEFAULT = 60_000
/** Out-of-order writes remembered per origin while waiting for the gap below them to fill. */
export const PENDING_LINKS_PER_ORIGIN_MAX = 256
/** Longest key accepted, in UTF-16 code units. */
export const ENTRY_KEY_LENGTH_MAX = 256
/** Longest node name accepted. */
export const NODE_NAME_LENGTH_MAX = 63

// Anti-entropy.
/** Fine buckets the digest is kept in; a digest for fewer buckets is folded from these. */
export const DIGEST_BUCKETS_FINE = 1024
/** Origins per digest bucket the requester aims for when choosing how many buckets to send. */
export const DIGEST_ORIGINS_PER_BUCKET = 8
/** Entries in one sync delta; the rest follows in later rounds. */
export const SYNC_DELTA_ENTRIES_MAX = 4096
/** Anti-entropy round period. */
export const SYNC_INTERVAL_MS_DEFAULT = 5_000
/** Repair partners per round: clamp(N / 100, MIN, MAX), as Corrosion does. */
export const SYNC_PEERS_MIN = 3
export const SYNC_PEERS_MAX = 10

// SWIM and Lifeguard (memberlist's LAN defaults unless noted).
export const PROBE_INTERVAL_MS_DEFAULT = 1_000
export const PROBE_TIMEOUT_MS_DEFAULT = 500
/** Helpers asked to probe indirectly after a direct probe times out. */
export const INDIRECT_CHECKS_DEFAULT = 3
/** Suspicion timeout = SUSPICION_MULT * max(1, log10(N)) * probe interval, at its shortest. */
export const SUSPICION_MULT_DEFAULT = 4
/** Lifeguard: a suspicion starts at this multiple of its shortest timeout and shrinks with confirmations. */
export const SUSPICION_MAX_TIMEOUT_MULT_DEFAULT = 6
/** Lifeguard: local health score ceiling; probe interval and timeout scale by (score + 1). */
export const AWARENESS_MAX_DEFAULT = 8
/** A timer that fires this much later than asked means our own event loop stalled. */
export const STALL_THRESHOLD_MS_DEFAULT = 250
/** RTT samples kept per node (most recent peers). */
export const RTT_PEERS_MAX = 32
/** Weight of a new RTT sample in the moving average. */
export const RTT_EWMA_ALPHA = 0.3
/** An RTT estimate is republished when it moved by more than this fraction of its published value... */
export const RTT_PUBLISH_CHANGE_RATIO = 0.25
/** ...and by more than this many ms (loopback and LAN RTTs jitter by fractions of a millisecond). */
export const RTT_PUBLISH_CHANGE_MS = 1
/** The RTT map is republished at least every this many heartbeats. */
export const RTT_PUBLISH_BEATS_MAX = 10

// Telemetry.
/** Base heartbeat interval: what a small cluster uses. */
export const HEARTBEAT_INTERVAL_MS_DEFAULT = 1_000
/** Mesh-wide heartbeat budget: all nodes together publish at most this many heartbeats per second. */
export const HEARTBEAT_MESH_RATE_PER_S_DEFAULT = 10

// Maintenance.
/** After leaving maintenance a node stays in Recovery this long before it reports itself Active. */
export const RECOVERY_SETTLE_MS_DEFAULT = 5_000
/** A drain that has not finished this long after its event was signed is reported failed. */
export const DRAIN_DEADLINE_MS_DEFAULT = 60 * 60 * 1000
