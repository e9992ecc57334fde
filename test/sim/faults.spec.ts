import { describe, expect, it } from 'vitest'
import { runScenario } from '../../sim/index.js'
import { small } from './helpers.js'

describe('sim: faults', () => {
  it('the fault schedule does not depend on the protocol: one seed, two mesh degrees, the same crashes, stalls and writes', () => {
    const fields = { durationS: 45, churn: { ratePerMin: 0.5, leaveFraction: 0, downtimeS: [60, 60] }, stalls: { fraction: 0.3, durationMs: 1000, meanIntervalS: 5 } }
    const a = runScenario(small({ ...fields, gossip: { d: 6, dLo: 4, dHi: 8 } }), { seed: 7 })
    const b = runScenario(small({ ...fields, gossip: { d: 3, dLo: 2, dHi: 4 } }), { seed: 7 })
    expect(a.detection.crashes).toBeGreaterThan(0)
    expect([b.detection.crashes, b.deltaConvergence.writes, b.timeline.map((p) => p.stalled)]).toEqual([a.detection.crashes, a.deltaConvergence.writes, a.timeline.map((p) => p.stalled)])
  })

  it.each([1, 2, 3, 4])('mesh: 12 nodes, one crash at 20 s: detected by every survivor (seed %i)', (seed) => {
    const r = runScenario(small({ events: [{ atS: 20, kind: 'crash', count: 1 }] }), { seed })
    expect(r.detection.crashes).toBe(1)
    expect(r.detection.detectedEverywhere).toBe(1)
    expect(r.detection.perObserver.count).toBe(11)
    expect(r.detection.falseDeaths).toBe(0)
    expect(r.ok).toBe(true)
  })

  it('detection everywhere is also reported without observers that were stalled while they waited', () => {
    // n00003 crashes at 20 s; n00005 stalls from 20 s to 35 s, so it can only declare the death after 35 s.
    const r = runScenario(small({
      durationS: 50,
      events: [{ atS: 20, kind: 'crash', nodes: ['n00003'] }, { atS: 20, kind: 'stall', nodes: ['n00005'], durationS: 15 }]
    }), { seed: 3 })
    expect(r.detection.detectedEverywhere).toBe(1)
    expect(r.detection.everywhere.max).toBeGreaterThanOrEqual(15)
    expect(r.detection.everywhereExcludingStalled.count).toBe(1)
    expect(r.detection.everywhereExcludingStalled.max).toBeLessThan(15)
    expect(r.detection.everywhereExcludingStalled.max).toBeGreaterThan(0)
  })

  it('mesh: partition: 30 % cut off for 10 s, healed: every live node converges to identical state', () => {
    const r = runScenario(small({ nodes: 16, durationS: 50, events: [{ atS: 20, kind: 'partition', fraction: 0.3, durationS: 10 }] }), { seed: 5 })
    expect(r.heals).toHaveLength(1)
    expect(r.heals[0]?.convergedAfterS).not.toBeNull()
    expect(r.checks.map((c) => [c.name, c.ok])).toEqual([
      ['liveness: converged', true], ['identical state digests', true], ['no acknowledged write lost', true], ['membership agreement', true]
    ])
  })

  it('mesh: one-way partition, churn with restarts from the store, loss, stalls and clock skew: all checks pass', () => {
    const r = runScenario(small({
      nodes: 16,
      durationS: 60,
      network: { loss: 0.01, duplicate: 0.01, reorder: 0.05 },
      clockSkew: { fraction: 0.3, maxMs: 2000 },
      churn: { ratePerMin: 0.2, leaveFraction: 0.5, downtimeS: [3, 8] },
      stalls: { fraction: 0.1, durationMs: 2000, meanIntervalS: 10 },
      events: [{ atS: 25, kind: 'partition', fraction: 0.25, durationS: 8, oneWay: true }]
    }), { seed: 9 })
    expect(r.detection.crashes + r.joins.count + r.joins.unsettled).toBeGreaterThan(0)
    expect(r.ok).toBe(true)
  })
})
