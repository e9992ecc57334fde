/**
 * SWIM probes over libp2p ping (`/ipfs/ping/1.0.0`), on streams that stay open.
 *
 * `@libp2p/ping` opens a new stream for every ping: yamux open and close
 * frames, multistream-select in both directions, each in its own Noise frame.
 * That is about 530 bytes on the wire for 64 bytes of ping, and every agent
 * sends and answers about one probe per second. The ping protocol itself
 * allows many pings on one stream (its handler echoes 32-byte chunks until
 * the stream closes), so this keeps one stream per peer and reuses it: about
 * 190 bytes per probe (measured, both directions). It also times the round trip with `performance.now()`
 * (the library rounds to whole milliseconds, which is 0 or 1 on a LAN).
 *
 * A cached stream that turns out to be broken (the peer's handler timed it
 * out, the connection was replaced) is not evidence against the peer: the
 * ping is retried once on a fresh stream, and only that attempt decides.
 */
import { randomBytes } from '@libp2p/crypto'
import type { PeerId, Stream } from '@libp2p/interface'
import { byteStream } from 'it-byte-stream'
import type { ByteStream } from 'it-byte-stream'
import { performance } from 'node:perf_hooks'
import type { MeshNode } from './libp2p-node.js'
import { PING_STREAMS_MAX, PING_STREAM_IDLE_MS_MAX } from './constants.js'

export const PING_PROTOCOL = '/ipfs/ping/1.0.0'
const PING_LENGTH = 32

interface Held {
  stream: Stream
  bytes: ByteStream<Stream>
  busy: boolean
  lastUsedMs: number
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export class PingStreams {
  private readonly node: MeshNode
  /** One idle-or-busy stream per peer, least recently used first. */
  private readonly held = new Map<string, Held>()
  /** Pings answered on a reused stream, and streams opened: for /metrics. */
  reused = 0
  opened = 0

  constructor (node: MeshNode) {
    this.node = node
  }

  /** Round-trip time to `peer` in ms. Throws when the peer does not answer in time or cannot be reached. */
  async ping (peer: PeerId, signal: AbortSignal): Promise<number> {
    const key = peer.toString()
    const cached = this.takeIdle(key)
    if (cached !== undefined) {
      try {
        const ms = await this.once(cached, signal)
        this.reused++
        this.release(key, cached)
        return ms
      } catch (err) {
        this.drop(key, cached)
        // Our own deadline passed: that is the probe's answer, not a stale stream.
        if (signal.aborted) throw err
      }
    }
    const fresh = await this.open(peer, signal)
    try {
      const ms = await this.once(fresh, signal)
      this.release(key, fresh)
      return ms
    } catch (err) {
      fresh.stream.abort(err as Error)
      throw err
    }
  }

  private takeIdle (key: string): Held | undefined {
    const h = this.held.get(key)
    if (h === undefined || h.busy) return undefined
    if (h.stream.status !== 'open' || performance.now() - h.lastUsedMs > PING_STREAM_IDLE_MS_MAX) {
      this.drop(key, h)
      return undefined
    }
    h.busy = true
    return h
  }

  private async open (peer: PeerId, signal: AbortSignal): Promise<Held> {
    const connection = await this.node.dial(peer, { signal })
    const stream = await connection.newStream(PING_PROTOCOL, { signal, runOnLimitedConnection: true })
    this.opened++
    return { stream, bytes: byteStream(stream), busy: true, lastUsedMs: performance.now() }
  }

  private async once (h: Held, signal: AbortSignal): Promise<number> {
    const data = randomBytes(PING_LENGTH)
    const start = performance.now()
    const [, echo] = await Promise.all([h.bytes.write(data, { signal }), h.bytes.read({ bytes: PING_LENGTH, signal })])
    const ms = performance.now() - start
    if (!sameBytes(data, echo.subarray())) throw new Error('ping answered with other bytes')
    h.lastUsedMs = performance.now()
    return ms
  }

  /** Keep a stream that just answered, unless another ping to the same peer already left one. */
  private release (key: string, h: Held): void {
    h.busy = false
    const other = this.held.get(key)
    if (other !== undefined && other !== h) {
      void h.stream.close().catch(() => {})
      return
    }
    this.held.delete(key)
    this.held.set(key, h)
    while (this.held.size > PING_STREAMS_MAX) {
      const [oldest, old] = this.held.entries().next().value as [string, Held]
      if (old.busy) break
      this.drop(oldest, old)
    }
  }

  private drop (key: string, h: Held): void {
    if (this.held.get(key) === h) this.held.delete(key)
    void h.stream.close().catch(() => h.stream.abort(new Error('ping stream dropped')))
  }
}
