/**
 * A hostile peer: real libp2p, connected to real agents, sending garbage on
 * every gossip topic and every stream protocol. The agents reject and count
 * it, and keep working.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { encode as cborEncode } from 'cborg'
import * as lp from 'it-length-prefixed'
import { pipe } from 'it-pipe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GOSSIP_TOPIC, PROBE_PROTOCOL, SYNC_PROTOCOL, decodeSyncFrame, encodeGossip, encodeSyncFrame } from '../../../protocols/index.js'
import type { Entry, SyncFrame } from '../../../protocols/index.js'
import { generateAdminKey, hlcFromWall, signAdminEvent } from '../../../agent/core/index.js'
import { createMeshNode } from '../../../agent/runtime/libp2p-node.js'
import type { MeshNode } from '../../../agent/runtime/libp2p-node.js'
import { createTestMesh, stableFingerprint } from '../../helpers/mesh.js'
import type { TestMesh } from '../../helpers/mesh.js'
import { waitFor } from '../../helpers/wait.js'

const NAMES = ['g1', 'g2', 'g3']
let mesh: TestMesh
let attacker: MeshNode

beforeAll(async () => {
  mesh = await createTestMesh(NAMES)
  attacker = await createMeshNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], topics: [GOSSIP_TOPIC], blocked: new Set() })
  attacker.services.pubsub.subscribe(GOSSIP_TOPIC)
  for (const a of mesh.agents.values()) await attacker.dial(multiaddr(a.runtime.addrs[0]!))
  await waitFor('agents see the attacker subscribed', () => attacker.services.pubsub.getSubscribers(GOSSIP_TOPIC).length === NAMES.length)
})

afterAll(async () => {
  await attacker?.stop()
  await mesh?.close()
})

const GARBAGE: [string, Uint8Array][] = [
  ['random bytes', Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff)],
  ['valid CBOR of the wrong shape', cborEncode([2, 'g9', [[42]]])],
  ['a message in the old map form', cborEncode({ v: 1, from: 'g9', entries: [{ key: 'node/g9/caps', value: 'x', hlc: 5, origin: 'g9', prev: 0 }] })],
  ['a forged write of another node', encodeGossip({ v: 2, from: 'g9', entries: [{ key: 'node/g1/caps', value: 'pwned', hlc: 5, origin: 'g9', prev: 0 }] })],
  ['an empty message', new Uint8Array()]
]

async function sendFrames (peerId: string, protocol: string, frames: Uint8Array[]): Promise<void> {
  const stream = await attacker.dialProtocol(peerIdFromString(peerId), protocol, { signal: AbortSignal.timeout(5_000) })
  await pipe(frames, (s) => lp.encode(s), stream, async (source) => { for await (const _ of source) { /* drain the answer */ } }).catch(() => {})
}

/** One request/response exchange on the sync protocol, as a peer's runSync makes it. */
async function ask (peerId: string, frame: SyncFrame): Promise<SyncFrame> {
  const stream = await attacker.dialProtocol(peerIdFromString(peerId), SYNC_PROTOCOL, { signal: AbortSignal.timeout(5_000) })
  const answers: Uint8Array[] = []
  await pipe([encodeSyncFrame(frame)], (s) => lp.encode(s), stream, (s) => lp.decode(s), async (source) => { for await (const a of source) answers.push(a.subarray()) })
  const decoded = decodeSyncFrame(answers[0] ?? new Uint8Array())
  if (!decoded.ok) throw new Error(decoded.reason)
  return decoded.value
}

/**
 * `exchange`, run against a state that did not change while it ran (heartbeats keep arriving, and
 * one arriving between reading the digest and the peer's answer changes the answer): tried until
 * the digest before and after it agree.
 */
async function whileQuiet<T> (core: { replica: { digest: (buckets: number) => number[] } }, exchange: () => Promise<T>): Promise<T> {
  let out: T | undefined
  await waitFor('an exchange during which the state did not change', async () => {
    const before = core.replica.digest(1024).join()
    out = await exchange()
    return core.replica.digest(1024).join() === before
  })
  return out as T
}

describe('mesh: sync rounds that descend into a digest', () => {
  it('should answer a hello whose top bucket differs with its fine digest, and a want with its versions there', async () => {
    const core = mesh.agents.get('g1')!.runtime.core
    const peer = mesh.agents.get('g1')!.runtime.peerId
    // A peer of a larger fleet works at 1,024 fine buckets and opens with one top bucket that differs.
    const { fine, answer } = await whileQuiet(core, async () => ({
      fine: core.replica.digest(1024),
      answer: await ask(peer, { t: 'hello', bucketCount: 1024, buckets: [(core.replica.digest(1)[0]! ^ 1) >>> 0] })
    }))
    expect(answer).toEqual({ t: 'digest', bucketCount: 1024, topCount: 1, top: [0], buckets: fine })
    const held = fine.flatMap((h, i) => (h !== 0 ? [i] : []))
    expect(held.length).toBeGreaterThan(0)
    const { versions, expected } = await whileQuiet(core, async () => ({
      versions: await ask(peer, { t: 'want', bucketCount: 1024, buckets: held }),
      expected: core.replica.versionsInBuckets(held, 1024)
    }))
    expect(versions).toEqual({ t: 'versions', bucketCount: 1024, buckets: held, versions: expected })
  })

  it('should end the round after the hello when the top buckets agree', async () => {
    const core = mesh.agents.get('g2')!.runtime.core
    const answer = await whileQuiet(core, async () => ask(mesh.agents.get('g2')!.runtime.peerId, { t: 'hello', bucketCount: 1024, buckets: core.replica.digest(16) }))
    expect(answer).toEqual({ t: 'versions', bucketCount: 1024, buckets: [], versions: [] })
  })
})

