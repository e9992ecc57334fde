import fc from 'fast-check'
import { encode as rawEncode } from 'cborg'
import { describe, expect, it } from 'vitest'
import {
  GOSSIP_MESSAGE_BYTES_MAX, PROBE_FRAME_BYTES_MAX, SYNC_FRAME_BYTES_MAX, VALUE_BYTES_MAX,
  decodeGossip, decodeProbeFrame, decodeSyncFrame, encodeGossip, encodeProbeFrame, encodeSyncFrame,
  validateGossip, validateProbeFrame, validateSyncFrame
} from '../../protocols/index.js'
import type { DecodeResult } from '../../protocols/index.js'
import { cbor, concat, gossipArb, mutate, mutationsArb, probeFrameArb, syncFrameArb } from './arbitraries.js'

interface Kind {
  name: string
  arb: fc.Arbitrary<unknown>
  encode: (m: unknown) => Uint8Array
  decode: (b: Uint8Array) => DecodeResult<unknown>
  validate: (x: unknown) => DecodeResult<unknown>
  bytesMax: number
}

const KINDS: Kind[] = [
  { name: 'gossip', arb: gossipArb, encode: encodeGossip as Kind['encode'], decode: decodeGossip, validate: validateGossip, bytesMax: GOSSIP_MESSAGE_BYTES_MAX },
  { name: 'sync', arb: syncFrameArb, encode: encodeSyncFrame as Kind['encode'], decode: decodeSyncFrame, validate: validateSyncFrame, bytesMax: SYNC_FRAME_BYTES_MAX },
  { name: 'probe', arb: probeFrameArb, encode: encodeProbeFrame as Kind['encode'], decode: decodeProbeFrame, validate: validateProbeFrame, bytesMax: PROBE_FRAME_BYTES_MAX }
]

/** Reasons start with the field they are about: `bytes`, `message`, `entries[3].hlc`, ... */
const REASON_RE = /^(bytes|message|[A-Za-z_][\w-]*)(\.[A-Za-z_][\w-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*: \S/

/**
 * The fuzz law: decoding never throws, and either fails with a reason that
 * names a field or yields a message that is fully valid and whose canonical
 * encoding is exactly the input.
 */
function checkDecodeLaw (kind: Kind, bytes: Uint8Array): boolean {
  let r: DecodeResult<unknown> | undefined
  expect(() => { r = kind.decode(bytes) }).not.toThrow()
  if (r === undefined) return false
  if (r.ok) {
    expect(kind.validate(r.value)).toEqual({ ok: true, value: r.value })
    expect(kind.encode(r.value)).toEqual(bytes)
  } else {
    expect(r.reason).toMatch(REASON_RE)
    expect(r.reason.length).toBeLessThan(400)
  }
  return r.ok
}

describe.each(KINDS)('protocols: fuzz: $name', (kind) => {
  it('should never throw on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => { checkDecodeLaw(kind, bytes) }), { numRuns: 2000 })
  })

  it('should never throw on random CBOR documents', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (doc) => { checkDecodeLaw(kind, rawEncode(doc)) }), { numRuns: 1000 })
  })

  it('should never throw on mutated valid encodings (bit flips, truncation, junk)', () => {
    fc.assert(fc.property(kind.arb, mutationsArb, (m, mutations) => {
      checkDecodeLaw(kind, mutate(kind.encode(m), mutations))
    }), { numRuns: 1500 })
  })

  it('should reject any truncation of a valid encoding', () => {
    fc.assert(fc.property(kind.arb, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (m, at) => {
      const bytes = kind.encode(m)
      expect(checkDecodeLaw(kind, bytes.slice(0, Math.floor(at * bytes.length)))).toBe(false)
    }), { numRuns: 500 })
  })

  it('should reject a 10 MiB buffer by its size before decoding it', () => {
    const started = performance.now()
    const r = kind.decode(new Uint8Array(10 * 1024 * 1024).fill(0x81))
    expect(r).toEqual({ ok: false, reason: `bytes: ${10 * 1024 * 1024} bytes exceed the limit of ${kind.bytesMax} bytes` })
    // A size check is O(1); decoding 10 MiB would take orders of magnitude longer than this bound.
    expect(performance.now() - started).toBeLessThan(250)
  })

  it('should read a buffer of exactly the limit past the size check', () => {
    const r = kind.decode(new Uint8Array(kind.bytesMax))
    expect(r.ok ? '' : r.reason).toMatch(/^bytes: not valid CBOR/)
  })

  it('should reject a nesting bomb without exhausting the stack', () => {
    const r = kind.decode(new Uint8Array(kind.bytesMax).fill(0x81))
    expect(r.ok ? '' : r.reason).toContain('nesting deeper than')
  })

  it.each<[string, unknown]>([['a string', 'abc'], ['null', null], ['an ArrayBuffer', new ArrayBuffer(4)], ['a number array', [1, 2]]])(
    'should reject %s as input', (_name, input) => {
      expect(kind.decode(input as Uint8Array)).toEqual({ ok: false, reason: 'bytes: must be a Uint8Array' })
    })

  it('should reject empty input', () => {
    expect(kind.decode(new Uint8Array(0))).toEqual({ ok: false, reason: 'bytes: must not be empty' })
  })
})

