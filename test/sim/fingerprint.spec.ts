import { describe, expect, it } from 'vitest'
import { NameTable, Replica, hlcFromWall } from '../../agent/core/index.js'
import type { Entry } from '../../agent/core/index.js'
import { WALL_START_MS } from '../../sim/constants.js'
import { stateFingerprints } from '../../sim/fingerprint.js'

function write (origin: string, field: string, value: number, atMs: number): Entry {
  return { key: `node/${origin}/${field}`, value: { v: value }, hlc: hlcFromWall(WALL_START_MS + atMs), origin, prev: 0 }
}

describe('sim: state fingerprints', () => {
  it('gives replicas holding the same entries one fingerprint and any other state another, whatever came before it', () => {
    const names = new NameTable()
    const base = ['n1', 'n2', 'n3'].flatMap((o, i) => [write(o, 'caps', i, i), write(o, 'identity', i, i + 10), write(o, 'app1', i, i + 20)])
    const make = (extra: Entry[]): Replica => {
      const r = new Replica(names)
      for (const e of [...base, ...extra]) r.merge(e)
      return r
    }
    // A row entry newer at c, a key outside the rows only at d; e holds what a holds, merged in another order.
    const newer = { ...write('n2', 'caps', 99, 50), prev: (base[3] as Entry).hlc }
    const a = make([])
    expect(a.size).toBe(base.length)
    const b = make([])
    const c = make([newer])
    const d = make([write('n3', 'app2', 7, 60)])
    const e = new Replica(names)
    for (const x of [...base].reverse()) e.merge(x)
    const all = stateFingerprints([a, b, c, a, d, e, undefined])
    const alone = [a, b, c, a, d, e].map((r) => stateFingerprints([r])[0])
    expect(all.slice(0, 6)).toEqual(alone)
    expect(all[6]).toBe('none')
    expect(all[1]).toBe(all[0])
    expect(all[5]).toBe(all[0])
    expect(new Set([all[0], all[2], all[4]]).size).toBe(3)
  })
})
