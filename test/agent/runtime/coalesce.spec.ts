/**
 * Write coalescing under the muxer: on yamux's own outbound queue (an
 * it-pushable), on two real yamux muxers piped into each other, and on two
 * real libp2p nodes on loopback.
 */
import { yamux } from '@chainsafe/libp2p-yamux'
import type { Stream, StreamMuxer } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { pushable } from 'it-pushable'
import { Uint8ArrayList } from 'uint8arraylist'
import { describe, expect, it } from 'vitest'
import { coalesced, coalescingMuxer } from '../../../agent/runtime/coalesce.js'
import { COALESCED_CHUNK_BYTES_MAX } from '../../../agent/runtime/constants.js'
import type { MeshNode } from '../../../agent/runtime/libp2p-node.js'
import { ECHO_PROTOCOL, echoPair, nodesStoppedAfterEach } from '../../helpers/echo-pair.js'

type Chunk = Uint8Array | Uint8ArrayList

/** `coalesced` over an it-pushable queue, typed as the test's chunks. */
function joined (queue: AsyncGenerator<Chunk> & { readableLength: number }, bytesMax: number): AsyncGenerator<Chunk> {
  return coalesced(queue as unknown as Parameters<typeof coalesced>[0], bytesMax) as unknown as AsyncGenerator<Chunk>
}

function bytesOf (chunks: Chunk[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks.map((c) => c instanceof Uint8Array ? c : c.subarray())))
}

/** Byte-for-byte equality (vitest's toEqual walks large arrays element by element, slowly). */
function expectSameBytes (actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.byteLength).toBe(expected.byteLength)
  expect(Buffer.compare(actual, expected)).toBe(0)
}

/** Frames of assorted sizes and both shapes yamux queues (a plain array, or a header and payload list). */
function frames (count: number): Chunk[] {
  return Array.from({ length: count }, (_, i) => {
    const body = Uint8Array.from({ length: 1 + (i * 37) % 300 }, (_, j) => (i + j) & 0xff)
    return i % 3 === 0 ? new Uint8ArrayList(Uint8Array.of(i & 0xff, 0xaa), body) : body
  })
}

/** Resolves with `p`, or rejects if `p` does not settle within `deadlineMs`. */
async function within<T> (p: Promise<T>, deadlineMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`not within ${deadlineMs} ms: ${what}`)), deadlineMs) })
  try {
    return await Promise.race([p, late])
  } finally {
    clearTimeout(timer)
  }
}

async function drain (source: AsyncIterable<Chunk>): Promise<Chunk[]> {
  const out: Chunk[] = []
  for await (const c of source) out.push(c)
  return out
}

describe('runtime: coalesce: on a queue', () => {
  it('should hand on the same bytes in the same order, joining what was already queued', async () => {
    const queue = pushable<Chunk>()
    const input = frames(500)
    for (const f of input) queue.push(f)
    queue.end()
    const out = await drain(joined(queue, COALESCED_CHUNK_BYTES_MAX))
    expectSameBytes(bytesOf(out), bytesOf(input))
    // 500 small frames queued at once leave in a few chunks, each at most the limit.
    expect(out.length).toBeLessThan(10)
    for (const c of out) expect(c.byteLength).toBeLessThanOrEqual(COALESCED_CHUNK_BYTES_MAX + 302)
  })

  it.each([
    ['a small limit', 100],
    ['a limit of one byte', 1],
    ['the Noise limit', COALESCED_CHUNK_BYTES_MAX]
  ])('should keep bytes and order with %s', async (_name, bytesMax) => {
    const queue = pushable<Chunk>()
    const input = frames(300)
    for (const f of input) queue.push(f)
    queue.end()
    const out = await drain(joined(queue, bytesMax))
    expectSameBytes(bytesOf(out), bytesOf(input))
    // A chunk is closed once it reaches the limit, so it exceeds the limit by less than one frame.
    const frameMax = Math.max(...input.map((f) => f.byteLength))
    for (const c of out) expect(c.byteLength).toBeLessThan(bytesMax + frameMax)
  })

  it('should pass a chunk larger than the limit on as it is', async () => {
    const queue = pushable<Chunk>()
    const big = new Uint8Array(5_000).fill(7)
    queue.push(big)
    queue.push(Uint8Array.of(1))
    queue.end()
    const out = await drain(joined(queue, 1_000))
    expect(out[0]).toBe(big)
    expectSameBytes(bytesOf(out), bytesOf([big, Uint8Array.of(1)]))
  })

  it('should not delay a lone frame: it is handed on while the queue stays open and empty', async () => {
    const queue = pushable<Chunk>()
    const it = joined(queue, COALESCED_CHUNK_BYTES_MAX)
    for (let i = 0; i < 5; i++) {
      const next = it.next()
      const frame = Uint8Array.of(i, i, i)
      queue.push(frame)
      const r = await within(next, 2_000, `frame ${i} handed on`)
      expect(r.done).toBe(false)
      expect(r.value).toBe(frame)
    }
    queue.end()
    expect((await within(it.next(), 2_000, 'end')).done).toBe(true)
  })

  it('should end when the queue ends, after what it held', async () => {
    const queue = pushable<Chunk>()
    const it = joined(queue, COALESCED_CHUNK_BYTES_MAX)
    const pending = it.next()
    queue.push(Uint8Array.of(1))
    queue.push(Uint8Array.of(2))
    queue.end()
    const first = await within(pending, 2_000, 'first chunk')
    const rest = await within(drain({ [Symbol.asyncIterator]: () => it }), 2_000, 'the rest, then the end')
    expectSameBytes(bytesOf([first.value as Chunk, ...rest]), Uint8Array.of(1, 2))
  })

  it('should fail with the error the queue ends with', async () => {
    const queue = pushable<Chunk>()
    const it = joined(queue, COALESCED_CHUNK_BYTES_MAX)
    queue.push(Uint8Array.of(1))
    expect((await it.next()).done).toBe(false)
    queue.end(new Error('muxer aborted'))
    await expect(it.next()).rejects.toThrow('muxer aborted')
  })

  it('should end the queue when the reader stops (the connection closed)', async () => {
    const queue = pushable<Chunk>()
    const it = joined(queue, COALESCED_CHUNK_BYTES_MAX)
    queue.push(Uint8Array.of(1))
    await it.next()
    await it.return(undefined)
    // A queue that has been ended takes no more and yields nothing.
    queue.push(Uint8Array.of(2))
    expect((await queue.next()).done).toBe(true)
  })
})

