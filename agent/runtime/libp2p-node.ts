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
import { GOSSIP_OUTBOUND_BUFFER_BYTES_MAX, GOSSIP_INBOUND_DATA_BYTES_MAX, CONNECTIONS_MAX, GOSSIP_MESSAGE_ID_BYTES } from './constants.js'

export type MeshNode = Awaited<ReturnType<typeof createMeshNode>>

export interface MeshNodeInit {
  privateKey: PrivateKey
  listen: string[]
  topics: string[]
  /** Peers the gater refuses, by PeerId string. */
  blocked: Set<string>
  /** Counts bytes by protocol (see wire-meter.ts). */
  metrics?: Metrics
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

export async function createMeshNode (init: MeshNodeInit) {
  const denied = (peerId: PeerId): boolean => init.blocked.has(peerId.toString())
  return await createLibp2p({
    privateKey: init.privateKey,
    addresses: { listen: init.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: CONNECTIONS_MAX },
    ...(init.metrics === undefined ? {} : { metrics: () => init.metrics as Metrics }),
    connectionGater: {
      denyDialPeer: async (peerId) => denied(peerId),
      denyInboundEncryptedConnection: async (peerId) => denied(peerId),
      denyOutboundEncryptedConnection: async (peerId) => denied(peerId),
      // Loopback and private addresses are where test meshes and LXC bridges live.
      denyDialMultiaddr: async () => false
    },
    services: {
      identify: identify(),
      ping: ping({ maxInboundStreams: 64, maxOutboundStreams: 64 }),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        emitSelf: false,
        // gossipsub's outbound buffer is unbounded unless told otherwise.
        maxOutboundBufferSize: GOSSIP_OUTBOUND_BUFFER_BYTES_MAX,
        maxInboundDataLength: GOSSIP_INBOUND_DATA_BYTES_MAX,
        allowedTopics: init.topics,
        msgIdFn: meshMessageId,
        // Flood our own messages to all topic peers: few, small, and latency matters more than bytes.
        floodPublish: true,
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
