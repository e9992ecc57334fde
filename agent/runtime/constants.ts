/** Defaults and limits of the runtime. */

/** Bound on gossipsub's per-peer outbound buffer (unbounded by default). */
export const GOSSIP_OUTBOUND_BUFFER_BYTES_MAX = 4 * 1024 * 1024
/** gossipsub skips decoding messages whose data exceeds this. */
export const GOSSIP_INBOUND_DATA_BYTES_MAX = 512 * 1024
export const CONNECTIONS_MAX = 300
/** Ping streams kept open for reuse, one per peer (see ping-streams.ts). */
export const PING_STREAMS_MAX = 64
/** A ping stream idle longer than this is closed and replaced, before the peer's handler times it out... */
export const PING_STREAM_IDLE_MS_MAX = 45_000
/** ...which it does after this long without a ping (the ping handler's read timeout). */
export const PING_HANDLER_IDLE_MS = 60_000
/**
 * gossipsub's D, Dlo and Dhi: a node keeps D mesh peers per topic, grafts back up to D below Dlo
 * and prunes back to D above Dhi. Every message reaches every node about (mesh degree - 1) times,
 * so the degree sets what each message costs the fleet. gossipsub's defaults (6, 4, 12; we had
 * 6, 4, 8, then 4, 3, 6) are sized for open networks with adversaries; our mesh is a closed fleet
 * whose own messages are flood-published to every connected peer and whose anti-entropy repairs
 * anything gossip drops. In the simulator (stalls-loss-1000: 1 % loss, 5 % of nodes stalling)
 * 3, 2, 4 cut the copies per message per node from 4.6 to 3.0 with the same detection, no false
 * deaths, and delta convergence p99 among running nodes of 0.16 s instead of 2 ms (a node whose
 * few mesh peers all missed a message waits for an IHAVE). gossipsub requires
 * Dout < Dlo and Dout <= D / 2, hence GOSSIP_MESH_DEGREE_OUTBOUND 1.
 */
export const GOSSIP_MESH_DEGREE = 3
export const GOSSIP_MESH_DEGREE_LOW = 2
export const GOSSIP_MESH_DEGREE_HIGH = 4
/** gossipsub's Dout: mesh peers a node keeps on connections it dialled itself (default 2). */
export const GOSSIP_MESH_DEGREE_OUTBOUND = 1
/**
 * gossipsub's Dscore: mesh peers kept by score when a mesh above Dhi is pruned, the rest to D at
 * random (default 4, above our D, which would keep by score only; the spec wants it below D).
 */
export const GOSSIP_MESH_DEGREE_SCORE = 2
/**
 * gossipsub's Dlazy: peers outside the mesh that get each heartbeat's IHAVE (default 6). IHAVE
 * is the repair of last resort before anti-entropy (a node whose mesh peers all missed a
 * message, or that was cut off); each IHAVE costs its RPC and 14 bytes per message id. In the
 * simulator 3 halves IHAVE traffic, and partition-1000 still converges after the heal.
 */
export const GOSSIP_LAZY_DEGREE = 3
/** Bytes of a gossip message id (see meshMessageId). */
export const GOSSIP_MESSAGE_ID_BYTES = 12
/**
 * Largest chunk of queued yamux frames handed to Noise at once: Noise's
 * largest message (65,535 bytes) less its 16-byte tag, so a coalesced chunk
 * is one encryption and one write.
 */
export const COALESCED_CHUNK_BYTES_MAX = 65_535 - 16
/** Deadline of one anti-entropy exchange (one request and its response). */
export const SYNC_EXCHANGE_TIMEOUT_MS = 5_000
/** Anti-entropy rounds running at once. */
export const SYNC_CONCURRENT_MAX = 4
/** Deadline of an indirect probe request, on top of the probe's own timeout. */
export const INDIRECT_PROBE_SLACK_MS = 200
/** Bootstrap redial backoff. */
export const REDIAL_BACKOFF_MS_MIN = 500
export const REDIAL_BACKOFF_MS_MAX = 30_000
/** Graceful shutdown must finish within this. */
export const SHUTDOWN_DEADLINE_MS = 4_000
/** Telemetry is sampled at most this often. */
export const TELEMETRY_SAMPLE_MS = 1_000
/** After publishing `left`, keep connections open this long so the message leaves. */
export const LEAVE_LINGER_MS = 300
/** Reading the recorder for an emergency bootstrap gives up after this (a hung mount). */
export const EMERGENCY_READ_TIMEOUT_MS = 10_000
/** The recorder's final flush at shutdown may take this long at most. */
export const RECORDER_STOP_DEADLINE_MS = 1_500
/** Mesh and admin events kept for `GET /v1/events`. */
export const RECENT_EVENTS_MAX = 1_000
/** Largest request body the API reads. */
export const API_BODY_BYTES_MAX = 16 * 1024
/** A member asked to flush for a critical pre-flight's barrier gives up after this. */
export const BARRIER_FLUSH_TIMEOUT_MS = 10_000
/** Deadline of a critical pre-flight's barrier when the request names none. */
export const BARRIER_DEADLINE_MS_DEFAULT = 5_000
/** Deadline of one bridge request to a host, barrier excluded (a clone starts a container). */
export const BRIDGE_REQUEST_TIMEOUT_MS = 60_000
/** Bridge requests a host serves at once. */
export const BRIDGE_INBOUND_STREAMS_MAX = 16
/** A host prunes a dataset's pre-flight snapshots this long after a pre-flight on it (coalescing bursts). */
export const BRIDGE_PRUNE_DELAY_MS = 10_000
