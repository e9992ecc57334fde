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
/**
 * Buckets a hello carries at most (the top of the digest tree). Most rounds
 * find the two states equal, so the hello is a few dozen bytes; where a top
 * bucket differs, the responder answers with its finer buckets under it.
 * 16 keeps both the hello (80 B) and a 10,000-node descent (64 fine buckets
 * under one top bucket, ~330 B) small.
 */
export const SYNC_HELLO_BUCKETS = 16
/** Entries in one sync delta; the rest follows in later rounds. */
export const SYNC_DELTA_ENTRIES_MAX = 4096
/** Anti-entropy round period. */
export const SYNC_INTERVAL_MS_DEFAULT = 5_000
/** Repair partners per round: clamp(N / 100, MIN, MAX), as Corrosion does. */
export const SYNC_PEERS_MIN = 1
export const SYNC_PEERS_MAX = 10

// SWIM and Lifeguard (memberlist's LAN defaults unless noted).
export const PROBE_INTERVAL_MS_DEFAULT = 1_000
export const PROBE_TIMEOUT_MS_DEFAULT = 500
/** Helpers asked to probe indirectly after a direct probe times out. */
export const INDIRECT_CHECKS_DEFAULT = 3
/**
 * Suspicion timeout = max(SUSPICION_MIN_PERIODS, SUSPICION_MULT * log10(N)) * probe interval, at
 * its shortest. memberlist's LAN default multiplier is 4 (5.2 s at N = 20, 12 s at N = 1,000),
 * sized for SWIM's piggybacked dissemination; over gossipsub a suspicion and its refutation cross
 * the mesh in milliseconds, so less will do: 1.5 gives 3 s up to N = 100 (the floor), 4.5 s at
 * 1,000 and 6 s at 10,000. 1 was too little: in the simulator's stalls-loss-1000 run, nodes whose
 * stalls came back to back (4 s and more) were declared dead (2 of 1,000); 1.5 gave none. A killed
 * agent is suspected by every peer that held a connection to it (see Prober.urgentProbe), so
 * Lifeguard's confirmations bring its timeout down to this shortest one at once.
 */
export const SUSPICION_MULT_DEFAULT = 1.5
/**
 * The shortest suspicion never goes below this many probe periods, whatever N: a node whose
 * event loop is blocked for 3 s must get the chance to refute before anyone declares it dead.
 */
export const SUSPICION_MIN_PERIODS = 3
/**
 * Lifeguard's k: independent confirmations that bring a suspicion to its shortest timeout (the
 * paper's choice; memberlist derives it as SUSPICION_MULT - 2). Peers probe any given member
 * about once per period in total, so an alive node stalled for a few seconds collects
 * confirmations slowly, while a crashed one is confirmed by all its peers at once.
 */
export const SUSPICION_CONFIRMATIONS_DEFAULT = 3
/**
 * Agents that see a member's connection close probe it out of turn, each after a random delay
 * in [0, this): the first few suspect it and the rest hear their suspicion first, so a crash
 * costs a handful of suspicion messages, not one from every peer.
 */
export const PEER_LOST_PROBE_SPREAD_MS = 200
/**
 * Accusations are held back this many probe periods before they go to the fleet (see
 * membership/held-accusations.ts): a confirmation is then published if the member is still
 * suspect and the suspicion still lacks confirmations; a first accusation whose probe timed out
 * is checked with one more ping, and published (with how long it was held) only if that fails
 * too. A node whose loop stalled for up to about 2.5 periods answers that ping or has refuted by
 * then, so the stall costs the fleet nothing instead of an accusation, up to k confirmations and
 * a refutation. Held for less than SUSPICION_MIN_PERIODS minus PEER_LOST_PROBE_SPREAD_MS, a
 * confirmation still arrives before the shortest timeout ends, and a killed process (its
 * connection is refused) is accused at once, so a crash is declared dead exactly as early.
 */
export const SUSPICION_HOLD_PERIODS = 1.5
/**
 * Suspicion deadlines get a random extra delay in [0, spread), so one node, not all, declares a
 * death first: the rest hear its verdict before their own deadline. The spread is this many ms
 * per member, between SUSPICION_DEADLINE_SPREAD_MS and SUSPICION_DEADLINE_SPREAD_MS_MAX, so that
 * about the same few nodes reach their deadline within one gossip propagation (a millisecond or
 * two) whatever N: with 200 ms at N = 1,000 (5 nodes per ms) every crash cost about 4.5 `dead`
 * messages to the whole fleet. The first of N deadlines comes about spread / N after the
 * shortest timeout: 2 ms.
 */
export const SUSPICION_DEADLINE_SPREAD_MS_PER_MEMBER = 2
export const SUSPICION_DEADLINE_SPREAD_MS = 200
export const SUSPICION_DEADLINE_SPREAD_MS_MAX = 2_000
/** Lifeguard: a suspicion starts at this multiple of its shortest timeout and shrinks with confirmations. */
export const SUSPICION_MAX_TIMEOUT_MULT_DEFAULT = 6
/** Lifeguard: local health score ceiling; probe interval and timeout scale by (score + 1). */
export const AWARENESS_MAX_DEFAULT = 8
/** A timer that fires this much later than asked means our own event loop stalled. */
export const STALL_THRESHOLD_MS_DEFAULT = 250
/** An input of at least this many writes hashes each origin's share of the digest once, after the last (Replica.holdHashes). */
export const RECEIVE_HASH_LATER_MIN = 16
/** RTT samples kept per node (most recent peers). */
export const RTT_PEERS_MAX = 32
/** Weight of a new RTT sample in the moving average. */
export const RTT_EWMA_ALPHA = 0.3
/**
 * An RTT estimate is republished when it moved by more than this fraction of its published value
 * (doubled, or fell to nothing)... Placement ranks peers by RTT; smaller moves rarely reorder them,
 * and every republished map costs each node about D x 450 bytes.
 */
export const RTT_PUBLISH_CHANGE_RATIO = 1
/** ...and by more than this many ms (LAN RTTs jitter by milliseconds when a host is busy). */
export const RTT_PUBLISH_CHANGE_MS = 10
/** The RTT map is republished at least every this many heartbeats. */
export const RTT_PUBLISH_BEATS_MAX = 10

// Telemetry.
/** Base heartbeat interval: what a small cluster uses. */
export const HEARTBEAT_INTERVAL_MS_DEFAULT = 1_000
/**
 * Mesh-wide heartbeat budget: all nodes together publish at most this many heartbeats per second.
 * gossipsub delivers each message to every node about D (6) times, so each heartbeat costs every
 * node about 6 x 380 bytes: at 0.25/s that is about 0.6 KB/s per node whatever N, and a node
 * beats every 4N seconds (80 s at N = 20, 67 min at N = 1,000). Liveness does not wait for
 * heartbeats (probes carry it); they carry telemetry for dashboards and placement, and
 * `mesh-agent --heartbeat-mesh-rate` buys fresher telemetry with bandwidth.
 */
export const HEARTBEAT_MESH_RATE_PER_S_DEFAULT = 0.25

// Maintenance.
/** After leaving maintenance a node stays in Recovery this long before it reports itself Active. */
export const RECOVERY_SETTLE_MS_DEFAULT = 5_000
/** A drain that has not finished this long after its event was signed is reported failed. */
export const DRAIN_DEADLINE_MS_DEFAULT = 60 * 60 * 1000
