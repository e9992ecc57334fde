import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DueQueue } from '../../../agent/core/membership/held-accusations.js'

interface Item { target: string, n: number }

const TARGETS = ['a', 'b', 'c', 'd']
const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), target: fc.constantFrom(...TARGETS), n: fc.nat(99) }),
  fc.record({ kind: fc.constant('delete' as const), target: fc.constantFrom(...TARGETS) }),
  fc.record({ kind: fc.constant('take' as const) }),
  fc.record({ kind: fc.constant('clear' as const) }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.nat(40) })
)

describe('due queue (held accusations, verifications)', () => {
  it('should behave as a list of items in the order added, each due a fixed delay later, one per target', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), fc.nat(30), (ops, delayMs) => {
      const q = new DueQueue<Item>(delayMs)
      let plain: { item: Item, due: number }[] = []
      let now = 0
      for (const o of ops) {
        if (o.kind === 'add') {
          q.add({ target: o.target, n: o.n }, now)
          if (!plain.some((p) => p.item.target === o.target)) plain.push({ item: { target: o.target, n: o.n }, due: now + delayMs })
        } else if (o.kind === 'delete') {
          q.delete(o.target)
          plain = plain.filter((p) => p.item.target !== o.target)
        } else if (o.kind === 'take') {
          const due = plain.filter((p) => p.due <= now).map((p) => p.item)
          plain = plain.filter((p) => p.due > now)
          expect(q.takeDue(now)).toEqual(due)
        } else if (o.kind === 'clear') {
          q.clear()
          plain = []
        } else {
          now += o.ms
        }
        expect(q.size).toBe(plain.length)
        expect(q.nextDueMonoMs()).toBe(plain[0]?.due)
        expect([...q.values()]).toEqual(plain.map((p) => p.item))
        for (const t of TARGETS) {
          expect(q.has(t)).toBe(plain.some((p) => p.item.target === t))
          expect(q.get(t)).toEqual(plain.find((p) => p.item.target === t)?.item)
        }
      }
    }), { numRuns: 300 })
  })
})