describe('protocols: fuzz: size is checked before anything else', () => {
  it('should reject a valid gossip message that is over the limit by its size', () => {
    const value = 'x'.repeat(VALUE_BYTES_MAX - 3)
    const entries = Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value, hlc: i + 1, origin: 'a', prev: i }))
    const bytes = rawEncode([2, 'a', entries.map((e) => [e.key, e.value, e.hlc, e.hlc - e.prev])])
    expect(validateGossip({ v: 2, from: 'a', entries }).ok).toBe(true)
    const r = decodeGossip(bytes)
    expect(r.ok ? '' : r.reason).toBe(`bytes: ${bytes.byteLength} bytes exceed the limit of ${GOSSIP_MESSAGE_BYTES_MAX} bytes`)
  })

  it('should accept Node Buffers', () => {
    const bytes = encodeProbeFrame({ t: 'probe-res', id: 1, outcome: 'nack' })
    expect(decodeProbeFrame(Buffer.from(bytes)).ok).toBe(true)
  })
})

describe('protocols: fuzz: hand-made encodings', () => {
  const t = ['t', cbor.text('probe-res')] as [string, number[]]
  const id = (v: number[]): [string, number[]] => ['id', v]
  const outcome = ['outcome', cbor.text('ack')] as [string, number[]]
  const rtt = (v: number[]): [string, number[]] => ['rttMs', v]
  const frame = (...pairs: Array<[string, number[]]>): Uint8Array => new Uint8Array(cbor.map(pairs))

  it('should accept the canonical encoding the builder makes (keys length-first)', () => {
    expect(decodeProbeFrame(frame(t, id(cbor.uint(5)), rtt([0xf9, 0x3e, 0x00]), outcome)))
      .toEqual({ ok: true, value: { t: 'probe-res', id: 5, outcome: 'ack', rttMs: 1.5 } })
  })

  it.each<[string, Uint8Array, RegExp]>([
    ['a tag', frame(t, id(cbor.tag(1, cbor.uint(5))), outcome), /^bytes: not valid CBOR .*tag not supported/],
    ['undefined', frame(t, id([0xf7]), outcome), /^bytes: not valid CBOR .*undefined/],
    ['NaN', frame(t, id(cbor.uint(5)), rtt([0xf9, 0x7e, 0x00]), outcome), /^bytes: not valid CBOR .*NaN/],
    ['Infinity', frame(t, id(cbor.uint(5)), rtt([0xf9, 0x7c, 0x00]), outcome), /^bytes: not valid CBOR .*Infinity/],
    ['an integer in more bytes than needed', frame(t, id([0x18, 0x05]), outcome), /^bytes: not valid CBOR .*more bytes than necessary/],
    ['a length in more bytes than needed', new Uint8Array([0xb8, 0x03, ...cbor.map([t, id(cbor.uint(5)), outcome]).slice(1)]), /^bytes: not valid CBOR .*more bytes than necessary/],
    ['an indefinite-length map', new Uint8Array([0xbf, ...cbor.map([t, id(cbor.uint(5)), outcome]).slice(1), 0xff]), /^bytes: not valid CBOR .*indefinite/],
    ['a repeated key', frame(t, id(cbor.uint(5)), id(cbor.uint(6)), outcome), /^bytes: not valid CBOR .*repeat map key/],
    ['a non-string key', new Uint8Array([0xa1, 0x01, 0x02]), /^bytes: not valid CBOR .*non-string keys/],
    ['an integer beyond 64 bits of safety', frame(t, id([0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), outcome), /^bytes: not valid CBOR .*integer/],
    ['trailing bytes', concat(frame(t, id(cbor.uint(5)), outcome), [0x00]), /^bytes: not valid CBOR .*too many terminals/],
    ['two messages back to back', concat(frame(t, id(cbor.uint(5)), outcome), frame(t, id(cbor.uint(5)), outcome)), /^bytes: not valid CBOR/],
    ['unsorted keys', frame(outcome, t, id(cbor.uint(5))), /^bytes: not in canonical form/],
    ['an integer sent as a float', frame(t, id([0xf9, 0x45, 0x00]), outcome), /^bytes: not in canonical form/],
    ['a float wider than needed', frame(t, id(cbor.uint(5)), rtt([0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]), outcome), /^bytes: not in canonical form/],
    ['negative zero as a float', frame(t, id(cbor.uint(5)), rtt([0xf9, 0x80, 0x00]), outcome), /^bytes: not in canonical form/],
    ['a byte string id', frame(t, id(cbor.bytes([5])), outcome), /^id: must be a safe non-negative integer$/],
    ['a top-level array', new Uint8Array(cbor.array([cbor.uint(1)])), /^message: must be a map$/],
    ['a top-level integer', new Uint8Array(cbor.uint(1)), /^message: must be a map$/]
  ])('should reject %s', (_name, bytes, reason) => {
    const r = decodeProbeFrame(bytes)
    expect(r.ok ? '' : r.reason).toMatch(reason)
  })

  it('should reject invalid UTF-8 (decoded as U+FFFD) as non-canonical', () => {
    const bytes = encodeGossip({ v: 2, from: 'a', entries: [{ key: 'k', value: 'QZ', hlc: 2, origin: 'a', prev: 1 }] })
    const at = bytes.findIndex((b, i) => b === 0x51 && bytes[i + 1] === 0x5a)
    const broken = Uint8Array.from(bytes)
    broken[at] = 0xff
    broken[at + 1] = 0xfe
    expect(decodeGossip(broken)).toEqual({ ok: false, reason: expect.stringMatching(/^bytes: not in canonical form/) as unknown as string })
  })

  it('should reject a __proto__ key that would replace a value\'s prototype', () => {
    const bytes = rawEncode([2, 'a', [['k', JSON.parse('{"__proto__":{"polluted":true}}') as unknown, 2, 1]]])
    const r = decodeGossip(bytes)
    expect(r.ok ? '' : r.reason).toBe('entries[0].value: must be a JSON value (null, boolean, finite number, string, array or map)')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
