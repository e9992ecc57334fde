import fc from 'fast-check'
import { encode as rawEncode } from 'cborg'
import { describe, expect, it } from 'vitest'
import {
  GOSSIP_ENTRIES_MAX, GOSSIP_MESSAGE_BYTES_MAX, InvalidMessageError, MessageTooLargeError, VALUE_BYTES_MAX, VALUE_DEPTH_MAX,
  decodeGossip, encodeGossip, encodeGossipBatches, splitGossip, validateEntry, validateGossip, validateValue
} from '../../protocols/index.js'
import type { Entry, GossipMessage, Value } from '../../protocols/index.js'
import { entryArb, gossipArb } from './arbitraries.js'

const entry = (over: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ key: 'node/a/heartbeat', value: { up: 1 }, hlc: 10, origin: 'a', prev: 0, ...over })
const without = (x: Record<string, unknown>, key: string): Record<string, unknown> => {
  const { [key]: _dropped, ...rest } = x
  return rest
}
const message = (over: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ v: 2, from: 'a', entries: [entry()], ...over })
/** The wire form of `entry()`: `[key, value, hlc, hlc - prev]`, no origin. */
const wireEntry = (over: Record<number, unknown> = {}): unknown[] => Object.assign(['node/a/heartbeat', { up: 1 }, 10, 10], over)
const wire = (entries: unknown = [wireEntry()], from: unknown = 'a', v: unknown = 2): unknown[] => [v, from, entries]

function nested (depth: number): Value {
  let v: Value = 1
  for (let i = 0; i < depth; i++) v = [v]
  return v
}

/** A string whose CBOR encoding (3-byte header) is exactly `bytes` long. */
const textOfEncodedBytes = (bytes: number): string => 'x'.repeat(bytes - 3)

