import { describe, expect, it } from 'vitest'
import { seededRng } from '../../agent/core/index.js'
import { IntrusiveQueue } from '../../sim/event-queue.js'

interface Ev { atMs: number, seq: number, index: number, id: number }

describe('sim: event queue', () => {
  it('should pop in (time, insertion) order through pushes, moves and pops', () => {
    const rng = seededRng(7)
    const q = new IntrusiveQueue<Ev>()
    // The reference: every queued event with its time and insertion number, sorted at each pop.
    const queued = new Map<number, { atMs: number, order: number }>()
    const evs: Ev[] = []
    let order = 0
    let nowMs = 0
    for (let step = 0; step < 20_000; step++) {
      const r = rng.next()
      if (r < 0.45) {
        const ev: Ev = { atMs: 0, seq: 0, index: -1, id: evs.length }
        evs.push(ev)
        const atMs = nowMs + rng.int(50) + (rng.next() < 0.3 ? 0.5 : 0)
        q.push(atMs, ev)
        queued.set(ev.id, { atMs, order: order++ })
      } else if (r < 0.6 && queued.size > 0) {
        const ids = [...queued.keys()]
        const ev = evs[ids[rng.int(ids.length)] as number] as Ev
        const atMs = nowMs + rng.int(50)
        q.move(ev, atMs)
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
})
