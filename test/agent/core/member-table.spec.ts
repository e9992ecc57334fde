import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MemberTable } from '../../../agent/core/membership/member-table.js'
import { NameTable, sample, seededRng, shuffleInPlace } from '../../../agent/core/index.js'
import type { Liveness, MemberRecord, NodeName, Rng } from '../../../agent/core/index.js'

/** The member table as plain maps and arrays of names: what the columns must behave like. */
class PlainTable {
  private readonly members = new Map<NodeName, MemberRecord>()
  readonly active: NodeName[] = []
  private readonly activeIndex = new Map<NodeName, number>()
  private order: NodeName[] = []
  private orderPos = 0
  constructor (private readonly self: NodeName) {}

  get (name: NodeName): MemberRecord | undefined { return this.members.get(name) }

  get clusterSize (): number {
    const s = this.members.get(this.self)?.status
    return this.active.length + (s === 'alive' || s === 'suspect' ? 1 : 0)
  }

  set (name: NodeName, rec: MemberRecord, rng: Rng): Liveness | undefined {
    const before = this.members.get(name)?.status
    this.members.set(name, { incarnation: rec.incarnation, status: rec.status })
    if (name === this.self) return before
    const wasActive = this.activeIndex.has(name)
    const isActive = rec.status === 'alive' || rec.status === 'suspect'
    if (isActive && !wasActive) {
      this.activeIndex.set(name, this.active.length)
      this.active.push(name)
      const at = this.orderPos + rng.int(this.order.length - this.orderPos + 1)
      this.order.push(name)
      const last = this.order.length - 1
      if (at !== last) {
        this.order[last] = this.order[at] as NodeName
        this.order[at] = name
      }
    } else if (!isActive && wasActive) {
      const i = this.activeIndex.get(name) as number
      const last = this.active.pop() as NodeName
      if (last !== name) {
        this.active[i] = last
        this.activeIndex.set(last, i)
      }
      this.activeIndex.delete(name)
    }
    return before
  }

  nextProbeTarget (rng: Rng): NodeName | undefined {
    for (let guard = 0; guard < 2; guard++) {
      while (this.orderPos < this.order.length) {
        const name = this.order[this.orderPos++] as NodeName
        if (this.activeIndex.has(name)) return name
      }
      this.order = shuffleInPlace([...this.active], rng)
      this.orderPos = 0
    }
    return undefined
  }
}

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l']
const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), name: fc.constantFrom(...NAMES), incarnation: fc.integer({ min: 0, max: 3 }), status: fc.constantFrom<Liveness>('alive', 'suspect', 'dead', 'left', 'alive') }),
  fc.record({ kind: fc.constant('probe' as const) }),
  fc.record({ kind: fc.constant('sample' as const), count: fc.integer({ min: 0, max: 6 }), except: fc.option(fc.constantFrom(...NAMES), { nil: undefined }) })
)

describe('member table', () => {
  it('should behave as plain maps and arrays of names do, draw for draw', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 120 }), fc.integer(), fc.boolean(), (ops, seed, shared) => {
      const names = new NameTable()
      if (shared) for (const n of [...NAMES].reverse()) names.intern(n)
      const table = new MemberTable('a', names)
      const plain = new PlainTable('a')
      const r1 = seededRng(seed)
      const r2 = seededRng(seed)
      for (const o of ops) {
        if (o.kind === 'set') {
          expect(table.set(o.name, o, r1)).toBe(plain.set(o.name, o, r2))
        } else if (o.kind === 'probe') {
          expect(table.nextProbeTarget(r1)).toBe(plain.nextProbeTarget(r2))
        } else {
          expect(table.sampleOthers(o.count, r1, o.except)).toEqual(sample(plain.active.filter((n) => n !== o.except), o.count, r2))
        }
        expect(table.others).toEqual(plain.active)
        expect(table.clusterSize).toBe(plain.clusterSize)
        for (const n of NAMES) {
          expect(table.get(n)).toEqual(plain.get(n) === undefined ? undefined : { name: n, ...plain.get(n) })
          expect(table.isProbeable(n)).toBe(plain.active.includes(n))
        }
      }
    }), { numRuns: 300 })
  })

  it('should walk the same probe order when more members arrive between two probes than it holds back', () => {
    // Over a thousand newcomers between probes (a formed simulated node takes in thousands at once),
    // some leaving again: the swaps held back are written whenever the log fills, the walk grows, or it is read.
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 600, max: 1500 }), (seed, count) => {
      const many = Array.from({ length: count }, (_, i) => `n${i}`)
      // Names interned first, as a formed fleet does: the walk is sized once, so only a full log or a probe writes it.
      const names = new NameTable()
      for (const n of many) names.intern(n)
      const table = new MemberTable('n0', names)
      const plain = new PlainTable('n0')
      const r1 = seededRng(seed)
      const r2 = seededRng(seed)
      const drop = seededRng(seed ^ 1)
      for (const [i, n] of many.entries()) {
        expect(table.set(n, { incarnation: 1, status: 'alive' }, r1)).toBe(plain.set(n, { incarnation: 1, status: 'alive' }, r2))
        if (i % 700 === 699) expect(table.nextProbeTarget(r1)).toBe(plain.nextProbeTarget(r2))
        if (drop.int(10) === 0) {
          const gone = many[drop.int(i + 1)] as string
          expect(table.set(gone, { incarnation: 2, status: 'left' }, r1)).toBe(plain.set(gone, { incarnation: 2, status: 'left' }, r2))
        }
      }
      for (let p = 0; p < 2 * count; p++) expect(table.nextProbeTarget(r1)).toBe(plain.nextProbeTarget(r2))
    }), { numRuns: 20 })
  })
})
