import { describe, expect, it } from 'vitest'
import { seededRng } from '../../agent/core/index.js'
import { IntrusiveQueue, Lane, TimerHeap } from '../../sim/event-queue.js'

interface Ev { atMs: number, seq: number, index: number, id: number }

describe('sim: event queue', () => {
  it('should pop in (time, insertion) order through pushes and pops', () => {
    const rng = seededRng(7)
    const q = new IntrusiveQueue<Ev>()
    // The reference: every queued event with its time and insertion number, sorted at each pop.
    const queued = new Map<number, { atMs: number, order: number }>()
    const evs: Ev[] = []
    let order = 0
    let nowMs = 0
    for (let step = 0; step < 20_000; step++) {
      const r = rng.next()
      if (r < 0.5) {
        const ev: Ev = { atMs: 0, seq: 0, index: -1, id: evs.length }
        evs.push(ev)
        const atMs = nowMs + rng.int(50) + (rng.next() < 0.3 ? 0.5 : 0)
        q.push(atMs, ev)
        queued.set(ev.id, { atMs, order: order++ })
      } else if (queued.size > 0) {
        const want = [...queued.entries()].sort((a, b) => a[1].atMs - b[1].atMs || a[1].order - b[1].order)[0] as [number, { atMs: number }]
        expect(q.peekTime()).toBe(want[1].atMs)
        const ev = q.pop() as Ev
        expect(ev.id).toBe(want[0])
        expect(ev.index).toBe(-1)
        nowMs = ev.atMs
        queued.delete(ev.id)
      }
      expect(q.size).toBe(queued.size)
    }
  })

  it('should pop events waiting in lanes in the same (time, insertion) order as events pushed one by one', () => {
    const rng = seededRng(11)
    const q = new IntrusiveQueue<Ev>()
    const queued = new Map<number, { atMs: number, order: number }>()
    let order = 0
    let nowMs = 0
    let id = 0
    // Lanes queued whole, as gossip publishes are, between events queued one by one.
    let popped = 0
    for (let step = 0; step < 20_000; step++) {
      const r = rng.next()
      if (r < 0.3) {
        const ev: Ev = { atMs: 0, seq: 0, index: -1, id: id++ }
        const atMs = nowMs + rng.int(50)
        q.push(atMs, ev)
        queued.set(ev.id, { atMs, order: order++ })
      } else if (r < 0.4) {
        const lane = new Lane<Ev>()
        const n = rng.int(40)
        for (let i = 0; i < n; i++) {
          const ev: Ev = { atMs: 0, seq: 0, index: -1, id: id++ }
          const atMs = nowMs + rng.int(30) + (rng.next() < 0.3 ? 0.5 : 0)
          q.stamp(ev, atMs)
          lane.items.push(ev)
          queued.set(ev.id, { atMs, order: order++ })
        }
        lane.items.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq)
        q.pushLane(lane)
      } else if (queued.size > 0) {
        let want: [number, { atMs: number, order: number }] | undefined
        for (const e of queued) if (want === undefined || e[1].atMs < want[1].atMs || (e[1].atMs === want[1].atMs && e[1].order < want[1].order)) want = e
        expect(q.peekTime()).toBe(want?.[1].atMs)
        const ev = q.pop() as Ev
        expect(ev.id).toBe(want?.[0])
        expect(ev.index).toBe(-1)
        nowMs = ev.atMs
        queued.delete(ev.id)
        popped++
      }
      expect(q.size).toBe(queued.size)
    }
    expect(popped).toBeGreaterThan(5_000)
    // What is left comes out in order, and then the queue is empty.
    const rest = [...queued].sort((a, b) => a[1].atMs - b[1].atMs || a[1].order - b[1].order).map(([key]) => key)
    expect(rest.map(() => (q.pop() as Ev).id)).toEqual(rest)
    expect(q.size).toBe(0)
    // A lane is queued once: queueing it again while it waits is refused.
    const lane = new Lane<Ev>()
    const ev: Ev = { atMs: 0, seq: 0, index: -1, id: id++ }
    q.stamp(ev, nowMs + 1)
    lane.items.push(ev)
    q.pushLane(lane)
    expect(() => q.pushLane(lane)).toThrow(/queued already/)
    expect(q.pop()).toBe(ev)
  })
})

describe('sim: timer heap', () => {
  it('should pop timers in (time, sequence) order through sets, moves and removals', () => {
    const rng = seededRng(3)
    const h = new TimerHeap()
    const ref = new Map<number, { atMs: number, seq: number }>()
    let seq = 0
    let nowMs = 0
    for (let step = 0; step < 20_000; step++) {
      const r = rng.next()
      const key = rng.int(300) * (rng.next() < 0.05 ? 10 : 1)
      if (r < 0.5) {
        const atMs = nowMs + rng.int(40)
        h.set(key, atMs, seq)
        ref.set(key, { atMs, seq: seq++ })
      } else if (r < 0.6) {
        h.remove(key)
        ref.delete(key)
      } else if (ref.size > 0) {
        let want: [number, { atMs: number, seq: number }] | undefined
        for (const e of ref) if (want === undefined || e[1].atMs < want[1].atMs || (e[1].atMs === want[1].atMs && e[1].seq < want[1].seq)) want = e
        expect(h.peekTime()).toBe(want?.[1].atMs)
        expect(h.peekSeq()).toBe(want?.[1].seq)
        expect(h.pop()).toBe(want?.[0])
        nowMs = want?.[1].atMs ?? nowMs
        ref.delete(want?.[0] as number)
      }
      expect(h.size).toBe(ref.size)
      expect(h.has(key)).toBe(ref.has(key))
    }
    // What is left comes out in order, and then the heap is empty.
    const rest = [...ref].sort((a, b) => a[1].atMs - b[1].atMs || a[1].seq - b[1].seq).map(([key]) => key)
    expect(rest.map(() => h.pop())).toEqual(rest)
    expect(h.size).toBe(0)
    expect(h.peekTime()).toBeUndefined()
    expect(h.peekSeq()).toBe(Infinity)
  })
})
