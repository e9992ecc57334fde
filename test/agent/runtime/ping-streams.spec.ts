/**
 * Probes on kept-open ping streams, between two real libp2p nodes on
 * loopback, with the wire meter counting what crosses.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import { createMeshNode } from '../../../agent/runtime/libp2p-node.js'
import type { MeshNode } from '../../../agent/runtime/libp2p-node.js'
import { PING_PROTOCOL, PingStreams } from '../../../agent/runtime/ping-streams.js'
import { WIRE_RAW, WireMeter } from '../../../agent/runtime/wire-meter.js'

const nodes: MeshNode[] = []

async function node (meter?: WireMeter): Promise<MeshNode> {
  const n = await createMeshNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], topics: [], blocked: new Set(), metrics: meter?.component() })
  nodes.push(n)
  return n
}

/** a connected to b, so the ping streams can dial b by its peer id. */
async function pair (meter?: WireMeter): Promise<{ a: MeshNode, b: MeshNode }> {
  const a = await node(meter)
  const b = await node()
  await a.dial(b.getMultiaddrs()[0] as Parameters<MeshNode['dial']>[0])
  return { a, b }
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map(async (n) => await n.stop()))
})

describe('runtime: ping streams', () => {
  it('should answer many probes on one stream, and the wire meter should count them by protocol', async () => {
    const meter = new WireMeter()
    const { a, b } = await pair(meter)
    const pings = new PingStreams(a)
    for (let i = 0; i < 20; i++) {
      const rtt = await pings.ping(b.peerId, AbortSignal.timeout(2_000))
      expect(rtt).toBeGreaterThan(0)
    }
    expect(pings.opened).toBe(1)
    expect(pings.reused).toBe(19)
    // 20 pings of 32 bytes each way, counted as ping payload; the raw connection carries more (framing, handshakes).
    expect(meter.get('out', PING_PROTOCOL)).toBe(20 * 32)
    expect(meter.get('in', PING_PROTOCOL)).toBe(20 * 32)
    expect(meter.get('out', WIRE_RAW)).toBeGreaterThan(20 * 32)
    expect(Object.keys(meter.series()).some((k) => k.startsWith('mesh_wire_bytes_total{dir="out",protocol="/ipfs/ping/1.0.0"}'))).toBe(true)
  })

  it('should not hold a broken stream against the peer: the next probe opens a fresh one and succeeds', async () => {
    const { a, b } = await pair()
    const pings = new PingStreams(a)
    await pings.ping(b.peerId, AbortSignal.timeout(2_000))
    // The peer's side of the kept stream goes away (as when its handler times an idle stream out).
    for (const conn of b.getConnections(a.peerId)) for (const s of conn.streams) if (s.protocol === PING_PROTOCOL) s.abort(new Error('idle'))
    const rtt = await pings.ping(b.peerId, AbortSignal.timeout(2_000))
    expect(rtt).toBeGreaterThan(0)
    expect(pings.opened).toBe(2)
  })

  it('should fail a probe of a peer that is gone', async () => {
    const { a, b } = await pair()
    const pings = new PingStreams(a)
    await pings.ping(b.peerId, AbortSignal.timeout(2_000))
    await b.stop()
    await expect(pings.ping(b.peerId, AbortSignal.timeout(2_000))).rejects.toThrow()
  })
})