/** Two real yamux muxers, each one's outbound frames piped (coalesced or not) into the other's sink. */
function muxerPair (coalesce: boolean): { a: StreamMuxer, b: StreamMuxer, chunks: { ab: number } } {
  const factory = coalesce ? coalescingMuxer(yamux(), COALESCED_CHUNK_BYTES_MAX) : yamux()
  const components = { logger: defaultLogger() }
  const chunks = { ab: 0 }
  const a = factory(components).createStreamMuxer({ direction: 'outbound' })
  const b = factory(components).createStreamMuxer({
    direction: 'inbound',
    onIncomingStream: (s) => { s.sink(s.source).catch(() => {}) } // echo
  })
  const counted = async function * (source: AsyncIterable<Chunk>): AsyncGenerator<Chunk> {
    for await (const c of source) {
      chunks.ab++
      yield c
    }
  }
  void b.sink(counted(a.source as AsyncIterable<Chunk>))
  void a.sink(b.source)
  return { a, b, chunks }
}

/** Write `payloads` on a new stream of `a` (echoed by b) and return what came back. */
async function echo (a: StreamMuxer, payloads: Uint8Array[]): Promise<Uint8Array> {
  const stream: Stream = await a.newStream()
  const [, back] = await Promise.all([
    stream.sink((async function * () { yield * payloads })()),
    drain(stream.source)
  ])
  return bytesOf(back)
}

describe('runtime: coalesce: between two yamux muxers', () => {
  it('should carry every stream\'s bytes unchanged, in fewer chunks than frames', async () => {
    const plain = muxerPair(false)
    const joined = muxerPair(true)
    const payloads = Array.from({ length: 4 }, (_, s) => Array.from({ length: 200 }, (_, i) => Uint8Array.from({ length: 10 + (i * 13) % 90 }, (_, j) => (s * 31 + i + j) & 0xff)))
    for (const { a } of [plain, joined]) {
      const backs = await within(Promise.all(payloads.map(async (p) => await echo(a, p))), 10_000, 'echoes')
      backs.forEach((back, s) => expectSameBytes(back, bytesOf(payloads[s] as Uint8Array[])))
    }
    // The same frames, coalesced where they queued up behind each other.
    expect(joined.chunks.ab).toBeLessThan(plain.chunks.ab)
    for (const { a, b } of [plain, joined]) {
      await a.close()
      await b.close()
    }
  })

  it('should propagate an abort to the other side\'s streams', async () => {
    const { a, b } = muxerPair(true)
    const stream = await a.newStream()
    const reading = drain(stream.source)
    await within((async () => { while (b.streams.length === 0) await new Promise((resolve) => setImmediate(resolve)) })(), 2_000, 'stream opened at b')
    a.abort(new Error('gone'))
    await expect(within(reading, 2_000, 'local stream fails')).rejects.toThrow()
    // b's stream ends once a's queue is ended and b's sink sees the end.
    await within((async () => { while (b.streams.length > 0) await new Promise((resolve) => setImmediate(resolve)) })(), 2_000, 'b\'s streams closed')
  })
})

describe('runtime: coalesce: two libp2p nodes', () => {
  const nodes = nodesStoppedAfterEach()

  it('should carry bursts on several streams of one connection unchanged', async () => {
    const [a, b] = await echoPair(nodes)
    await a.dial(b.getMultiaddrs()[0] as Parameters<MeshNode['dial']>[0])
    const payloads = Array.from({ length: 5 }, (_, s) => Array.from({ length: 300 }, (_, i) => Uint8Array.from({ length: 1 + (i * 97) % 2_000 }, (_, j) => (s + i * 7 + j) & 0xff)))
    const backs = await within(Promise.all(payloads.map(async (p) => {
      const stream = await a.dialProtocol(b.peerId, ECHO_PROTOCOL)
      const [, back] = await Promise.all([stream.sink((async function * () { yield * p })()), drain(stream.source)])
      return bytesOf(back)
    })), 20_000, 'echoes over libp2p')
    backs.forEach((back, s) => expectSameBytes(back, bytesOf(payloads[s] as Uint8Array[])))
  })
})
