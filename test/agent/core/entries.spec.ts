import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { entryRejection, isMemberRecord, isNodeName } from '../../../agent/core/index.js'
import type { Entry, Value } from '../../../agent/core/index.js'

// The rules as regular expressions, as they were written first: the merge path checks them by hand.
const NODE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
const KEY_SEGMENT_RE = /^[A-Za-z0-9._@:+-]+$/
const KEY_FAMILIES = new Set(['node', 'member', 'snapshot', 'admin', 'service'])

function nameByRegex (x: unknown): boolean {
  return typeof x === 'string' && x.length > 0 && x.length <= 63 && NODE_NAME_RE.test(x)
}

function rejectionByRegex (e: Entry): string | undefined {
  if (!nameByRegex(e.origin)) return 'origin is not a valid node name'
  if (e.key.length === 0 || e.key.length > 256) return 'key length out of range'
  const parts = e.key.split('/')
  const family = parts[0] as string
  if (!KEY_FAMILIES.has(family)) return `unknown key family "${family}"`
  if (parts.length < 2 || !parts.every((p) => KEY_SEGMENT_RE.test(p))) return 'malformed key'
  if (family === 'node') {
    if (parts.length !== 3) return 'node keys are node/<name>/<field>'
    if (parts[1] !== e.origin) return `node/${parts[1]}/* may only be written by ${parts[1]}`
  }
  if (family === 'member') {
    if (parts.length !== 2 || !nameByRegex(parts[1])) return 'member keys are member/<name>'
    if (!isMemberRecord(e.value)) return 'member value must be { incarnation, status }'
    const status = e.value.status
    if ((status === 'alive' || status === 'left') && parts[1] !== e.origin) return `only ${parts[1]} may declare itself ${status}`
  }
  return undefined
}

const piece = fc.oneof(
  fc.constantFrom('a', 'b', 'n01', 'x.y', '-a', '_b', '@', ':', '+', '', '/', '//', 'é', ' ', 'A9', 'caps', 'heartbeat'),
  fc.string({ maxLength: 4 })
)
const name = fc.oneof(fc.constantFrom('a', 'b', 'n01', 'x.y-z'), fc.array(piece, { maxLength: 3 }).map((p) => p.join('')))
const key = fc.oneof(
  fc.tuple(fc.constantFrom('node/', 'member/', 'snapshot/', 'admin/', 'weird/', 'node', 'member'), fc.array(piece, { maxLength: 4 })).map(([f, p]) => f + p.join('')),
  fc.tuple(name, fc.constantFrom('caps', 'rtt', 'app1', 'x/y', '')).map(([n, f]) => `node/${n}/${f}`),
  name.map((n) => `member/${n}`),
  fc.string({ minLength: 250, maxLength: 260 }).map((s) => `node/a/${s}`)
)
const value = fc.oneof(
  fc.constant(null),
  fc.constant(1),
  fc.record({ incarnation: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constant(1.5)), status: fc.constantFrom('alive', 'suspect', 'dead', 'left', 'gone') })
)

describe('entry rules', () => {
  it('should judge names and writes exactly as the regular expressions do', () => {
    fc.assert(fc.property(name, key, value, fc.boolean(), (origin, k, v, sameName) => {
      const e: Entry = { key: sameName ? k.replace(/^(node|member)\/[^/]*/, `$1/${origin}`) : k, value: v as Value, hlc: 2, origin, prev: 1 }
      expect(isNodeName(origin)).toBe(nameByRegex(origin))
      expect(entryRejection(e)).toBe(rejectionByRegex(e))
    }), { numRuns: 5000 })
  })
})
