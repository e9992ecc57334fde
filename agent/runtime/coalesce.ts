/**
 * Write coalescing under the stream muxer.
 *
 * yamux turns every write on every stream into a frame and queues it on one
 * per-connection source; libp2p pipes that source through Noise (one
 * encryption and one 2-byte length prefix per chunk) and a chain of async
 * iterators into `socket.write` (one system call per chunk). A gossip copy is
 * a single small frame, so that chain is paid once per frame: it was the
 * largest share of an agent's CPU time per delta (see bench/mesh-delta.ts).
 *
 * When frames are already queued as the connection pulls the next chunk (a
 * burst: forwarding several messages to one peer, an RPC and its window
 * update), this hands them on as one chunk: one Noise message, one write.
 * It never waits for more frames to arrive, so a lone frame leaves as soon
 * as it would have without it; the bytes and their order are unchanged.
 */
import type { StreamMuxer, StreamMuxerFactory, StreamMuxerInit } from '@libp2p/interface'

/** What yamux queues: a Uint8Array, or a Uint8ArrayList (frame header and payload) that iterates over its parts. */
type Chunk = Uint8Array | { byteLength: number, [Symbol.iterator]: () => Iterator<Uint8Array> }

function appendParts (parts: Uint8Array[], chunk: Chunk): void {
  if (chunk instanceof Uint8Array) parts.push(chunk)
  else for (const part of chunk) parts.push(part)
}

/** A queue that says how much it holds (it-pushable's `readableLength`: bytes buffered). */
type Buffered = AsyncGenerator<Chunk> & { readableLength?: number }

/**
 * The chunks of `source`, with every chunk already buffered behind the one
 * pulled joined to it, up to `bytesMax` per chunk (a chunk larger than that
 * alone is passed on as it is).
 */
export async function * coalesced (source: Buffered, bytesMax: number): AsyncGenerator<Chunk> {
  try {
    for (;;) {
      const first = await source.next()
      if (first.done === true) return
      if ((source.readableLength ?? 0) === 0 || first.value.byteLength >= bytesMax) {
        yield first.value
        continue
      }
      const parts: Uint8Array[] = []
      appendParts(parts, first.value)
      let bytes = first.value.byteLength
      let ended = false
      while ((source.readableLength ?? 0) > 0 && bytes < bytesMax) {
        const next = await source.next()
        if (next.done === true) {
          ended = true
          break
        }
        appendParts(parts, next.value)
        bytes += next.value.byteLength
      }
      // One copy, as Noise would have made of each chunk anyway to encrypt it.
      yield Buffer.concat(parts, bytes)
      if (ended) return
    }
  } finally {
    // The connection stopped reading (closed or failed): end the muxer's queue, as for-await would.
    await source.return(undefined)
  }
}

/**
 * A muxer factory whose muxers hand their outgoing frames to the connection
 * coalesced. The muxer keeps its own queue (yamux pushes frames to `source`
 * internally), so the connection gets a view of it with only `source` changed.
 */
export function coalescingMuxer<C> (factory: (components: C) => StreamMuxerFactory, bytesMax: number): (components: C) => StreamMuxerFactory {
  return (components) => {
    const inner = factory(components)
    return {
      protocol: inner.protocol,
      createStreamMuxer: (init?: StreamMuxerInit): StreamMuxer => {
        const muxer = inner.createStreamMuxer(init)
        return {
          protocol: muxer.protocol,
          get streams () { return muxer.streams },
          newStream: (name) => muxer.newStream(name),
          close: async (options) => { await muxer.close(options) },
          abort: (err) => { muxer.abort(err) },
          sink: async (source) => { await muxer.sink(source) },
          source: coalesced(muxer.source as Buffered, bytesMax) as StreamMuxer['source']
        }
      }
    }
  }
}
