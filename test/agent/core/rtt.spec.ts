/**
 * RTT publishing: estimates are republished when they move materially, when
 * peers come or go, and at least every RTT_PUBLISH_BEATS_MAX heartbeats, not
 * with every heartbeat.
 */
import { describe, expect, it } from 'vitest'
import { AgentCore, constants, seededRng } from '../../../agent/core/index.js'
import type { Effect, Instant } from '../../../agent/core/index.js'

const T0 = Date.UTC(2026, 10, 25)
const at = (ms: number): Instant => ({ monoMs: ms, wallMs: T0 + ms })
const TELEMETRY = { uptimeS: 1, load: [0, 0, 0] as [number, number, number], memory: { usedBytes: 1, totalBytes: 2 } }

/** Run core `a` with peer `b` for `seconds`, answering every probe of b with rtt(t); count rtt publishes per second. */
function run (seconds: number, rtt: (ms: number) => number): number[] {
  // A mesh-wide budget of 2 heartbeats/s gives this 2-node cluster one heartbeat per second.
  const a = new AgentCore({ name: 'a', rng: seededRng(3), heartbeatMeshRatePerS: 2 })
  a.step({ kind: 'tick', telemetry: TELEMETRY }, at(0))
  a.step({ kind: 'start', capabilities: { role: 'container', labels: {}, services: [] } }, at(0))
  a.step({ kind: 'entries', source: 'gossip', entries: [{ key: 'member/b', value: { incarnation: 1, status: 'alive' }, hlc: (T0 - Date.UTC(2024, 0, 1)) * 4096, origin: 'b', prev: 0 }] }, at(1))
  const publishes: number[] = []
  const carry = (effects: Effect[], t: number): void => {
    for (const e of effects) {
      if (e.kind === 'publish' && e.entries.some((w) => w.key === 'node/a/rtt')) publishes.push(Math.floor(t / 1000))
      if (e.kind === 'probe') carry(a.step({ kind: 'probe-ack', probeId: e.probeId, rttMs: rtt(t) }, at(t + 1)), t + 1)
    }
  }
  for (let t = 100; t < seconds * 1000; t += 100) carry(a.step({ kind: 'tick' }, at(t)), t)
  return publishes
}

describe('core: RTT publishing', () => {
  it('should not republish a jittering estimate with every heartbeat, but at least every RTT_PUBLISH_BEATS_MAX', () => {
    const published = run(60, (t) => 0.4 + ((t / 100) % 3) * 0.1)
    // About one heartbeat per second for a 2-node cluster: without the rule, about 60.
    expect(published.length).toBeGreaterThanOrEqual(60 / (constants.RTT_PUBLISH_BEATS_MAX + 1))
    expect(published.length).toBeLessThanOrEqual(60 / constants.RTT_PUBLISH_BEATS_MAX + 2)
  })

  it('should keep a smoothed estimate of the RTT_PEERS_MAX peers sampled last, to 0.01 ms, and publish those', () => {
    const peers = Array.from({ length: constants.RTT_PEERS_MAX + 8 }, (_, i) => `p${i}`)
    const a = new AgentCore({ name: 'a', rng: seededRng(5) })
    a.step({ kind: 'tick', telemetry: TELEMETRY }, at(0))
    a.step({ kind: 'start', capabilities: { role: 'container', labels: {}, services: [] } }, at(0))
    a.step({ kind: 'entries', source: 'gossip', entries: peers.map((p) => ({ key: `member/${p}`, value: { incarnation: 1, status: 'alive' }, hlc: (T0 - Date.UTC(2024, 0, 1)) * 4096, origin: p, prev: 0 })) }, at(1))
    // The rule, with a Map in least recently sampled order.
    const model = new Map<string, number>()
    const sampled = (peer: string, ms: number): void => {
      const prev = model.get(peer)
      model.delete(peer)
      model.set(peer, Math.round((prev === undefined ? ms : prev + constants.RTT_EWMA_ALPHA * (ms - prev)) * 100) / 100)
      if (model.size > constants.RTT_PEERS_MAX) model.delete(model.keys().next().value as string)
    }
    const rng = seededRng(9)
    let publishes = 0
    let probes = 0
    const carry = (effects: Effect[], t: number): void => {
      for (const e of effects) {
        if (e.kind === 'publish') {
          for (const w of e.entries) {
            if (w.key !== 'node/a/rtt') continue
            // What it publishes is what it holds then, least recently sampled first.
            expect(Object.entries(w.value as object)).toEqual([...model])
            publishes++
          }
        }
        if (e.kind !== 'probe') continue
        probes++
        const ms = 0.2 + rng.int(5000) / 997
        sampled(e.target, ms)
        carry(a.step({ kind: 'probe-ack', probeId: e.probeId, rttMs: ms }, at(t + 1)), t + 1)
      }
    }
    for (let t = 100; t < 400_000; t += 100) carry(a.step({ kind: 'tick' }, at(t)), t)
    // Every peer was probed several times over, so some were let go and came back.
    expect(probes).toBeGreaterThanOrEqual(3 * peers.length)
    for (const p of peers) expect(a.rttTo(p)).toBe(model.get(p))
    expect(model.size).toBe(constants.RTT_PEERS_MAX)
    expect(publishes).toBeGreaterThan(1)
  })

  it('should republish promptly when an estimate moves materially', () => {
    const published = run(40, (t) => (t < 20_000 ? 0.5 : 20))
    // The jump at 20 s is published within a few heartbeats, not at the next periodic one.
    expect(published.some((s) => s >= 20 && s <= 23)).toBe(true)
  })
})
