import { describe, expect, it } from 'vitest'
import { withCodeUnitCompare } from '../../scripts/code-unit-compare.js'

/** Evaluate a rewritten sort callback source `(a, b) => ...` with the helper in scope. */
function callback (source: string): (a: unknown, b: unknown) => number {
  const { text } = withCodeUnitCompare(`const cb = ${source}; return cb`)
  return new Function(text)() as (a: unknown, b: unknown) => number
}

describe('scripts/code-unit-compare.js', () => {
  it.each([
    ['(a, b) => a.localeCompare(b)', ['/meshsub/1.1.0', '/ipfs/id/1.0.0', '/Hauki/sync/1', '/hauki/sync/1']],
    ['(a, b) => a.toString().localeCompare(b.toString())', [3, 12, 1]],
    ['(a, b) => a.multiaddr.toString().localeCompare(b.multiaddr.toString())', [{ multiaddr: '/ip4/10.0.0.2' }, { multiaddr: '/ip4/10.0.0.10' }]]
  ])('should sort like code-unit order: %s', (source, items) => {
    const cb = callback(source)
    const key = (x: unknown): string => typeof x === 'object' ? String((x as { multiaddr: string }).multiaddr) : String(x)
    const byCodeUnits = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    expect([...items].sort(cb)).toEqual(byCodeUnits)
    expect(withCodeUnitCompare(source).calls).toBe(1)
  })

  it('should keep line numbers and count every call', () => {
    const text = 'import x from "y";\nconst s = (a, b) => a.localeCompare(b);\nconst t = (a, b) => b.name.localeCompare(a.name);\n'
    const out = withCodeUnitCompare(text)
    expect(out.calls).toBe(2)
    expect(out.text.split('\n')).toHaveLength(text.split('\n').length)
    expect(out.text).not.toContain('localeCompare')
  })

  it('should leave calls with locales or options, and computed operands, alone', () => {
    const text = 'a.localeCompare(b, "de"); a.localeCompare(b, undefined, { numeric: true }); f(a).localeCompare(b); a.localeCompare(g(b)); ' +
      'x[0].name.localeCompare(b); f(a).name.localeCompare(b); a?.name.localeCompare(b)'
    expect(withCodeUnitCompare(text)).toEqual({ text, calls: 0 })
  })
})
