/**
 * The libp2p node every agent runs: TCP + Noise + yamux, identify, ping and
 * gossipsub, with a connection gater the runtime uses to cut peers off
 * (partition tests, and refusing peers it has banned).
 */
import { gossipsub } from '@chainsafe/libp2p-gossipsub'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import type { PrivateKey, PeerId } from '@libp2p/interface'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { GOSSIP_OUTBOUND_BUFFER_BYTES_MAX, GOSSIP_INBOUND_DATA_BYTES_MAX, CONNECTIONS_MAX } from './constants.js'

export type MeshNode = Awaited<ReturnType<typeof createMeshNode>>

export interface MeshNodeInit {
  privateKey: PrivateKey
  listen: string[]
  topics: string[]
  /** Peers the gater refuses, by PeerId string. */
  blocked: Set<string>
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
