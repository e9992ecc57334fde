/**
 * The libp2p node every agent runs: TCP + Noise + yamux, identify, ping and
 * gossipsub, with a connection gater the runtime uses to cut peers off
 * (partition tests, and refusing peers it has banned).
 */
import { gossipsub } from '@chainsafe/libp2p-gossipsub'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import type { Metrics, PrivateKey, PeerId } from '@libp2p/interface'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import type { Message } from '@libp2p/interface'
import { sha256 } from '@noble/hashes/sha2'
import { createLibp2p } from 'libp2p'
import { coalescingMuxer } from './coalesce.js'
import { directNoise, withSinkChains } from './direct-noise.js'
import { metricsComponent } from './wire-meter.js'
import { COALESCED_CHUNK_BYTES_MAX, GOSSIP_OUTBOUND_BUFFER_BYTES_MAX, GOSSIP_INBOUND_DATA_BYTES_MAX, CONNECTIONS_MAX, GOSSIP_LAZY_DEGREE, GOSSIP_MESH_DEGREE, GOSSIP_MESH_DEGREE_HIGH, GOSSIP_MESH_DEGREE_LOW, GOSSIP_MESH_DEGREE_OUTBOUND, GOSSIP_MESH_DEGREE_SCORE, GOSSIP_MESSAGE_ID_BYTES, PING_HANDLER_IDLE_MS } from './constants.js'

export type MeshNode = Awaited<ReturnType<typeof createMeshNode>>

export interface MeshNodeInit {
  privateKey: PrivateKey
  listen: string[]
  topics: string[]
  /** Peers the gater refuses, by PeerId string. */
  blocked: Set<string>
  /** Counts bytes by protocol (see wire-meter.ts). */
  metrics?: Metrics
  /**
   * gossipsub's `asyncValidation`: a delivered message is forwarded only once
   * reported with `reportMessageValidationResult` (see forward-after.ts).
   * @default false
   */
  forwardWhenReported?: boolean
}

/**
 * gossipsub's message id for signed messages is the author's public key (36
 * bytes for Ed25519) followed by the 8-byte sequence number, and every IHAVE
 * and IWANT repeats it per message. A hash of the same two fields, cut to
 * GOSSIP_MESSAGE_ID_BYTES, identifies a message as well (a collision within
 * the seen-cache window is out of reach at 96 bits) at a quarter of the size.
 * Every agent must use the same function: it is part of the wire protocol.
 */
export function meshMessageId (msg: Message): Uint8Array {
  if (msg.type !== 'signed') throw new Error('expected a signed gossip message')
  const author = msg.from.toMultihash().bytes
  const input = new Uint8Array(author.length + 8)
  input.set(author, 0)
  new DataView(input.buffer).setBigUint64(author.length, BigInt.asUintN(64, msg.sequenceNumber))
  return sha256(input).subarray(0, GOSSIP_MESSAGE_ID_BYTES)
}

/**
 * gossipsub checks a message's signature before it computes its id and drops
 * it as a duplicate, so without a fast id every copy (about D per message)
 * costs an Ed25519 verification. The fast id is the author and sequence
 * number as they arrive; gossipsub caches it only after a copy passed
 * validation, so a forged copy cannot make the real one look seen.
 */
export function meshFastMessageId (msg: { from?: Uint8Array, seqno?: Uint8Array }): string {
  if (msg.from === undefined || msg.seqno === undefined) return ''
  return `${Buffer.from(msg.from.buffer, msg.from.byteOffset, msg.from.byteLength).toString('base64')}:${Buffer.from(msg.seqno.buffer, msg.seqno.byteOffset, msg.seqno.byteLength).toString('hex')}`
}

export async function createMeshNode (init: MeshNodeInit) {
  const denied = (peerId: PeerId): boolean => init.blocked.has(peerId.toString())
  return await createLibp2p({
    privateKey: init.privateKey,
    addresses: { listen: init.listen },
    transports: [tcp()],
    // Noise's data path without the queues its set-up leaves behind (see direct-noise.ts).
    connectionEncrypters: [directNoise(noise())],
    // Frames queued together leave in one Noise message and one write (see coalesce.ts).
    streamMuxers: [coalescingMuxer(yamux(), COALESCED_CHUNK_BYTES_MAX)],
    connectionManager: { maxConnections: CONNECTIONS_MAX },
    // libp2p's connection monitor pings every connection every 10 s, on a new stream each
    // time (about 850 B/s per agent in a 20-agent mesh), and aborts a connection whose ping is
    // late, which a few seconds of event-loop stall can cause. SWIM probes already tell alive
    // from dead, with Lifeguard's care for stalls, so the monitor only added cost and noise.
    connectionMonitor: { enabled: false },
    // The metrics hook is where a raw connection is first seen: direct-noise.ts chains its sink there.
    metrics: () => withSinkChains(init.metrics ?? metricsComponent()),
    connectionGater: {
      denyDialPeer: async (peerId) => denied(peerId),
      denyInboundEncryptedConnection: async (peerId) => denied(peerId),
      denyOutboundEncryptedConnection: async (peerId) => denied(peerId),
      // Loopback and private addresses are where test meshes and LXC bridges live.
      denyDialMultiaddr: async () => false
    },
    services: {
      identify: identify(),
      // Probes reuse one ping stream per peer (ping-streams.ts): let an idle one live between probes.
      ping: ping({ maxInboundStreams: 64, maxOutboundStreams: 64, timeout: PING_HANDLER_IDLE_MS }),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        emitSelf: false,
        // gossipsub's outbound buffer is unbounded unless told otherwise.
        maxOutboundBufferSize: GOSSIP_OUTBOUND_BUFFER_BYTES_MAX,
        maxInboundDataLength: GOSSIP_INBOUND_DATA_BYTES_MAX,
        allowedTopics: init.topics,
        asyncValidation: init.forwardWhenReported ?? false,
        msgIdFn: meshMessageId,
        fastMsgIdFn: meshFastMessageId,
        // Mesh sizes between Dlo and Dhi around D (see GOSSIP_MESH_DEGREE): gossipsub's default Dhi
        // of 12 lets a small, fully connected mesh grow to 12 peers per node, and every message
        // then goes out about that many times from every node.
        D: GOSSIP_MESH_DEGREE,
        Dlo: GOSSIP_MESH_DEGREE_LOW,
        Dhi: GOSSIP_MESH_DEGREE_HIGH,
        Dout: GOSSIP_MESH_DEGREE_OUTBOUND,
        Dscore: GOSSIP_MESH_DEGREE_SCORE,
        Dlazy: GOSSIP_LAZY_DEGREE,
        // Our own messages go to every connected peer (flood publish: gossipsub's default). The
        // simulator showed what turning it off costs: with only the mesh carrying a refutation,
        // 3 stalled nodes of 1,000 were declared dead, and restarted nodes took 21 s instead of
        // 4.5 s to converge. IHAVE goes to Dlazy peers only, not to a quarter of all connected
        // peers (gossipFactor 0.25: about 70 peers per second at 300 connections).
        floodPublish: true,
        gossipFactor: 0,
        // gossipsub's default IP colocation penalty (P6: -5 x (peers on one IP - 10)^2) is a Sybil
        // defence for open networks. Our mesh is a closed fleet of Noise-authenticated members, and
        // many agents legitimately share an address (containers behind one host's NAT, every agent
        // of a test on loopback). With it, 20 agents on one IP scored about -400 each: below the
        // publish and gossip thresholds, so meshes stayed empty and deltas crawled in by anti-entropy.
        scoreParams: { IPColocationFactorWeight: 0 }
      })
    }
  })
}
