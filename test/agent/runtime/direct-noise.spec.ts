/**
 * Noise's data path written straight into the raw connection's sink: the
 * chain of sources under it, and two real libp2p nodes on loopback that use it.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { pushable } from 'it-pushable'
import { describe, expect, it } from 'vitest'
import { directStats, NOISE_PLAINTEXT_BYTES_MAX, opened, sealed, SinkChain } from '../../../agent/runtime/direct-noise.js'
import { createMeshNode } from '../../../agent/runtime/libp2p-node.js'
import type { MeshNode } from '../../../agent/runtime/libp2p-node.js'
import { ECHO_PROTOCOL, echoPair, nodesStoppedAfterEach } from '../../helpers/echo-pair.js'

type Chunk = Uint8Array | { byteLength: number, subarray: () => Uint8Array }

async function drain (source: AsyncIterable<Chunk>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of source) parts.push(c instanceof Uint8Array ? c : c.subarray())
  return new Uint8Array(Buffer.concat(parts))
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

describe('runtime: direct noise: sink chain', () => {
  it('should hand on each source\'s bytes after the previous one ended, in order', async () => {
    const chain = new SinkChain()
    const negotiation = pushable<Uint8Array>()
    const handshake = pushable<Uint8Array>()
    const reading = drain(chain)
    const firstDone = chain.append(negotiation)
    negotiation.push(Uint8Array.of(1, 2))
    // Appended while the first is still open: waits for it.
    const secondDone = chain.append(handshake)
    handshake.push(Uint8Array.of(5))
    negotiation.push(Uint8Array.of(3, 4))
    negotiation.end()
    await within(firstDone, 2_000, 'the first source is read to its end')
    chain.hold()
    handshake.end()
    await within(secondDone, 2_000, 'the second source is read to its end')
    const lastDone = chain.append([Uint8Array.of(6), Uint8Array.of(7, 8)], { last: true })
    await within(lastDone, 2_000, 'the last source is read to its end')
    expect([...await within(reading, 2_000, 'the chain ends after the last source')]).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })

  it('should end when the source being read ends and no other was appended or announced, as a plain sink would', async () => {
    const chain = new SinkChain()
    const data = pushable<Uint8Array>()
    const written = chain.append(data)
    const reading = drain(chain)
    data.push(Uint8Array.of(1))
    data.end()
    await within(written, 2_000, 'the source is read to its end')
    expect([...await within(reading, 2_000, 'the chain ends with it')]).toEqual([1])
  })

  it('should wait for the announced source after the one being read ended', async () => {
    const chain = new SinkChain()
    const negotiation = pushable<Uint8Array>()
    void chain.append(negotiation)
    const reading = drain(chain)
    negotiation.push(Uint8Array.of(1))
    chain.hold()
    negotiation.end()
    await new Promise((resolve) => setImmediate(resolve))
    await chain.append([Uint8Array.of(2)], { last: true })
    expect([...await within(reading, 2_000, 'the chain ends after the announced source')]).toEqual([1, 2])
  })

  it('should refuse a source after the last one', async () => {
    const chain = new SinkChain()
    void chain.append([Uint8Array.of(1)], { last: true })
    await expect(chain.append([Uint8Array.of(2)])).rejects.toThrow('no source may follow the last one')
    expect([...await drain(chain)]).toEqual([1])
  })

  it('should fail the reader and the source\'s writer when the last source fails', async () => {
    const chain = new SinkChain()
    const data = pushable<Uint8Array>()
    const written = chain.append(data, { last: true })
    const reading = drain(chain)
    data.push(Uint8Array.of(1))
    data.end(new Error('muxer aborted'))
    await expect(reading).rejects.toThrow('muxer aborted')
    await expect(written).rejects.toThrow('muxer aborted')
  })

  it('should end every source when the reader stops (the socket closed)', async () => {
    const chain = new SinkChain()
    const first = pushable<Uint8Array>()
    const waiting = pushable<Uint8Array>()
    void chain.append(first)
    const waitingDone = chain.append(waiting, { last: true })
    first.push(Uint8Array.of(1))
    expect((await chain.next()).value).toEqual(Uint8Array.of(1))
    await chain.return()
    await expect(waitingDone).rejects.toThrow()
    // Ended sources take nothing more.
    first.push(Uint8Array.of(2))
    expect((await first.next()).done).toBe(true)
    expect((await chain.next()).done).toBe(true)
  })
})

/** A stand-in for a Noise session: the "ciphertext" is the plaintext with 16 bytes of 0xee as its tag. */
const fakeSession = {
  encrypt: (plaintext: Chunk): Uint8Array => new Uint8Array(Buffer.concat([plaintext instanceof Uint8Array ? plaintext : plaintext.subarray(), Buffer.alloc(16, 0xee)])),
  decrypt: (ciphertext: Chunk, dst?: Uint8Array): Uint8Array => {
    const c = ciphertext instanceof Uint8Array ? ciphertext : ciphertext.subarray()
    if (c.subarray(c.byteLength - 16).some((b) => b !== 0xee)) throw new Error('bad tag')
    return dst ?? c.subarray(0, c.byteLength - 16)
  }
}

