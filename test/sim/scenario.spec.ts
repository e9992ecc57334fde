import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { ScenarioError, loadScenario, main, scenarioFromText } from '../../sim/index.js'

function fieldOf (textIn: string, file = 'bad.yaml'): string {
  try {
    scenarioFromText(textIn, file)
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError)
    return (err as ScenarioError).field
  }
  throw new Error('expected a ScenarioError')
}

describe('sim: scenario files', () => {
  it.each([
    ['nodes: 10\ndurationS: 30\nnetwork:\n  los: 0.1\n', 'scenario.network.los'],
    ['nodes: -1\ndurationS: 30\n', 'scenario.nodes'],
    ['durationS: 30\n', 'scenario.nodes'],
    ['nodes: 10\ndurationS: 30\nnetwork:\n  loss: 2\n', 'scenario.network.loss'],
    ['nodes: 10\ndurationS: 30\nevents:\n  - { atS: 5, kind: explode }\n', 'scenario.events[0].kind'],
    ['nodes: 10\ndurationS: 30\nnetwork:\n  latency:\n    baseMs: [5]\n', 'scenario.network.latency.baseMs'],
    ['nodes: 10\ndurationS: 30\nchurn:\n  downtimeS: [1]\n', 'scenario.churn.downtimeS'],
    ['nodes: 10\ndurationS: 30\nboot: warm\n', 'scenario.boot'],
    ['nodes: [\n', 'scenario']
  ])('should name the field of a bad scenario: %j', (textIn, field) => {
    expect(fieldOf(textIn)).toBe(field)
  })

  it('should load every shipped scenario', () => {
    for (const f of ['crash-20', 'steady-1000', 'churn-1000', 'partition-1000', 'stalls-loss-1000', 'steady-10000']) {
      expect(loadScenario(path.join('sim/scenarios', `${f}.yaml`)).name).toBe(f)
    }
  })

  it('mesh-sim should exit 2 with a message naming the field of a bad scenario', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mesh-sim-'))
    const file = path.join(dir, 'bad.yaml')
    writeFileSync(file, 'nodes: 10\ndurationS: 30\nstalls:\n  fraction: 7\n')
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    try {
      expect(main(['run', file])).toBe(2)
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain('scenario.stalls.fraction: must be a number between 0 and 1')
      expect(main(['run'])).toBe(2)
      expect(main(['walk', file])).toBe(2)
      expect(main(['run', file, '--seed', 'x'])).toBe(2)
    } finally {
      err.mockRestore()
    }
  })
})
