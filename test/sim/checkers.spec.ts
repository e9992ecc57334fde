import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { Run, checkAckedWrites, checkMembership, checkStateDigests, main } from '../../sim/index.js'
import type { NodeView } from '../../sim/index.js'
import { finalChecks } from '../../sim/result.js'
import { small } from './helpers.js'

function view (name: string, fingerprint: string, stamps: Record<string, number> = {}, statuses: Record<string, 'alive' | 'suspect' | 'dead'> = {}): NodeView {
  return {
    name,
    fingerprint,
    stampOf: (key) => stamps[key] === undefined ? undefined : { hlc: stamps[key] as number, origin: 'a' },
    statusOf: (n) => statuses[n] ?? 'alive'
  }
}

describe('sim: checkers', () => {
  it('should fail on divergent state digests', () => {
    expect(checkStateDigests([view('a', 'x'), view('b', 'x')]).ok).toBe(true)
    const r = checkStateDigests([view('a', 'x'), view('b', 'y'), view('c', 'x')])
    expect(r.ok).toBe(false)
    expect(r.detail).toContain('2 different states')
  })

  it('should fail on a lost acknowledged write', () => {
    const acked = [{ key: 'node/a/app0', hlc: 10, origin: 'a' }]
    expect(checkAckedWrites([view('a', 'x', { 'node/a/app0': 10 }), view('b', 'x', { 'node/a/app0': 12 })], acked).ok).toBe(true)
    const r = checkAckedWrites([view('a', 'x', { 'node/a/app0': 10 }), view('b', 'x', { 'node/a/app0': 9 })], acked)
    expect(r.ok).toBe(false)
    expect(r.detail).toContain('b lacks node/a/app0@10')
  })

  it('should count every lost acknowledged write and give the first one, at the first node lacking it, as the example', () => {
    const acked = [{ key: 'node/a/app0', hlc: 10, origin: 'a' }, { key: 'node/a/app1', hlc: 10, origin: 'a' }, { key: 'node/a/app2', hlc: 10, origin: 'a' }]
    const r = checkAckedWrites([
      view('a', 'x', { 'node/a/app0': 10, 'node/a/app1': 10, 'node/a/app2': 10 }),
      view('b', 'x', { 'node/a/app0': 10, 'node/a/app2': 10 }),
      view('c', 'x', { 'node/a/app1': 9, 'node/a/app2': 10 })
    ], acked)
    expect(r.ok).toBe(false)
    expect(r.detail).toBe('2 of 3 acknowledged writes missing; e.g. c lacks node/a/app0@10 by a (holds nothing)')
  })

  it('should catch a newer heartbeat slipped into one node of a real run (a row entry, not a map one)', () => {
    const run = new Run(small(), { seed: 3 })
    expect(run.run().ok).toBe(true)
    const up = run.world.upNodes()
    const node = run.world.node(up[1] as number)
    const other = run.world.node(up[0] as number)
    const core = node.core
    if (core === undefined) throw new Error('no core')
    const beat = core.replica.get(`node/${other.name}/heartbeat`)
    if (beat === undefined) throw new Error('no heartbeat')
    expect(core.replica.merge({ ...beat, value: { forged: true }, hlc: beat.hlc + 1, prev: beat.hlc }).kind).toBe('applied')
    const digests = finalChecks(run).find((c) => c.name === 'identical state digests')
    expect(digests?.ok).toBe(false)
    expect(digests?.detail).toContain(node.name)
  })

  it('should fail on membership disagreement', () => {
    expect(checkMembership([view('a', 'x'), view('b', 'x', {}, { c: 'dead' })], ['c']).ok).toBe(false)
    expect(checkMembership([view('a', 'x', {}, { b: 'suspect' }), view('b', 'x')], []).ok).toBe(false)
    expect(checkMembership([view('a', 'x', {}, { c: 'dead' }), view('b', 'x', {}, { c: 'dead' })], ['c']).ok).toBe(true)
  })

  it('should catch a write slipped into one node of a real run', () => {
    const run = new Run(small(), { seed: 3 })
    expect(run.run().ok).toBe(true)
    const node = run.world.node(run.world.upNodes()[0] as number)
    const core = node.core
    if (core === undefined) throw new Error('no core')
    const own = core.replica.get(`member/${node.name}`)
    core.replica.merge({ key: `node/${node.name}/rogue`, value: 'divergent', hlc: (own?.hlc ?? 1) + 5, origin: node.name, prev: 0 })
    const digests = finalChecks(run).find((c) => c.name === 'identical state digests')
    expect(digests?.ok).toBe(false)
  })

  it('mesh-sim should print the seed and the command that reproduces a failed check, and exit 1', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mesh-sim-'))
    const file = path.join(dir, 'late-crash.yaml')
    // A crash one second before the faults stop, and only 2 s to converge: detection needs longer.
    writeFileSync(file, 'nodes: 8\ndurationS: 30\nwarmupS: 10\nstartSpreadS: 2\nlivenessTimeoutS: 2\nevents:\n  - { atS: 29, kind: crash, count: 1 }\n')
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    try {
      expect(main(['run', file, '--seed', '77'])).toBe(1)
      const text = out.mock.calls.map((c) => String(c[0])).join('')
      expect(text).toContain('FAIL  liveness: converged')
      expect(text).toContain(`FAILED with seed 77; reproduce with: npx mesh-sim run ${file} --seed 77`)
    } finally {
      out.mockRestore()
      err.mockRestore()
    }
  })
})
