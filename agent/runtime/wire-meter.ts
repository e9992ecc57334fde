/**
 * Bytes on the wire, by protocol: a minimal libp2p `Metrics` component.
 *
 * libp2p calls `trackMultiaddrConnection` for every raw connection (bytes as
 * TCP carries them: Noise and yamux framing included) and
 * `trackProtocolStream` for every stream once its protocol is negotiated
 * (payload bytes of that protocol; the multistream-select handshake before
 * it is not counted). Counting wraps the source and sink, as
 * `@libp2p/prometheus-metrics` does, without its registry. Every other
 * metric libp2p components may register is accepted and dropped.
 *
 * Operators read the totals in `GET /metrics` as
 * `mesh_wire_bytes_total{dir="out",protocol="/meshsub/1.1.0"}`, with
 * `protocol="tcp"` for the raw connections.
 */
import type { Metrics, MultiaddrConnection, Stream } from '@libp2p/interface'

/** The label used for raw connection bytes. */
export const WIRE_RAW = 'tcp'

type Direction = 'in' | 'out'
type Chunk = { byteLength: number }

/** Anything with libp2p's duplex shape: a source to read and a sink to write. */
interface Duplex {
  source: AsyncIterable<Chunk> | Iterable<Chunk>
  sink: (source: AsyncIterable<Chunk> | Iterable<Chunk>) => Promise<void>
}

/**
 * The chunks of `source`, counted as they are pulled. A plain iterator, not an
 * async generator: it sits on every chunk of every connection and stream, and
 * a generator costs several promises and a resumption per chunk where this
 * costs one `then`.
 */
export function counted (source: AsyncIterable<Chunk> | Iterable<Chunk>, add: (n: number) => void): AsyncIterableIterator<Chunk> {
  const it: Iterator<Chunk> | AsyncIterator<Chunk> = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
  const count = (r: IteratorResult<Chunk>): IteratorResult<Chunk> => {
    if (r.done !== true) add(r.value.byteLength)
    return r
  }
  const iterator: AsyncIterableIterator<Chunk> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => {
      const r = it.next()
      return r instanceof Promise ? r.then(count) : Promise.resolve(count(r))
    },
    // Ending or failing the counted source ends or fails the one it wraps, as a generator's for-await would.
    return: async (value?: unknown) => await Promise.resolve(it.return?.(value) ?? { done: true, value: undefined }),
    throw: async (err?: unknown) => {
      if (it.throw !== undefined) return await Promise.resolve(it.throw(err))
      await Promise.resolve(it.return?.())
      throw err
    }
  }
  return iterator
}

const noop = (): void => {}
const noopTimer = (): (() => void) => noop
const noopMetric = { update: noop, increment: noop, decrement: noop, reset: noop, timer: noopTimer, observe: noop }

export class WireMeter {
  /** One cell per direction and protocol, found once per connection or stream rather than per chunk. */
  private readonly bytes = new Map<string, { n: number }>()

  /** A counter for one direction of one protocol, its key built once rather than per chunk. */
  private adder (protocol: string, dir: Direction): (n: number) => void {
    const key = `${dir} ${protocol}`
    let cell = this.bytes.get(key)
    if (cell === undefined) {
      cell = { n: 0 }
      this.bytes.set(key, cell)
    }
    const counter = cell
    return (n) => { counter.n += n }
  }

  private track (duplex: Duplex, protocol: string): void {
    const sink = duplex.sink
    const out = this.adder(protocol, 'out')
    duplex.sink = async (source) => { await sink(counted(source, out)) }
    duplex.source = counted(duplex.source, this.adder(protocol, 'in'))
  }

  /** Bytes so far, by direction and protocol. */
  totals (): Array<{ dir: Direction, protocol: string, bytes: number }> {
    return [...this.bytes].map(([k, { n: bytes }]) => {
      const space = k.indexOf(' ')
      return { dir: k.slice(0, space) as Direction, protocol: k.slice(space + 1), bytes }
    })
  }

  /** Total bytes in one direction for one protocol (`WIRE_RAW` for raw connections). */
  get (dir: Direction, protocol: string): number {
    return this.bytes.get(`${dir} ${protocol}`)?.n ?? 0
  }

  /** Prometheus series, for `Counters.render`'s extra figures. */
  series (): Record<string, number> {
    const out: Record<string, number> = {}
    for (const t of this.totals()) out[`mesh_wire_bytes_total{dir="${t.dir}",protocol="${t.protocol.replace(/["\\\n]/g, ' ')}"}`] = t.bytes
    return out
  }

  /** The libp2p component: `createLibp2p({ metrics: () => meter.component() })`. */
  component (): Metrics {
    return metricsComponent({
      trackMultiaddrConnection: (maConn: MultiaddrConnection) => this.track(maConn as unknown as Duplex, WIRE_RAW),
      trackProtocolStream: (stream: Stream) => {
        if (stream.protocol !== undefined && stream.protocol !== '') this.track(stream as unknown as Duplex, stream.protocol)
      }
    })
  }
}

/** A libp2p metrics component that tracks what `track` says and accepts and drops every metric registered. */
export function metricsComponent (track: Pick<Metrics, 'trackMultiaddrConnection' | 'trackProtocolStream'> = { trackMultiaddrConnection: noop, trackProtocolStream: noop }): Metrics {
  const register = ((_name: string, opts?: { calculate?: unknown }) => (opts?.calculate === undefined ? noopMetric : undefined)) as never
  return {
    ...track,
    registerMetric: register,
    registerMetricGroup: register,
    registerCounter: register,
    registerCounterGroup: register,
    registerHistogram: register,
    registerHistogramGroup: register,
    registerSummary: register,
    registerSummaryGroup: register,
    traceFunction: ((_name: string, fn: unknown) => fn) as never,
    createTrace: () => undefined
  }
}
