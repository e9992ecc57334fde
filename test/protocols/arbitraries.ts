/**
 * fast-check arbitraries for valid wire messages of every kind, plus a
 * small CBOR builder for hand-made (often invalid) encodings.
 */
import fc from 'fast-check'
import type {
  Entry, GossipMessage, OriginVersion, ProbeFrame, ProbeRequest, ProbeResponse, SyncFrame, Value
} from '../../protocols/index.js'

const LONE_SURROGATE_RE = /\p{Cs}/u

export const nodeNameArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/)

/** Strings of any Unicode, including astral code points, but never a lone surrogate. */
export function textArb (minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: 'binary', minLength, maxLength })
    .map((s) => s.slice(0, maxLength))
    .filter((s) => s.length >= minLength && !LONE_SURROGATE_RE.test(s) && !s.startsWith('\ufeff'))
}

export const keyArb = fc.oneof(
  fc.constantFrom('node/hauki-crm/heartbeat', 'member/hauki-crm', 'snapshot/s1', 'admin/e1'),
  textArb(1, 256)
)

const scalarArb: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x)),
  textArb(0, 40)
)

const mapKeyArb = textArb(0, 12).filter((k) => k !== '__proto__')

const { value } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    scalarArb,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(mapKeyArb, tie('value'), { maxKeys: 4, noNullPrototype: true })
  )
}))
export const valueArb: fc.Arbitrary<Value> = value

export const entryArb: fc.Arbitrary<Entry> = fc.record({
  key: keyArb,
  value: valueArb,
  hlc: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  origin: nodeNameArb,
  prevFraction: fc.double({ min: 0, max: 1, noNaN: true })
}).map(({ prevFraction, ...e }) => ({ ...e, prev: Math.min(e.hlc - 1, Math.floor(prevFraction * e.hlc)) }))

/** A gossip message: a node's own writes, so every entry's origin is `from`. */
export const gossipArb: fc.Arbitrary<GossipMessage> = fc.record({
  from: nodeNameArb,
  entries: fc.array(entryArb, { minLength: 1, maxLength: 12 })
}).map(({ from, entries }) => ({ v: 2 as const, from, entries: entries.map((e) => ({ ...e, origin: from })) }))

export const originVersionArb: fc.Arbitrary<OriginVersion> = fc.tuple(nodeNameArb, fc.maxSafeNat(), fc.maxSafeNat())
  .map(([o, a, b]) => [o, Math.min(a, b), Math.max(a, b)])

const originVersionsArb = fc.uniqueArray(originVersionArb, { selector: (v) => v[0], maxLength: 8 })

const bucketCountArb = fc.integer({ min: 0, max: 10 }).map((k) => 2 ** k)

const bucketIndicesArb = (bucketCount: number): fc.Arbitrary<number[]> =>
  fc.uniqueArray(fc.nat({ max: bucketCount - 1 }), { maxLength: Math.min(bucketCount, 16) }).map((b) => b.sort((x, y) => x - y))

export const syncFrameArb: fc.Arbitrary<SyncFrame> = fc.oneof(
  bucketCountArb.chain((bucketCount) => fc.integer({ min: 0, max: Math.log2(bucketCount) }).chain((k) => fc.record({
    t: fc.constant('hello' as const),
    bucketCount: fc.constant(bucketCount),
    buckets: fc.array(fc.nat({ max: 0xffff_ffff }), { minLength: 2 ** k, maxLength: 2 ** k })
  }))),
  fc.integer({ min: 1, max: 10 }).chain((logCount) => fc.integer({ min: 0, max: logCount - 1 }).chain((logTop) => {
    const bucketCount = 2 ** logCount
    const topCount = 2 ** logTop
    return fc.uniqueArray(fc.nat({ max: topCount - 1 }), { minLength: 1, maxLength: Math.min(topCount, 4) }).chain((top) => fc.record({
      t: fc.constant('digest' as const),
      bucketCount: fc.constant(bucketCount),
      topCount: fc.constant(topCount),
      top: fc.constant(top.sort((x, y) => x - y)),
      buckets: fc.array(fc.nat({ max: 0xffff_ffff }), { minLength: top.length * bucketCount / topCount, maxLength: top.length * bucketCount / topCount })
    }))
  })),
  bucketCountArb.chain((bucketCount) => fc.record({
    t: fc.constant('want' as const),
    bucketCount: fc.constant(bucketCount),
    buckets: bucketIndicesArb(bucketCount)
  })),
  bucketCountArb.chain((bucketCount) => fc.record({
    t: fc.constant('versions' as const),
    bucketCount: fc.constant(bucketCount),
    buckets: bucketIndicesArb(bucketCount),
    versions: originVersionsArb
  })),
  bucketCountArb.chain((bucketCount) => fc.record({
    t: fc.constant('push' as const),
    bucketCount: fc.constant(bucketCount),
    buckets: bucketIndicesArb(bucketCount),
    versions: originVersionsArb,
    entries: fc.array(entryArb, { maxLength: 8 }),
    complete: originVersionsArb
  })),
  fc.record({ t: fc.constant('delta' as const), entries: fc.array(entryArb, { maxLength: 8 }), complete: originVersionsArb }),
  fc.record({ t: fc.constant('error' as const), reason: textArb(1, 256) })
)