async function * reads (bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0
  for (let i = 0; at < bytes.byteLength; i++) {
    const size = sizes[i % sizes.length] as number
    yield bytes.slice(at, at + size)
    at += size
  }
}

describe('runtime: direct noise: sealing and opening', () => {
  const plaintexts = [
    Uint8Array.of(1),
    new Uint8Array(2 * NOISE_PLAINTEXT_BYTES_MAX + 5).map((_, i) => i & 0xff),
    ...Array.from({ length: 50 }, (_, i) => Uint8Array.from({ length: 1 + (i * 53) % 700 }, (_, j) => (i * 3 + j) & 0xff))
  ]

  it.each([
    ['one read per message batch', [1_000_000]],
    ['reads of 1 byte', [1]],
    ['reads that split length prefixes and messages', [3, 700, 2, 65_600, 17]]
  ])('should open what was sealed, byte for byte, with %s', async (_name, sizes) => {
    const wire = await drain(sealed(fakeSession, plaintexts))
    // Each message: 2-byte length, then the ciphertext; a plaintext longer than a message is split.
    expect(wire.byteLength).toBe(plaintexts.reduce((s, p) => s + p.byteLength + 18 * Math.ceil(p.byteLength / NOISE_PLAINTEXT_BYTES_MAX), 0))
    const back = await drain(opened(fakeSession, reads(wire, sizes)))
    expect(Buffer.compare(back, Buffer.concat(plaintexts))).toBe(0)
  })

  it('should fail on a connection that ends inside a message', async () => {
    const wire = await drain(sealed(fakeSession, [Uint8Array.of(1, 2, 3)]))
    await expect(drain(opened(fakeSession, reads(wire.subarray(0, wire.byteLength - 1), [4])))).rejects.toThrow('ended inside a message')
  })

  it('should fail on a message shorter than its tag', async () => {
    await expect(drain(opened(fakeSession, reads(Uint8Array.of(0, 3, 1, 2, 3), [5])))).rejects.toThrow('shorter than its tag')
  })
})

describe('runtime: direct noise: two libp2p nodes', () => {
  const nodes = nodesStoppedAfterEach()

  it('should set up every connection without Noise\'s queues and carry large and small writes both ways', async () => {
    const [a, b] = await echoPair(nodes)
    const before = directStats.connections
    await a.dial(b.getMultiaddrs()[0] as Parameters<MeshNode['dial']>[0])
    // Both ends of the connection: the dialler's and the listener's.
    await within((async () => { while (directStats.connections < before + 2) await new Promise((resolve) => setImmediate(resolve)) })(), 5_000, 'both ends set up directly')
    // Writes larger than one Noise message are split and joined again; small ones pass as they are.
    const payloads = [
      new Uint8Array(3 * NOISE_PLAINTEXT_BYTES_MAX + 17).map((_, i) => (i * 7) & 0xff),
      ...Array.from({ length: 200 }, (_, i) => Uint8Array.from({ length: 1 + (i * 31) % 500 }, (_, j) => (i + j) & 0xff))
    ]
    const stream = await a.dialProtocol(b.peerId, ECHO_PROTOCOL)
    const [, back] = await within(Promise.all([stream.sink((async function * () { yield * payloads })()), drain(stream.source)]), 20_000, 'echo')
    expect(Buffer.compare(back, Buffer.concat(payloads))).toBe(0)
  })

  it('should close the connection at both ends when one node stops', async () => {
    for (let i = 0; i < 2; i++) nodes.push(await createMeshNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], topics: [], blocked: new Set() }))
    const [a, b] = nodes as [MeshNode, MeshNode]
    await a.dial(b.getMultiaddrs()[0] as Parameters<MeshNode['dial']>[0])
    await within((async () => { while (b.getConnections().length === 0) await new Promise((resolve) => setImmediate(resolve)) })(), 5_000, 'b sees the connection')
    await a.stop()
    nodes.splice(0, 1)
    await within((async () => { while (b.getConnections().length > 0) await new Promise((resolve) => setTimeout(resolve, 10)) })(), 5_000, 'b sees it closed')
  })
})
