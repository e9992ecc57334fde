import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
// gossipsub's own protobuf codec: the simulator's framing must match what it writes.
import { RPC } from '@chainsafe/libp2p-gossipsub/message'
import type { Entry } from '../../agent/core/index.js'
import { GOSSIP_TOPIC, encodeGossip, encodeSyncFrame } from '../../protocols/index.js'
import { FRAME_OVERHEAD_BYTES, GOSSIP_MESSAGE_ID_BYTES } from '../../sim/constants.js'
import type { SimSyncFrame } from '../../sim/sizes.js'
import { controlBytes, gossipPayloadBytes, gossipRpcBytes, syncPayloadBytes } from '../../sim/sizes.js'
import { syncFrameArb } from '../protocols/arbitraries.js'

const HLC = 600_000_000_000 * 4096

function entry (key: string, value: Entry['value'], origin = 'n00123'): Entry {
  return { key, value, hlc: HLC, origin, prev: HLC - 4_096_000 }
}

describe('sim: sizes', () => {
  it.each([
    ['a suspicion', [entry('member/n00456', { incarnation: 3, status: 'suspect' })]],
    ['a refutation', [entry('member/n00123', { incarnation: 4, status: 'alive' })]],
    ['a workload write', [entry('node/n00123/app2', { seq: 123, pad: 'x'.repeat(64) })]],
    ['a delete', [entry('node/n00123/app1', null)]],
    ['start writes', [entry('member/n00123', { incarnation: 1, status: 'alive' }), entry('node/n00123/caps', { role: 'container', labels: {}, services: [] })]],
    ['30 entries', Array.from({ length: 30 }, (_, i) => entry(`node/n00123/app${i}`, i))]
  ])('should charge a gossip payload of %s exactly as the runtime encodes it', (_name, entries) => {
    expect(gossipPayloadBytes('n00123', entries)).toBe(encodeGossip({ v: 2, from: 'n00123', entries }).length)
  })

  /** Bytes of a length-prefixed RPC as gossipsub writes it to its stream. */
  const framed = (rpc: Uint8Array): number => rpc.length + (rpc.length < 0x80 ? 1 : rpc.length < 0x4000 ? 2 : 3)

  it.each([
    [GOSSIP_TOPIC, 40], [GOSSIP_TOPIC, 127], [GOSSIP_TOPIC, 128], [GOSSIP_TOPIC, 300], [GOSSIP_TOPIC, 20_000],
    ['hauki-mesh/membership/1', 171]
  ])('should charge a published message on %s with %i bytes of data as gossipsub encodes it', (topic, dataBytes) => {
    // A signed message from an Ed25519 peer: its PeerId (38 bytes) in `from`, an 8-byte seqno, a 64-byte signature.
    const message = { from: new Uint8Array(38), data: new Uint8Array(dataBytes), seqno: new Uint8Array(8), topic, signature: new Uint8Array(64) }
    expect(gossipRpcBytes(topic, dataBytes)).toBe(framed(RPC.encode({ subscriptions: [], messages: [message] })))
  })

  it.each([[GOSSIP_TOPIC, 1], [GOSSIP_TOPIC, 9], ['hauki-mesh/delta/1', 30]])('should charge an IHAVE on %s of %i ids as gossipsub encodes it', (topic, ids) => {
    const messageIDs = Array.from({ length: ids }, () => new Uint8Array(GOSSIP_MESSAGE_ID_BYTES - 2))
    const rpc = RPC.encode({ subscriptions: [], messages: [], control: { ihave: [{ topicID: topic, messageIDs }], iwant: [], graft: [], prune: [], idontwant: [] } })
    expect(controlBytes(topic, ids)).toBe(FRAME_OVERHEAD_BYTES + framed(rpc))
  })

  it('should charge every sync frame exactly as the runtime encodes it', () => {
    fc.assert(fc.property(syncFrameArb, (f) => {
      if (f.t === 'error') return
      expect(syncPayloadBytes(f as SimSyncFrame)).toBe(encodeSyncFrame(f).length)
    }), { numRuns: 1000 })
  })

  it('should charge a 10,000-node hello of 16 buckets as the runtime encodes it', () => {
    const f: SimSyncFrame = { t: 'hello', bucketCount: 1024, buckets: Array.from({ length: 16 }, (_, i) => (i * 0x9e37_79b9) >>> 0) }
    expect(syncPayloadBytes(f)).toBe(encodeSyncFrame(f).length)
  })
})
