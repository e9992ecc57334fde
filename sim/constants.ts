/**
 * Defaults and limits of the simulator, applied once where a scenario is
 * normalised (`scenario.x ?? X_DEFAULT`). Durations end in `Ms` or `S`, sizes
 * in `Bytes`. `sim/README.md` explains where each number comes from.
 */

// Scenario limits.
export const NODES_MAX = 100_000
export const DURATION_S_MAX = 24 * 60 * 60
export const SEED_MAX = 2 ** 32 - 1

// Run phases.
/** Wall clock of virtual time 0 (only the HLC stamps see it). */
export const WALL_START_MS = Date.UTC(2026, 0, 1)
/** Nodes of the initial fleet start spread over this window, as a fleet boots. */
export const START_SPREAD_S_DEFAULT = 10
/** Metrics and faults start this long after time 0, once the fleet has formed. */
export const WARMUP_S_DEFAULT = 30
/** The liveness phase fails if the cluster has not converged after this long. */
export const LIVENESS_TIMEOUT_S_DEFAULT = 300
/** How often the liveness phase checks for convergence, in virtual time. */
export const LIVENESS_CHECK_MS = 100
/** Timeline sample period for the report's charts. */
export const SAMPLE_MS_DEFAULT = 1_000
/** Peers a starting, restarting or joining node dials first (the runtime's bootstrap list). */
export const BOOTSTRAP_PEERS_DEFAULT = 2

// Network (one data centre with a few slow links).
export const LATENCY_BASE_MS_MIN_DEFAULT = 0.1
export const LATENCY_BASE_MS_MAX_DEFAULT = 0.5
/** Mean of the exponential per-message jitter on top of a link's base latency. */
export const LATENCY_JITTER_MS_DEFAULT = 0.1
export const SLOW_LINK_FRACTION_DEFAULT = 0.01
export const SLOW_LINK_MS_MIN_DEFAULT = 5
export const SLOW_LINK_MS_MAX_DEFAULT = 40
/** Extra delay drawn for a reordered message. */
export const REORDER_DELAY_MS_DEFAULT = 5
/** In `retransmit` loss mode a lost segment costs one retransmission timeout (Linux RTO_MIN) per loss. */
export const RETRANSMIT_MS_DEFAULT = 200

// Gossipsub as agent/runtime/libp2p-node.ts configures it (js-libp2p-gossipsub v14 defaults unless noted).
/** The runtime's GOSSIP_MESH_DEGREE, _LOW and _HIGH (gossipsub's defaults are 6, 4 and 12). */
export const GOSSIP_D_DEFAULT = 3
export const GOSSIP_D_LO_DEFAULT = 2
export const GOSSIP_D_HI_DEFAULT = 4
/** The runtime's GOSSIP_LAZY_DEGREE (gossipsub's default is 6). */
export const GOSSIP_D_LAZY_DEFAULT = 3
/** The runtime sets 0: IHAVE goes to Dlazy peers only (gossipsub's default is 0.25 of the non-mesh peers). */
export const GOSSIP_FACTOR_DEFAULT = 0
/** The runtime flood-publishes its own messages (gossipsub's default). */
export const GOSSIP_FLOOD_PUBLISH_DEFAULT = true
export const GOSSIP_HEARTBEAT_MS_DEFAULT = 1_000
/** Heartbeats of message ids advertised in IHAVE (mcache gossip window). */
export const GOSSIP_HISTORY_GOSSIP_DEFAULT = 3
/** Seen-cache lifetime: a message id is remembered this long. */
export const GOSSIP_SEEN_TTL_MS = 120_000
/** Messages at least this large make receivers send IDONTWANT to their mesh (gossipsub 1.2). */
export const GOSSIP_IDONTWANT_MIN_BYTES = 512
/** The runtime's connection cap (agent/runtime CONNECTIONS_MAX): flood publish and IHAVE fan out over connected peers. */
export const CONNECTED_PEERS_MAX_DEFAULT = 300
/** Entries in one gossip message (protocols GOSSIP_ENTRIES_MAX); a larger publish is split. */
export const GOSSIP_ENTRIES_MAX = 1024

// Runtime behaviour the simulator reproduces (agent/runtime/constants.ts).
export const SYNC_CONCURRENT_MAX_DEFAULT = 4
export const SYNC_EXCHANGE_TIMEOUT_MS = 5_000
export const INDIRECT_PROBE_SLACK_MS = 200
export const LEAVE_LINGER_MS = 300

// Workload.
export const WRITE_FIELDS_PER_NODE_DEFAULT = 4
export const WRITE_VALUE_BYTES_DEFAULT = 64

// Byte model (see README "What a message costs"). TCP/IP headers are not counted.
/** Noise transport frame: 2-byte length + 16-byte MAC; yamux data frame header: 12 bytes. */
export const FRAME_OVERHEAD_BYTES = 30
/** Opening a stream: yamux SYN/ACK/FIN headers and multistream-select of the protocol id, both ways. */
export const STREAM_OPEN_BYTES = 90
/**
 * Fields of a published gossipsub message besides its data and topic: from (tag, length, a
 * 38-byte Ed25519 PeerId), seqno (tag, length, 8 bytes), signature (tag, length, 64 bytes) and
 * the tags of data and topic. `sizes.ts` adds the lengths and the RPC around it as gossipsub's
 * protobuf encoder writes them (`test/sim/sizes.spec.ts` checks against it).
 */
export const GOSSIP_MESSAGE_FIELDS_BYTES = 118
/** A gossipsub message id: the runtime's 12-byte hash of author and seqno (meshMessageId), with protobuf tag and length. */
export const GOSSIP_MESSAGE_ID_BYTES = 14

/** libp2p ping payload, each way. */
export const PING_PAYLOAD_BYTES = 32
/** A probe-req frame (CBOR: t, id, target, targetPeerId, timeoutMs) without the target's name. */
export const PROBE_REQ_BYTES = 100
/** A probe-res frame. */
export const PROBE_RES_BYTES = 35

// Store (agent/store BATCH_DELAY_MS_DEFAULT): persisted writes become durable this long after the first queued one.
export const STORE_BATCH_DELAY_MS = 50

// Metrics.
/** How often pending joins and heals are checked for convergence, in virtual time. */
export const CONVERGENCE_CHECK_MS = 100
/** Detection-latency histogram bucket width in the report. */
export const HISTOGRAM_BUCKET_MS = 500
/** Examples of each kind of violation kept in the JSON (the counts are exact). */
export const EXAMPLES_MAX = 10
/** Progress callbacks at most this often, in virtual time. */
export const PROGRESS_EVERY_MS = 1_000
/** Deaths of running nodes this long after a partition heals are the partition's doing (verdicts still spreading), not false deaths. */
export const PARTITION_AFTERMATH_MS = 120_000