const probeRequestArb: fc.Arbitrary<ProbeRequest> = fc.record({
  t: fc.constant('probe-req' as const),
  id: fc.maxSafeNat(),
  target: nodeNameArb,
  targetPeerId: fc.stringMatching(/^[A-Za-z0-9]{1,128}$/),
  timeoutMs: fc.integer({ min: 1, max: 60_000 })
})

const probeResponseArb: fc.Arbitrary<ProbeResponse> = fc.oneof(
  fc.record({ t: fc.constant('probe-res' as const), id: fc.maxSafeNat(), outcome: fc.constant('nack' as const) }),
  fc.record({ t: fc.constant('probe-res' as const), id: fc.maxSafeNat(), outcome: fc.constant('ack' as const) }),
  fc.record({
    t: fc.constant('probe-res' as const),
    id: fc.maxSafeNat(),
    outcome: fc.constant('ack' as const),
    rttMs: fc.double({ min: 0, max: 60_000, noNaN: true }).map((x) => (x === 0 ? 0 : x))
  })
)

export const probeFrameArb: fc.Arbitrary<ProbeFrame> = fc.oneof(probeRequestArb, probeResponseArb)

/** Ways to damage an encoding: flip bits, cut it, append junk, overwrite or insert bytes. */
export type Mutation =
  | { kind: 'flip', at: number, bit: number }
  | { kind: 'truncate', at: number }
  | { kind: 'append', junk: Uint8Array }
  | { kind: 'overwrite', at: number, byte: number }
  | { kind: 'insert', at: number, junk: Uint8Array }

const posArb = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })

export const mutationsArb: fc.Arbitrary<Mutation[]> = fc.array(fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: posArb, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: posArb }),
  fc.record({ kind: fc.constant('append' as const), junk: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: posArb, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: posArb, junk: fc.uint8Array({ minLength: 1, maxLength: 4 }) })
), { minLength: 1, maxLength: 4 })

/** Apply mutations; positions are fractions of the current length. */
export function mutate (bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out: Uint8Array = Uint8Array.from(bytes)
  for (const m of mutations) {
    const at = 'at' in m ? Math.floor(m.at * out.length) : 0
    switch (m.kind) {
      case 'flip':
        if (out.length > 0) out[at] = (out[at] as number) ^ (1 << m.bit)
        break
      case 'truncate':
        out = out.slice(0, at)
        break
      case 'append':
        out = concat(out, m.junk)
        break
      case 'overwrite':
        if (out.length > 0) out[at] = m.byte
        break
      case 'insert':
        out = concat(out.slice(0, at), m.junk, out.slice(at))
        break
    }
  }
  return out
}

export function concat (...parts: Array<Uint8Array | number[]>): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

/** Minimal CBOR builder for hand-made encodings (no canonical ordering, no checks). */
export const cbor = {
  head (major: number, n: number): number[] {
    const m = major << 5
    if (n < 24) return [m | n]
    if (n < 0x100) return [m | 24, n]
    if (n < 0x1_0000) return [m | 25, n >> 8, n & 0xff]
    return [m | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]
  },
  uint (n: number): number[] { return cbor.head(0, n) },
  text (s: string): number[] {
    const b = new TextEncoder().encode(s)
    return [...cbor.head(3, b.length), ...b]
  },
  array (items: number[][]): number[] { return [...cbor.head(4, items.length), ...items.flat()] },
  /** Map of string keys in the order given. */
  map (pairs: Array<[string, number[]]>): number[] {
    return [...cbor.head(5, pairs.length), ...pairs.flatMap(([k, v]) => [...cbor.text(k), ...v])]
  },
  tag (t: number, inner: number[]): number[] { return [...cbor.head(6, t), ...inner] },
  bytes (b: number[]): number[] { return [...cbor.head(2, b.length), ...b] }
}
