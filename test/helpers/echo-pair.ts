/**
 * Two real libp2p mesh nodes on loopback, `b` serving an echo protocol, for
 * tests of what the connection does to bytes (coalescing, the direct Noise
 * path). The nodes are pushed to `nodes`; `nodesStoppedAfterEach` gives a list
 * whose nodes are stopped after each test of the suite that calls it.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach } from 'vitest'
import { createMeshNode } from '../../agent/runtime/libp2p-node.js'
import type { MeshNode } from '../../agent/runtime/libp2p-node.js'

export const ECHO_PROTOCOL = '/hauki-test/echo/1.0.0'

/** Start `a` and `b`, make `b` echo ECHO_PROTOCOL; `a` has not dialled `b` yet. */
export async function echoPair (nodes: MeshNode[]): Promise<[MeshNode, MeshNode]> {
  for (let i = 0; i < 2; i++) nodes.push(await createMeshNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], topics: [], blocked: new Set() }))
  const [a, b] = nodes.slice(-2) as [MeshNode, MeshNode]
  await b.handle(ECHO_PROTOCOL, ({ stream }) => { stream.sink(stream.source).catch(() => {}) })
  return [a, b]
}

/** A list for `echoPair` whose nodes are stopped after each test (call it inside a `describe`). */
export function nodesStoppedAfterEach (): MeshNode[] {
  const nodes: MeshNode[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async (n) => await n.stop()))
  })
  return nodes
}
