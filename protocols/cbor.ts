/**
 * The CBOR layer: one set of encode options, the strictest decode options
 * cborg offers, and a tokenizer that bounds nesting before cborg recurses.
 *
 * The encoding is deterministic: cborg sorts map keys (length first, then
 * bytewise, as RFC 7049 §3.9 canonical CBOR) and writes the shortest form of
 * every integer, length and float, always with definite lengths. Decoders
 * accept only that form (`codec.ts` re-encodes and compares), so a message
 * has exactly one encoding and `encode(decode(bytes))` equals `bytes`.
 */
import { decode, encode, Tokenizer, Type } from 'cborg'
import type { DecodeOptions, EncodeOptions } from 'cborg'
import type { DecodeTokenizer } from 'cborg/interface'
import { encodedLength } from 'cborg/length'
import type { Token } from 'cborg'

const ENCODE_OPTIONS: EncodeOptions = { float64: false }

/**
 * Everything cborg can refuse, it refuses: non-minimal integers and lengths
 * (`strict`), indefinite lengths, `undefined`, NaN, Infinity, integers
 * outside the safe range, duplicate map keys. Tags are refused because no
 * tag decoders are given; non-string map keys because maps decode to objects.
 */
const DECODE_OPTIONS: DecodeOptions = Object.freeze({
  strict: true,
  allowIndefinite: false,
  allowUndefined: false,
  coerceUndefinedToNull: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: false,
  useMaps: false,
  rejectDuplicateMapKeys: true,
  retainStringBytes: false,
  tags: []
})

/**
 * Wraps cborg's tokenizer to count open arrays and maps. cborg decodes
 * recursively, so without this a frame of a million nested arrays would
 * overflow the stack; here it fails at the first container past the limit.
 */
class NestingGuard implements DecodeTokenizer {
  private readonly inner: Tokenizer
  /** Items still expected by each open container, innermost last. */
  private readonly open: number[] = []

  constructor (data: Uint8Array, private readonly nestingMax: number) {
    this.inner = new Tokenizer(data, DECODE_OPTIONS)
  }

  done (): boolean {
    return this.inner.done()
  }

  pos (): number {
    return this.inner.pos()
  }

  next (): Token {
    const token = this.inner.next()
    const last = this.open.length - 1
    if (last >= 0) this.open[last] = (this.open[last] as number) - 1
    const isArray = token.type === Type.array
    if ((isArray || token.type === Type.map) && (token.value as number) > 0) {
      if (this.open.length >= this.nestingMax) throw new Error(`nesting deeper than ${this.nestingMax} levels`)
      this.open.push(isArray ? token.value as number : 2 * (token.value as number))
    }
    while (this.open.length > 0 && this.open[this.open.length - 1] === 0) this.open.pop()
    return token
  }
}

/** Decode one CBOR item that must fill `bytes` exactly. Throws on anything the options above refuse. */
export function cborDecode (bytes: Uint8Array, nestingMax: number): unknown {
  return decode(bytes, { ...DECODE_OPTIONS, tokenizer: new NestingGuard(bytes, nestingMax) }) as unknown
}

/**
 * Encode a value that a schema has already validated (no undefined, no
 * ill-formed strings). cborg returns a Node Buffer or a plain Uint8Array
 * depending on its internal chunking; callers always get a plain Uint8Array
 * (a view, not a copy), so results compare equal by type as well as content.
 */
export function cborEncode (value: unknown): Uint8Array {
  const bytes = encode(value, ENCODE_OPTIONS)
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** The length `cborEncode(value)` would have, without building it. */
export function cborLength (value: unknown): number {
  return encodedLength(value, ENCODE_OPTIONS)
}

export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