describe('mesh: a peer that sends garbage', () => {
  it.each([GOSSIP_TOPIC])('should reject and count garbage on the %s topic', async (topic) => {
    const before = NAMES.map((n) => mesh.agents.get(n)!.runtime.counters.rejectedOn('gossip'))
    for (const [, bytes] of GARBAGE) await attacker.services.pubsub.publish(topic, bytes).catch(() => {})
    await waitFor('every agent rejected the garbage', () => NAMES.every((n, i) => mesh.agents.get(n)!.runtime.counters.rejectedOn('gossip') >= (before[i] as number) + GARBAGE.length - 1))
    const g1caps = mesh.agents.get('g2')!.runtime.core.replica.get('node/g1/caps')
    expect(g1caps?.value).not.toBe('pwned')
  })

  it('should refuse to forward a forged admin event and score its sender', async () => {
    const forged = signAdminEvent({ action: 'maintenance-enter', target: 'g1', hlc: hlcFromWall(Date.now()), params: {} }, generateAdminKey(new Uint8Array(32).fill(5)).secretKey)
    const entry = { key: `admin/${forged.id}`, value: forged, hlc: hlcFromWall(Date.now()), origin: 'g9', prev: 0 }
    await attacker.services.pubsub.publish(GOSSIP_TOPIC, encodeGossip({ v: 2, from: 'g9', entries: [entry as unknown as Entry] }))
    const series = 'mesh_rejected_messages_total{surface="gossip",reason="admin event: signer is not a trusted admin key"}'
    await waitFor('every agent rejected the forged admin event in the topic validator', () => NAMES.every((n) => mesh.agents.get(n)!.runtime.counters.get(series) >= 1))
    for (const n of NAMES) {
      const core = mesh.agents.get(n)!.runtime.core
      expect(core.replica.get(entry.key)).toBeUndefined()
      expect(core.maintenanceOf('g1').state).toBe('Active')
    }
  })

  it.each([
    ['sync', SYNC_PROTOCOL, [cborEncode({ t: 'push', entries: 'nope' })]],
    ['sync', SYNC_PROTOCOL, [Uint8Array.from([0xff, 0x00, 0x13])]],
    ['sync', SYNC_PROTOCOL, [cborEncode({ t: 'hello', bucketCount: 8, buckets: [1, 2, 3] })]],
    ['sync', SYNC_PROTOCOL, [cborEncode({ t: 'want', bucketCount: 8, buckets: [9] })]],
    ['sync', SYNC_PROTOCOL, [cborEncode({ t: 'digest', bucketCount: 8, topCount: 2, top: [1], buckets: [1, 2, 3, 4] })]],
    ['probe', PROBE_PROTOCOL, [cborEncode({ t: 'probe-req', id: -1, target: '../x', targetPeerId: '', timeoutMs: 1e12 })]],
    ['probe', PROBE_PROTOCOL, [Uint8Array.from([1, 2, 3])]]
  ])('should reject and count a garbage frame on the %s protocol', async (surface, protocol, frames) => {
    const agent = mesh.agents.get('g1')!.runtime
    const before = agent.counters.rejectedOn(surface)
    await sendFrames(agent.peerId, protocol, frames as Uint8Array[])
    await waitFor(`g1 counted the bad ${surface} frame`, () => agent.counters.rejectedOn(surface) > before)
  })

  it('should reject and count an oversized sync frame', async () => {
    const agent = mesh.agents.get('g2')!.runtime
    const before = agent.counters.rejectedOn('sync')
    await sendFrames(agent.peerId, SYNC_PROTOCOL, [new Uint8Array(5 * 1024 * 1024)])
    await waitFor('g2 counted the oversized frame', () => agent.counters.rejectedOn('sync') > before)
  })

  it('should keep the agents converging and serving after all that', async () => {
    mesh.agents.get('g3')!.runtime.input({ kind: 'write-own', field: 'after-attack', value: 'fine' })
    await waitFor('the write reached everyone', () => NAMES.every((n) => mesh.agents.get(n)!.runtime.core.replica.get('node/g3/after-attack')?.value === 'fine'))
    await waitFor('identical state', () => new Set(NAMES.map((n) => stableFingerprint(mesh.agents.get(n)!.runtime.core.replica))).size === 1)
    for (const n of NAMES) {
      const core = mesh.agents.get(n)!.runtime.core
      expect([...core.members.all()].map((m) => m.name).sort()).toEqual(NAMES)
      expect(mesh.agents.get(n)!.runtime.isRunning).toBe(true)
    }
  })
})
