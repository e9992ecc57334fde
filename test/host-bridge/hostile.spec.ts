/**
 * A hostile peer on the bridge and barrier protocols: real libp2p, not a
 * member of the mesh, sending valid requests, garbage and oversized frames to
 * a host. The host answers `denied` or drops the stream, counts it, and runs
 * nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import * as lp from 'it-length-prefixed'
import { pipe } from 'it-pipe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMeshNode } from '../../agent/runtime/libp2p-node.js'
import type { MeshNode } from '../../agent/runtime/libp2p-node.js'
import type { RunningAgent } from '../../agent/runtime/index.js'
import { BARRIER_PROTOCOL, BRIDGE_PROTOCOL, GOSSIP_TOPIC, decodeBridgeAnswer, encodeBridgeRequest } from '../../protocols/index.js'
import { createBridgeMesh } from '../helpers/bridge-mesh.js'
import type { BridgeMesh } from '../helpers/bridge-mesh.js'
import { waitFor } from '../helpers/wait.js'

describe('host bridge: a hostile peer', () => {
  let mesh: BridgeMesh
  let host: RunningAgent
  let attacker: MeshNode
  let tmp: string
  const snapshotsDir = (): string => path.join(tmp, 'datasets', '.snapshots')

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'bridge-hostile-'))
    mkdirSync(path.join(tmp, 'datasets', 'tank', 'ct'), { recursive: true })
    mesh = await createBridgeMesh({ name: 'host1', bridge: { allow: ['*=tank/ct'], backend: 'dir', dirRoot: path.join(tmp, 'datasets'), lxcPath: path.join(tmp, 'lxc') } }, [])
    host = mesh.get('host1')
    attacker = await createMeshNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], topics: [GOSSIP_TOPIC], blocked: new Set() })
    await attacker.dial(multiaddr(host.runtime.addrs[0] as string))
  })
  afterAll(async () => {
    await attacker?.stop()
    await mesh?.close()
    rmSync(tmp, { recursive: true, force: true })
  })

  async function exchange (protocol: string, frames: Uint8Array[]): Promise<Uint8Array[]> {
    const stream = await attacker.dialProtocol(peerIdFromString(host.runtime.peerId), protocol, { signal: AbortSignal.timeout(5_000) })
    const answers: Uint8Array[] = []
    await pipe(frames, (s) => lp.encode(s), stream, (s) => lp.decode(s), async (source) => { for await (const a of source) answers.push(a.subarray()) }).catch(() => {})
    return answers
  }

  it('should deny a well-formed request from a peer that is not a member, and run nothing', async () => {
    const [answer] = await exchange(BRIDGE_PROTOCOL, [encodeBridgeRequest({ t: 'preflight', id: 9, intent: 'x', dataset: 'tank/ct' })])
    const decoded = decodeBridgeAnswer(answer as Uint8Array)
    expect(decoded).toMatchObject({ ok: true, value: { t: 'answer', id: 9, status: 'denied', reason: expect.stringContaining('is not a known member of the mesh') } })
    expect(existsSync(snapshotsDir()) ? readdirSync(snapshotsDir()) : []).toEqual([])
  })

  it.each([
    ['random bytes', Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff)],
    ['a valid frame with one byte flipped', encodeBridgeRequest({ t: 'list', id: 1 }).map((b, i, a) => (i === a.length - 2 ? b ^ 1 : b))]
  ])('should answer %s with an invalid-request denial and count it', async (_what, frame) => {
    const before = host.runtime.counters.rejectedOn('bridge')
    const [answer] = await exchange(BRIDGE_PROTOCOL, [frame])
    expect(decodeBridgeAnswer(answer as Uint8Array)).toMatchObject({ ok: true, value: { status: 'denied', reason: expect.stringContaining('invalid request') } })
    expect(host.runtime.counters.rejectedOn('bridge')).toBeGreaterThan(before)
  })

  it('should drop an oversized bridge frame and a garbage barrier frame, counting both', async () => {
    const bridgeBefore = host.runtime.counters.rejectedOn('bridge')
    expect(await exchange(BRIDGE_PROTOCOL, [new Uint8Array(2 * 1024 * 1024)])).toEqual([])
    await waitFor('the host counted the oversized frame', () => host.runtime.counters.rejectedOn('bridge') > bridgeBefore)
    const barrierBefore = host.runtime.counters.rejectedOn('barrier')
    expect(await exchange(BARRIER_PROTOCOL, [Uint8Array.from([1, 2, 3])])).toEqual([])
    await waitFor('the host counted the barrier garbage', () => host.runtime.counters.rejectedOn('barrier') > barrierBefore)
    expect(host.runtime.isRunning).toBe(true)
  })
})