describe('protocols: gossip', () => {
  it('should round-trip every valid message (encode -> decode deep-equals)', () => {
    fc.assert(fc.property(gossipArb, (m) => {
      const bytes = encodeGossip(m)
      const r = decodeGossip(bytes)
      expect(r).toEqual({ ok: true, value: m })
      expect(encodeGossip(r.ok ? r.value : m)).toEqual(bytes)
    }), { numRuns: 500 })
  })

  it('should accept exactly what validateGossip accepts for in-memory messages', () => {
    fc.assert(fc.property(gossipArb, (m) => {
      expect(validateGossip(m)).toEqual({ ok: true, value: m })
    }), { numRuns: 200 })
  })

  it.each<[string, Record<string, unknown> | unknown[], string]>([
    ['a non-map message', [1, 2], 'message: must be a map'],
    ['a wrong version', message({ v: 1 }), 'v: must be 2'],
    ['a missing version', { from: 'a', entries: [entry()] }, 'v: must be 2'],
    ['an unknown top-level field', message({ extra: 1 }), 'extra: is not a known field'],
    ['a from that breaks the name grammar', message({ from: '-a' }), 'from: must be a node name'],
    ['a from longer than 63', message({ from: 'a'.repeat(64) }), 'from: must be a node name'],
    ['a missing entries list', { v: 2, from: 'a' }, 'entries: is required'],
    ['entries that are not an array', message({ entries: { 0: entry() } }), 'entries: must be an array'],
    ['an empty entries list', message({ entries: [] }), `entries: must hold 1..${GOSSIP_ENTRIES_MAX} items`],
    ['too many entries', message({ entries: Array.from({ length: GOSSIP_ENTRIES_MAX + 1 }, () => entry()) }), 'entries: must hold 1..'],
    ['an entry that is not a map', message({ entries: [entry(), 'x'] }), 'entries[1]: must be a map'],
    ['an unknown entry field', message({ entries: [entry({ ttl: 5 })] }), 'entries[0].ttl: is not a known field'],
    ['an empty key', message({ entries: [entry({ key: '' })] }), 'entries[0].key: must be 1..256 characters long'],
    ['a key of 257 characters', message({ entries: [entry({ key: 'k'.repeat(257) })] }), 'entries[0].key: must be 1..256'],
    ['a numeric key', message({ entries: [entry({ key: 7 })] }), 'entries[0].key: must be a string'],
    ['a bad origin', message({ entries: [entry({ origin: 'a b' })] }), 'entries[0].origin: must be a node name'],
    ['a missing origin', message({ entries: [without(entry(), 'origin')] }), 'entries[0].origin: is required'],
    ['an entry of another origin than the sender', message({ entries: [entry(), entry({ origin: 'b' })] }), 'entries[1].origin: must be the sender (from)'],
    ['a negative hlc', message({ entries: [entry({ hlc: -1 })] }), 'entries[0].hlc: must be a safe non-negative integer'],
    ['a fractional hlc', message({ entries: [entry({ hlc: 1.5 })] }), 'entries[0].hlc: must be a safe non-negative integer'],
    ['an unsafe hlc', message({ entries: [entry({ hlc: 2 ** 53 })] }), 'entries[0].hlc: must be a safe non-negative integer'],
    ['a string hlc', message({ entries: [entry({ hlc: '10' })] }), 'entries[0].hlc: must be a safe non-negative integer'],
    ['a negative prev', message({ entries: [entry({ prev: -1 })] }), 'entries[0].prev: must be a safe non-negative integer'],
    ['prev equal to hlc', message({ entries: [entry(), entry({ prev: 10 })] }), 'entries[1].prev: must be less than hlc'],
    ['prev above hlc', message({ entries: [entry({ prev: 11 })] }), 'entries[0].prev: must be less than hlc'],
    ['a byte string value', message({ entries: [entry({ value: new Uint8Array([1]) })] }), 'entries[0].value: must be a JSON value'],
    ['a byte string deep in a value', message({ entries: [entry({ value: { a: [1, new Uint8Array(2)] } })] }), 'entries[0].value.a[1]: must be a JSON value'],
    ['a value nested too deep', message({ entries: [entry({ value: nested(VALUE_DEPTH_MAX + 1) })] }), `entries[0].value${'[0]'.repeat(VALUE_DEPTH_MAX)}: must nest at most ${VALUE_DEPTH_MAX} levels`],
    ['a value too large', message({ entries: [entry({ value: textOfEncodedBytes(VALUE_BYTES_MAX + 1) })] }), `entries[0].value: must encode to at most ${VALUE_BYTES_MAX} bytes`],
    ['a map value with an odd key', message({ entries: [entry({ value: { 'a b': new Uint8Array(0) } })] }), 'entries[0].value["a b"]: must be a JSON value']
  ])('should refuse to validate or encode %s, naming the field', (_name, input, reason) => {
    const validated = validateGossip(input)
    expect(validated.ok ? '' : validated.reason).toContain(reason)
    // Encoding projects: fields the schema does not know are left out, not refused.
    if (!reason.endsWith('is not a known field')) expect(() => encodeGossip(input as unknown as GossipMessage)).toThrow(InvalidMessageError)
  })

  it.each<[string, unknown, string]>([
    ['a map (the version 1 form)', { v: 1, from: 'a', entries: [entry()] }, 'message: must be [v, from, entries]'],
    ['a fourth item', [...wire(), 1], 'message: must be [v, from, entries]'],
    ['a wrong version', wire(undefined, 'a', 1), 'v: must be 2'],
    ['a from that breaks the name grammar', wire(undefined, '-a'), 'from: must be a node name'],
    ['entries that are not an array', wire({ 0: wireEntry() }), 'entries: must be an array'],
    ['an empty entries list', wire([]), `entries: must hold 1..${GOSSIP_ENTRIES_MAX} items`],
    ['too many entries', wire(Array.from({ length: GOSSIP_ENTRIES_MAX + 1 }, () => wireEntry())), 'entries: must hold 1..'],
    ['an entry that is a map', wire([wireEntry(), entry()]), 'entries[1]: must be [key, value, hlc, hlc - prev]'],
    ['an entry that carries its origin', wire([[...wireEntry(), 'a']]), 'entries[0]: must be [key, value, hlc, hlc - prev]'],
    ['an empty key', wire([wireEntry({ 0: '' })]), 'entries[0].key: must be 1..256 characters long'],
    ['a numeric key', wire([wireEntry({ 0: 7 })]), 'entries[0].key: must be a string'],
    ['a negative hlc', wire([wireEntry({ 2: -1 })]), 'entries[0].hlc: must be a safe non-negative integer'],
    ['an unsafe hlc', wire([wireEntry({ 2: 2 ** 53 })]), 'entries[0].hlc: must be a safe non-negative integer'],
    ['prev equal to hlc (a distance of 0)', wire([wireEntry({ 3: 0 })]), 'entries[0].prev: must be less than hlc'],
    ['prev below zero (a distance above hlc)', wire([wireEntry({ 3: 11 })]), 'entries[0].prev: must be less than hlc'],
    ['a string distance', wire([wireEntry({ 3: '1' })]), 'entries[0].prev: must be a safe non-negative integer'],
    ['a byte string value', wire([wireEntry({ 1: new Uint8Array([1]) })]), 'entries[0].value: must be a JSON value'],
    ['a value nested too deep', wire([wireEntry({ 1: nested(VALUE_DEPTH_MAX + 1) })]), `entries[0].value${'[0]'.repeat(VALUE_DEPTH_MAX)}: must nest at most ${VALUE_DEPTH_MAX} levels`],
    ['a value too large', wire([wireEntry({ 1: textOfEncodedBytes(VALUE_BYTES_MAX + 1) })]), `entries[0].value: must encode to at most ${VALUE_BYTES_MAX} bytes`]
  ])('should reject %s on the wire, naming the field', (_name, input, reason) => {
    const decoded = decodeGossip(rawEncode(input))
    expect(decoded.ok ? '' : decoded.reason).toContain(reason)
  })

  it('should send entries as arrays without their origin, and prev as its distance below hlc', () => {
    const bytes = encodeGossip({ v: 2, from: 'a', entries: [{ key: 'node/a/app1', value: 'x', hlc: 4096_000, origin: 'a', prev: 4096 }] })
    expect(bytes).toEqual(Uint8Array.from(rawEncode([2, 'a', [['node/a/app1', 'x', 4096_000, 4096_000 - 4096]]])))
    expect(decodeGossip(bytes)).toEqual({ ok: true, value: { v: 2, from: 'a', entries: [{ key: 'node/a/app1', value: 'x', hlc: 4096_000, origin: 'a', prev: 4096 }] } })
  })


  it.each<[string, unknown, string]>([
    ['undefined in a value', message({ entries: [entry({ value: [1, undefined] })] }), 'entries[0].value[1]: must be a JSON value'],
    ['a hole in an array value', message({ entries: [entry({ value: [1, , 3] })] }), 'entries[0].value[1]: must be a JSON value'], // eslint-disable-line no-sparse-arrays
    ['NaN in a value', message({ entries: [entry({ value: { n: NaN } })] }), 'entries[0].value.n: must be a finite number'],
    ['Infinity in a value', message({ entries: [entry({ value: -Infinity })] }), 'entries[0].value: must be a finite number'],
    ['a Map in a value', message({ entries: [entry({ value: new Map() })] }), 'entries[0].value: must be a JSON value'],
    ['a Date in a value', message({ entries: [entry({ value: new Date(0) })] }), 'entries[0].value: must be a JSON value'],
    ['a bigint in a value', message({ entries: [entry({ value: 1n })] }), 'entries[0].value: must be a JSON value'],
    ['a function in a value', message({ entries: [entry({ value: () => 1 })] }), 'entries[0].value: must be a JSON value'],
    ['a lone surrogate in a value', message({ entries: [entry({ value: 'a\ud800' })] }), 'entries[0].value: must be well-formed Unicode'],
    ['a byte order mark at the start of a map key', message({ entries: [entry({ value: { '\ufeffk': 1 } })] }), 'must not start with U+FEFF'],
    ['a lone surrogate in a key', message({ entries: [entry({ key: '\udc00k' })] }), 'entries[0].key: must be well-formed Unicode'],
    ['an own __proto__ key in a value', message({ entries: [entry({ value: JSON.parse('{"__proto__":{"x":1}}') as Value })] }), 'entries[0].value.__proto__: is not an allowed key'],
    ['a class instance as the message', new (class Msg { v = 1 })(), 'message: must be a map']
  ])('should reject %s when validating or encoding', (_name, input, reason) => {
    const validated = validateGossip(input)
    expect(validated.ok ? '' : validated.reason).toContain(reason)
    expect(() => encodeGossip(input as GossipMessage)).toThrow(InvalidMessageError)
  })

  it('should accept a value exactly at the depth and size limits', () => {
    expect(validateValue(nested(VALUE_DEPTH_MAX)).ok).toBe(true)
    expect(validateValue(textOfEncodedBytes(VALUE_BYTES_MAX)).ok).toBe(true)
    expect(validateValue(textOfEncodedBytes(VALUE_BYTES_MAX + 1))).toEqual({ ok: false, reason: `value: must encode to at most ${VALUE_BYTES_MAX} bytes (is ${VALUE_BYTES_MAX + 1})` })
    expect(validateEntry(entry({ prev: 10 }))).toEqual({ ok: false, reason: 'prev: must be less than hlc' })
  })

  it('should normalise negative zero to zero, as JSON does', () => {
    const m = message({ entries: [entry({ value: [-0, { z: -0 }] })] }) as unknown as GossipMessage
    const r = decodeGossip(encodeGossip(m))
    expect(r.ok && Object.is((r.value.entries[0]?.value as Value[])[0], 0)).toBe(true)
  })

  it('should leave fields the schema does not know out of the encoding', () => {
    const m = { ...message(), note: 'local only', entries: [{ ...entry(), cached: true }] } as unknown as GossipMessage
    expect(decodeGossip(encodeGossip(m))).toEqual({ ok: true, value: message() })
  })

  it('should throw MessageTooLargeError with a stable name and code for a message over the limit', () => {
    const big = textOfEncodedBytes(VALUE_BYTES_MAX)
    const entries = Array.from({ length: 5 }, (_, i) => entry({ key: `k${i}`, value: big }))
    let caught: unknown
    try {
      encodeGossip(message({ entries }) as unknown as GossipMessage)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(MessageTooLargeError)
    expect(caught).toMatchObject({ name: 'MessageTooLargeError', code: 'ERR_MESSAGE_TOO_LARGE', kind: 'gossip', bytesMax: GOSSIP_MESSAGE_BYTES_MAX })
    expect((caught as MessageTooLargeError).bytes).toBeGreaterThan(GOSSIP_MESSAGE_BYTES_MAX)
  })

  it('should throw InvalidMessageError naming the field for an invalid message', () => {
    expect(() => encodeGossip(message({ from: 'no spaces' }) as unknown as GossipMessage))
      .toThrow(expect.objectContaining({ name: 'InvalidMessageError', code: 'ERR_INVALID_MESSAGE', reason: expect.stringContaining('from: must be a node name') }))
  })
})

describe('protocols: gossip: splitting entries', () => {
  const limitsArb = fc.record({ bytesMax: fc.integer({ min: 600, max: 4000 }), entriesMax: fc.integer({ min: 1, max: 40 }) })

  it('should keep every entry, in order, in messages within both limits, as few as possible', () => {
    fc.assert(fc.property(fc.array(entryArb.map((e) => ({ ...e, origin: 'relay' })), { maxLength: 80 }), limitsArb, (entries, limits) => {
      let messages: GossipMessage[]
      try {
        messages = splitGossip('relay', entries, limits)
      } catch (err) {
        // Only an entry that cannot fit a message on its own may stop a split.
        expect(err).toBeInstanceOf(MessageTooLargeError)
        expect(entries.some((e) => encodeGossip({ v: 2, from: 'relay', entries: [e] }).byteLength > limits.bytesMax)).toBe(true)
        return
      }
      expect(messages.flatMap((m) => m.entries)).toEqual(entries)
      const sizes = messages.map((m) => encodeGossip(m).byteLength)
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i] as GossipMessage
        expect(m.from).toBe('relay')
        expect(m.entries.length).toBeGreaterThan(0)
        expect(m.entries.length).toBeLessThanOrEqual(limits.entriesMax)
        expect(sizes[i]).toBeLessThanOrEqual(limits.bytesMax)
        const next = messages[i + 1]
        if (next !== undefined) {
          // Greedy and maximal: the next message's first entry did not fit.
          const grown = { ...m, entries: [...m.entries, next.entries[0] as Entry] }
          expect(grown.entries.length > limits.entriesMax || encodeGossip(grown).byteLength > limits.bytesMax).toBe(true)
        }
      }
    }), { numRuns: 300 })
  })

  it('should give no messages for no entries', () => {
    expect(splitGossip('a', [])).toEqual([])
  })

  it('should fill messages to the default limits', () => {
    const value = 'v'.repeat(1000)
    const entries: Entry[] = Array.from({ length: 3000 }, (_, i) => ({ key: `snapshot/s${i}`, value, hlc: i + 1, origin: 'a', prev: i }))
    const batches = encodeGossipBatches('a', entries)
    expect(batches.length).toBeGreaterThan(1)
    // Every message but the last is full: less room is left than one more entry takes.
    for (const b of batches.slice(0, -1)) expect(b.byteLength).toBeGreaterThan(GOSSIP_MESSAGE_BYTES_MAX - 1100)
    for (const b of batches) expect(b.byteLength).toBeLessThanOrEqual(GOSSIP_MESSAGE_BYTES_MAX)
    expect(batches.flatMap((b) => { const r = decodeGossip(b); return r.ok ? r.value.entries : [] })).toEqual(entries)
  })

  it('should cap messages at GOSSIP_ENTRIES_MAX entries', () => {
    const entries: Entry[] = Array.from({ length: GOSSIP_ENTRIES_MAX * 2 + 1 }, (_, i) => ({ key: `k${i}`, value: null, hlc: i + 1, origin: 'a', prev: i }))
    expect(splitGossip('a', entries).map((m) => m.entries.length)).toEqual([GOSSIP_ENTRIES_MAX, GOSSIP_ENTRIES_MAX, 1])
  })

  it('should fit the largest valid entry in a message of its own', () => {
    const e: Entry = { key: '\u{1F600}'.repeat(128), value: textOfEncodedBytes(VALUE_BYTES_MAX), hlc: Number.MAX_SAFE_INTEGER, origin: 'b'.repeat(63), prev: 0 }
    expect(validateEntry(e).ok).toBe(true)
    const batches = encodeGossipBatches('b'.repeat(63), [e, e, e, e, e])
    expect(batches.length).toBe(2)
  })

  it('should throw MessageTooLargeError for an entry that does not fit the given limit alone', () => {
    expect(() => splitGossip('a', [entry({ value: 'x'.repeat(500) }) as unknown as Entry], { bytesMax: 300 })).toThrow(MessageTooLargeError)
  })

  it('should refuse to split entries of another origin than the sender', () => {
    expect(() => splitGossip('b', [entry() as unknown as Entry]))
      .toThrow(expect.objectContaining({ reason: expect.stringContaining('entries[0].origin: must be the sender (from)') }))
  })

  it('should throw InvalidMessageError naming the entry for an invalid entry', () => {
    expect(() => splitGossip('a', [entry() as unknown as Entry, entry({ hlc: -5 }) as unknown as Entry]))
      .toThrow(expect.objectContaining({ reason: 'entries[1].hlc: must be a safe non-negative integer' }))
  })

  it.each([[{ bytesMax: 0 }], [{ bytesMax: GOSSIP_MESSAGE_BYTES_MAX + 1 }], [{ entriesMax: 0 }], [{ entriesMax: 1.5 }]])('should reject split limits %j', (init) => {
    expect(() => splitGossip('a', [], init)).toThrow(RangeError)
  })
})
