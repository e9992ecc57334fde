import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Suspicion, SuspicionTimers } from '../../../agent/core/index.js'

function suspicion (target: string, startMonoMs: number, accuser = 'a0'): Suspicion {
  return new Suspicion({ target, incarnation: 1, accuser, startMonoMs, k: 2, minMs: 1_000, maxMs: 6_000 })
}

type Op =
  | { kind: 'open', target: number, atMs: number }
  | { kind: 'confirm', target: number, accuser: number }
  | { kind: 'delete', target: number }
  | { kind: 'postpone', ms: number }
  | { kind: 'expire', atMs: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('open' as const), target: fc.integer({ min: 0, max: 9 }), atMs: fc.integer({ min: 0, max: 20_000 }) }),
  fc.record({ kind: fc.constant('confirm' as const), target: fc.integer({ min: 0, max: 9 }), accuser: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ kind: fc.constant('delete' as const), target: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('postpone' as const), ms: fc.integer({ min: 1, max: 3_000 }) }),
  fc.record({ kind: fc.constant('expire' as const), atMs: fc.integer({ min: 0, max: 40_000 }) })
)

describe('core: suspicion timers', () => {
  it('should hand out expired suspicions in the order they were opened, not by deadline', () => {
    const t = new SuspicionTimers()
    t.open(suspicion('late', 0))
    t.open(suspicion('early', -5_000))
    expect(t.nextDeadlineMonoMs()).toBe(1_000)
    expect(t.takeExpired(999)).toEqual([])
    expect(t.takeExpired(6_000).map((s) => s.target)).toEqual(['late', 'early'])
    expect(t.size).toBe(0)
    expect(t.nextDeadlineMonoMs()).toBeUndefined()
  })

  it('should follow a deadline that a confirmation shortened or a stall postponed', () => {
    const t = new SuspicionTimers()
    t.open(suspicion('x', 0))
    t.confirm('x', 'a1')
    const confirmed = t.nextDeadlineMonoMs() as number
    expect(confirmed).toBeLessThan(6_000)
    t.postponeAll(500)
    expect(t.nextDeadlineMonoMs()).toBe(confirmed + 500)
    expect(t.takeExpired(confirmed + 499)).toEqual([])
    expect(t.takeExpired(confirmed + 500).map((s) => s.target)).toEqual(['x'])
  })

  it('should behave as a scan over every open suspicion (the map it replaces)', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const t = new SuspicionTimers()
      const model = new Map<string, Suspicion>()
      for (const o of ops) {
        const target = 'target' in o ? `n${o.target}` : ''
        switch (o.kind) {
          case 'open': {
            if (model.has(target)) break
            const s = suspicion(target, o.atMs)
            model.set(target, s)
            t.open(s)
            break
          }
          case 'confirm':
            // The model's suspicion is the same object: confirm it through the timers only.
            t.confirm(target, `a${o.accuser}`)
            break
          case 'delete':
            model.delete(target)
            t.delete(target)
            break
          case 'postpone':
            t.postponeAll(o.ms)
            break
          case 'expire': {
            const due = [...model.values()].filter((s) => s.deadlineMonoMs <= o.atMs)
            for (const s of due) model.delete(s.target)
            expect(t.takeExpired(o.atMs)).toEqual(due)
            break
          }
        }
        const deadlines = [...model.values()].map((s) => s.deadlineMonoMs)
        expect(t.nextDeadlineMonoMs()).toBe(deadlines.length === 0 ? undefined : Math.min(...deadlines))
        expect(t.size).toBe(model.size)
      }
    }), { numRuns: 300 })
  })
})
