import { describe, expect, it } from 'vitest'
import { runScenario } from '../../sim/index.js'
import { small } from './helpers.js'

describe('sim: determinism', () => {
  it('should give byte-identical JSON for the same scenario and seed', () => {
    const s = small({ network: { loss: 0.02, duplicate: 0.01, reorder: 0.05 }, stalls: { fraction: 0.2, durationMs: 1500, meanIntervalS: 5 }, events: [{ atS: 20, kind: 'crash', count: 1, durationS: 10 }] })
    const a = JSON.stringify(runScenario(s, { seed: 42 }))
    const b = JSON.stringify(runScenario(s, { seed: 42 }))
    expect(a).toBe(b)
  })

  it('should form a fleet at once (boot: formed), the same way every time, with every check passing', () => {
    const s = small({ nodes: 40, boot: 'formed', network: { loss: 0.02 }, stalls: { fraction: 0.2, durationMs: 1500, meanIntervalS: 5 }, churn: { ratePerMin: 1, leaveFraction: 0.5, downtimeS: [2, 5] } })
    const a = runScenario(s, { seed: 1 })
    expect(JSON.stringify(runScenario(s, { seed: 1 }))).toBe(JSON.stringify(a))
    expect(a.checks.filter((c) => !c.ok)).toEqual([])
    // The whole fleet is up and agrees from the first second; a cold boot is still starting nodes.
    expect(a.timeline[0]).toMatchObject({ up: 40, agreement: 1 })
    expect(runScenario(small({ nodes: 40 }), { seed: 1 }).timeline[0]?.up).toBeLessThan(40)
  })

  it('should give a different run for a different seed', () => {
    const s = small({ network: { loss: 0.02 } })
    expect(JSON.stringify(runScenario(s, { seed: 1 }))).not.toBe(JSON.stringify(runScenario(s, { seed: 2 })))
  })
})
