/**
 * Integration: real agents (libp2p on loopback, LevelDB) in one process.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createTestMesh, livenessAt, stableFingerprint } from '../../helpers/mesh.js'
import type { TestMesh } from '../../helpers/mesh.js'
import type { RunningAgent } from '../../../agent/runtime/index.js'
import { waitFor } from '../../helpers/wait.js'
import { GOSSIP_TOPIC } from '../../../protocols/index.js'

const SIX = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']
let mesh: TestMesh | undefined

afterEach(async () => {
  await mesh?.close()
  mesh = undefined
})

function everyoneSees (m: TestMesh, member: string, liveness: string, among = [...m.agents.keys()]): boolean {
  return among.every((n) => livenessAt(m.agents.get(n)!, member) === liveness)
}

function sameState (m: TestMesh, among = [...m.agents.keys()]): boolean {
  const prints = new Set(among.map((n) => stableFingerprint(m.agents.get(n)!.runtime.core.replica)))
  return prints.size === 1
}

describe('mesh: real libp2p agents on loopback', () => {
  it('mesh: 6 agents converge to the same member list and the same replicated state', async () => {
    mesh = await createTestMesh(SIX)
    const m = mesh
    await waitFor('all agents see all six alive', () => SIX.every((n) => everyoneSees(m, n, 'alive')))
    await waitFor('identical state everywhere', () => sameState(m))
    // Heartbeats, capabilities and RTT samples travelled too.
    const a1 = m.agents.get('a1')!.runtime.core.replica
    for (const n of SIX) {
      expect(a1.get(`node/${n}/caps`)?.value).toEqual({ role: 'container', labels: { zone: 'test' }, services: [] })
      expect(a1.get(`node/${n}/heartbeat`)).toBeDefined()
    }
    await waitFor('rtt samples published', () => m.agents.get('a2')!.runtime.core.replica.get('node/a1/rtt') !== undefined)
  })

  it('mesh: 12 agents on one IP form gossip meshes, and a write reaches every agent by gossip alone', async () => {
    // Anti-entropy rounds are pushed out of the test's window, so only gossip can deliver the write.
    const names = Array.from({ length: 12 }, (_, i) => `g${String(i).padStart(2, '0')}`)
    mesh = await createTestMesh(names, { core: { syncIntervalMs: 600_000 } })
    const m = mesh
    await waitFor('all see all twelve', () => [...m.agents.values()].every((a) => a.runtime.core.members.clusterSize === 12), 40_000)
    await waitFor('every agent has gossip mesh peers on the gossip topic', () => [...m.agents.values()].every((a) => (a.runtime.node.services.pubsub as unknown as { getMeshPeers: (t: string) => string[] }).getMeshPeers(GOSSIP_TOPIC).length > 0), 20_000)
    const sources = new Map<string, string>()
    for (const [name, a] of m.agents) {
      const rt = a.runtime
      const original = rt.input.bind(rt)
      rt.input = (input) => {
        original(input)
        if (input.kind === 'entries' && input.entries.some((e) => e.key === 'node/g00/by-gossip')) sources.set(name, input.source)
      }
    }
    m.agents.get('g00')!.runtime.input({ kind: 'write-own', field: 'by-gossip', value: true })
    await waitFor('the write reached all eleven others', () => sources.size === 11)
    expect(new Set(sources.values())).toEqual(new Set(['gossip']))
  })

  it('mesh: relay: a write reaches an agent cut off from its writer, forwarded by gossip through a third', async () => {
    // Agents forward what they delivered only once they report it (forward-after.ts): this fails if no report is made.
    mesh = await createTestMesh(['r0', 'r1', 'r2'], { core: { syncIntervalMs: 600_000 } })
    const m = mesh
    const rt = (n: string): RunningAgent['runtime'] => m.agents.get(n)!.runtime
    await waitFor('all see all three', () => [...m.agents.values()].every((a) => a.runtime.core.members.clusterSize === 3), 20_000)
    await rt('r0').setBlocked([rt('r2').peerId])
    await rt('r2').setBlocked([rt('r0').peerId])
    const meshPeers = (n: string): string[] => (rt(n).node.services.pubsub as unknown as { getMeshPeers: (t: string) => string[] }).getMeshPeers(GOSSIP_TOPIC)
    await waitFor('r1 relays between r0 and r2 on the delta topic', () => meshPeers('r1').includes(rt('r0').peerId) && meshPeers('r1').includes(rt('r2').peerId) && !meshPeers('r0').includes(rt('r2').peerId), 20_000)
    let source: string | undefined
    const original = rt('r2').input.bind(rt('r2'))
    rt('r2').input = (input) => {
      original(input)
      if (input.kind === 'entries' && input.entries.some((e) => e.key === 'node/r0/relayed')) source ??= input.source
    }
    rt('r0').input({ kind: 'write-own', field: 'relayed', value: 1 })
    await waitFor('the write reached r2', () => source !== undefined, 10_000)
    expect(source).toBe('gossip')
  })

  it('mesh: a crashed agent becomes suspect then dead everywhere, and comes back with a higher incarnation', async () => {
    mesh = await createTestMesh(SIX)
    const m = mesh
    await waitFor('all alive', () => SIX.every((n) => everyoneSees(m, n, 'alive')))
    const survivors = SIX.filter((n) => n !== 'a4')
    const before = m.agents.get('a4')!.runtime.core.incarnation
    const suspected: string[] = []
    for (const n of survivors) {
      m.agents.get(n)!.runtime.on('member', (e: { name: string, to: string }) => { if (e.name === 'a4') suspected.push(e.to) })
    }
    await m.agents.get('a4')!.runtime.abort()
    await waitFor('a4 dead at every survivor', () => everyoneSees(m, 'a4', 'dead', survivors), 30_000)
    expect(suspected).toContain('suspect')
    expect(suspected.indexOf('suspect')).toBeLessThan(suspected.indexOf('dead'))
    // Meanwhile the others wrote more state, which the restarted agent must catch up on.
    m.agents.get('a1')!.runtime.input({ kind: 'write-own', field: 'note', value: 'written while a4 was down' })
    m.agents.delete('a4')
    const back = await m.start('a4', [m.agents.get('a1')!.runtime.addrs[0]!])
    expect(back.runtime.core.incarnation).toBeGreaterThan(before)
    await waitFor('a4 alive again everywhere', () => everyoneSees(m, 'a4', 'alive', survivors), 30_000)
    await waitFor('a4 caught up', () => back.runtime.core.replica.get('node/a1/note')?.value === 'written while a4 was down')
    await waitFor('identical state everywhere', () => sameState(m))
    for (const n of survivors) expect(m.agents.get(n)!.runtime.core.members.get('a4')?.incarnation).toBeGreaterThan(before)
  })

  it('mesh: partition: 2 of 6 cut off keep working and converge with nothing lost after the cut heals', async () => {
    mesh = await createTestMesh(SIX)
    const m = mesh
    await waitFor('all alive', () => SIX.every((n) => everyoneSees(m, n, 'alive')))
    const small = ['a5', 'a6']
    const big = SIX.filter((n) => !small.includes(n))
    const pid = (n: string): string => m.agents.get(n)!.runtime.peerId
    await Promise.all([
      ...small.map(async (n) => await m.agents.get(n)!.runtime.setBlocked(big.map(pid))),
      ...big.map(async (n) => await m.agents.get(n)!.runtime.setBlocked(small.map(pid)))
    ])
    // Both sides keep accepting writes during the cut.
    for (let i = 0; i < 20; i++) {
      m.agents.get('a1')!.runtime.input({ kind: 'write-own', field: `big-${i}`, value: i })
      m.agents.get('a5')!.runtime.input({ kind: 'write-own', field: `small-${i}`, value: i })
    }
    await waitFor('each side sees the other as failed', () => small.every((n) => everyoneSees(m, n, 'dead', big)) || small.every((n) => everyoneSees(m, n, 'suspect', big)), 30_000)
    await waitFor('writes spread inside the small side', () => m.agents.get('a6')!.runtime.core.replica.get('node/a5/small-19') !== undefined)
    await waitFor('writes spread inside the big side', () => m.agents.get('a4')!.runtime.core.replica.get('node/a1/big-19') !== undefined)
    expect(m.agents.get('a6')!.runtime.core.replica.get('node/a1/big-19')).toBeUndefined()
    // Heal.
    await Promise.all(SIX.map(async (n) => await m.agents.get(n)!.runtime.setBlocked([])))
    for (const n of small) await m.agents.get(n)!.runtime.node.dial((await import('@multiformats/multiaddr')).multiaddr(m.agents.get('a1')!.runtime.addrs[0]!)).catch(() => {})
    await waitFor('everyone alive after the heal', () => SIX.every((n) => everyoneSees(m, n, 'alive')), 40_000)
    await waitFor('identical state after the heal', () => sameState(m), 30_000)
    for (const n of SIX) {
      const r = m.agents.get(n)!.runtime.core.replica
      for (let i = 0; i < 20; i++) {
        expect(r.get(`node/a1/big-${i}`)?.value).toBe(i)
        expect(r.get(`node/a5/small-${i}`)?.value).toBe(i)
      }
    }
  })
})
