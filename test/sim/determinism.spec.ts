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

  it('should give a different run for a different seed', () => {
    const s = small({ network: { loss: 0.02 } })
    expect(JSON.stringify(runScenario(s, { seed: 1 }))).not.toBe(JSON.stringify(runScenario(s, { seed: 2 })))
  })
})
