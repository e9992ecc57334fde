/**
 * Noise without the queues its set-up leaves behind on every connection.
 *
 * Before a connection is encrypted, libp2p negotiates the encrypter with
 * multistream-select and Noise runs its handshake, each through
 * `it-byte-stream`. Each of them wraps the raw connection's `sink` in a loop
 * that pushes every chunk into a queue (an `it-queueless-pushable`) that the
 * sink below drains, and leaves that wrapper in place afterwards. Noise then
 * pipes its encrypted output into the wrapped sink and hands libp2p one side
 * of an `it-pair` (two more queues, one each way). So every chunk a
 * connection sends passed through three queues it does not need, each a few
 * promises and objects: in the 20-agent delta benchmark they were the largest
 * single source of allocation (about a fifth of it) and a few percent of CPU.
 *
 * Here the raw connection's sink is a `SinkChain` (installed by the metrics
 * hook, the one place libp2p shows us the raw connection before
 * multistream-select does): the sources written to it one after another. Noise
 * runs its handshake unchanged through the wrappers; when it sets up the
 * encrypted connection, this ends the negotiation writers (their bytes drain
 * in order) and appends the encrypted output to the chain directly, and hands
 * libp2p the decrypted source directly. The bytes on the wire are the same:
 * one Noise message (2-byte length, ciphertext, tag) per chunk of at most
 * 65,519 bytes, as Noise's own `encryptStream` makes them.
 *
 * This relies on two things of `@chainsafe/libp2p-noise` 16 that are not its
 * public interface: the `createSecureConnection(wrapped, handshake)` method and
 * the handshake's `encrypt` and `decrypt`. If they are missing (a new major
 * version), Noise is used as it comes, and test/agent/runtime/direct-noise.spec.ts
 * fails to say so.
 */
import type { ConnectionEncrypter, Metrics, MultiaddrConnection } from '@libp2p/interface'

/** What travels: a Uint8Array, or a list of them (uint8arraylist) as libp2p's layers pass them. */
interface ByteList { byteLength: number, subarray: (begin?: number, end?: number) => Uint8Array, sublist: (begin?: number, end?: number) => ByteList }
type Chunk = Uint8Array | ByteList
type Source = AsyncIterable<Chunk> | Iterable<Chunk>
type AnyIterator = AsyncIterator<Chunk> | Iterator<Chunk>

/** Largest plaintext of one Noise message (65,535 bytes less the 16-byte tag), as in Noise's constants. */
export const NOISE_PLAINTEXT_BYTES_MAX = 65_535 - 16
const TAG_BYTES = 16

function iteratorOf (source: Source): AnyIterator {
  return Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
}

interface Link {
  it: AnyIterator
  settle: (err?: unknown) => void
}

/**
 * The sources written to one sink, one after another: each starts once every
 * source appended before it has ended. Iterated once, by the sink below.
 * After `last` is appended and reached, `next` hands on that source's results
 * directly (one `then` per chunk, to note its end).
 */
export class SinkChain implements AsyncIterableIterator<Chunk> {
  private readonly queue: Link[] = []
  private current: Link | undefined
  private wake: (() => void) | undefined
  private lastAppended = false
  private direct: Link | undefined
  private finished = false
  /** The source being read will be followed by one appended later: its end does not end the chain. */
  private held = false

  /** Write `source` after those appended before it; resolves once it has been read to its end. */
  async append (source: Source, options: { last?: boolean } = {}): Promise<void> {
    if (this.lastAppended || this.finished) throw new Error('sink chain: no source may follow the last one')
    if (options.last === true) this.lastAppended = true
    this.held = false
    return await new Promise<void>((resolve, reject) => {
      this.queue.push({ it: iteratorOf(source), settle: (err) => { if (err === undefined) resolve(); else reject(err) } })
      const wake = this.wake
      this.wake = undefined
      wake?.()
    })
  }

  /** Announce a source to follow the one being read, before ending that one (see directNoise). */
  hold (): void {
    this.held = true
  }

  [Symbol.asyncIterator] (): AsyncIterableIterator<Chunk> {
    return this
  }

  // Not async: on the direct path this is one `then` on the source's own promise.
  next (): Promise<IteratorResult<Chunk>> {
    const direct = this.direct
    if (direct === undefined) return this.nextSlow()
    return Promise.resolve(direct.it.next()).then((r) => {
      if (r.done === true) this.finish(direct)
      return r
    }, (err: unknown) => {
      this.finish(direct, err)
      throw err
    })
  }

  private async nextSlow (): Promise<IteratorResult<Chunk>> {
    for (;;) {
      if (this.finished) return { done: true, value: undefined }
      if (this.current === undefined) {
        const link = this.queue.shift()
        if (link === undefined) {
          await new Promise<void>((resolve) => { this.wake = resolve })
          continue
        }
        this.current = link
        if (this.lastAppended && this.queue.length === 0) {
          this.direct = link
          return await this.next()
        }
      }
      const link = this.current
      let r: IteratorResult<Chunk>
      try {
        r = await link.it.next()
      } catch (err) {
        this.finish(link, err)
        throw err
      }
      if (r.done !== true) return r
      link.settle()
      this.current = undefined
      // Like any sink: the end of what it reads is its end, unless more was announced.
      if (this.queue.length === 0 && !this.held) {
        this.finished = true
        return { done: true, value: undefined }
      }
    }
  }

  private finish (link: Link, err?: unknown): void {
    this.finished = true
    this.direct = undefined
    this.current = undefined
    link.settle(err)
    for (const waiting of this.queue.splice(0)) waiting.settle(err ?? new Error('sink chain ended'))
  }

  /** The sink below stopped reading (the socket closed or failed): end every source. */
  async return (): Promise<IteratorResult<Chunk>> {
    const links = [...(this.current === undefined ? [] : [this.current]), ...(this.direct === undefined || this.direct === this.current ? [] : [this.direct]), ...this.queue]
    if (links.length > 0) this.finish(links[0] as Link)
    this.finished = true
    await Promise.allSettled(links.map(async (l) => await l.it.return?.()))
    const wake = this.wake
    this.wake = undefined
    wake?.()
    return { done: true, value: undefined }
  }
}

/** Raw connections' chains (see directNoise). */
const chains = new WeakMap<object, SinkChain>()

/** Make a raw connection's sink a SinkChain (before anything wraps it). */
export function chainSink (maConn: Pick<MultiaddrConnection, 'sink'>): void {
  const below = maConn.sink.bind(maConn) as (source: AsyncIterable<Chunk>) => Promise<void>
  const chain = new SinkChain()
  let started: Promise<void> | undefined
  maConn.sink = async (source) => {
    // When the socket stops taking bytes, every source still writing is ended.
    started ??= below(chain).then(async () => await chain.return(), async () => await chain.return()).then(() => {})
    await chain.append(source as Source)
  }
  chains.set(maConn, chain)
}

/** A metrics component that also gives every raw connection a SinkChain (see above), after `inner` has seen it. */
export function withSinkChains (inner: Metrics): Metrics {
  return {
    ...inner,
    trackMultiaddrConnection: (maConn: MultiaddrConnection) => {
      inner.trackMultiaddrConnection(maConn)
      chainSink(maConn)
    }
  }
}

/** What Noise's handshake result offers (its `CipherState` pair). */
interface NoiseSession {
  encrypt: (plaintext: Chunk) => Chunk
  decrypt: (ciphertext: Chunk, dst?: Uint8Array) => Chunk
}

/** What `lpStream(...)` gives Noise's `createSecureConnection`. */
interface Unwrappable {
  unwrap: () => { source: AsyncIterable<Chunk>, sink: (source: Source) => Promise<void> }
}

/** One chunk as Noise messages: for each piece of at most NOISE_PLAINTEXT_BYTES_MAX, a 2-byte length and the ciphertext. */
function sealChunk (session: NoiseSession, chunk: Chunk): Uint8Array {
  const sealed: Chunk[] = []
  let bytes = 0
  for (let i = 0; i < chunk.byteLength; i += NOISE_PLAINTEXT_BYTES_MAX) {
    const end = Math.min(i + NOISE_PLAINTEXT_BYTES_MAX, chunk.byteLength)
    const c = session.encrypt(chunk instanceof Uint8Array ? chunk.subarray(i, end) : chunk.sublist(i, end))
    sealed.push(c)
    bytes += 2 + c.byteLength
  }
  const out = Buffer.allocUnsafe(bytes)
  let at = 0
  for (const c of sealed) {
    out.writeUInt16BE(c.byteLength, at)
    out.set(c instanceof Uint8Array ? c : c.subarray(), at + 2)
    at += 2 + c.byteLength
  }
  return out
}

/** The encrypted form of `source`, chunk for chunk (a plain iterator: one `then` per chunk). */
export function sealed (session: NoiseSession, source: Source): AsyncIterableIterator<Uint8Array> {
  const it = iteratorOf(source)
  const seal = (r: IteratorResult<Chunk>): IteratorResult<Uint8Array> => r.done === true ? { done: true, value: undefined } : { done: false, value: sealChunk(session, r.value) }
  const iterator: AsyncIterableIterator<Uint8Array> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => Promise.resolve(it.next()).then(seal),
    return: async () => {
      await it.return?.()
      return { done: true, value: undefined }
    }
  }
  return iterator
}

/**
 * The decrypted messages of a stream of Noise messages (2-byte big-endian
 * length, ciphertext, 16-byte tag), as Noise's own decoder and `decryptStream`
 * read them, in one plain iterator: a read that holds whole messages is
 * decrypted where it lies, and only a message split across reads is copied
 * (once, when all of it has arrived).
 */
export function opened (session: NoiseSession, source: AsyncIterable<Chunk>): AsyncIterableIterator<Chunk> {
  const it = source[Symbol.asyncIterator]()
  // Bytes read and not yet decrypted, and how many; joined only once they hold a whole
  // message, so a peer that sends a message a byte at a time costs one copy, not one per byte.
  let parts: Uint8Array[] = []
  let held = 0
  const ready: Chunk[] = []
  /** Bytes the first message held needs: its length prefix, then the message. */
  const needed = (): number => {
    if (held < 2) return 2
    let head = parts[0] as Uint8Array
    if (head.byteLength < 2) {
      head = Buffer.concat(parts, held)
      parts = [head]
    }
    return 2 + (head[0] as number) * 256 + (head[1] as number)
  }
  const parse = (): void => {
    let rest = parts.length === 1 ? parts[0] as Uint8Array : Buffer.concat(parts, held)
    while (rest.byteLength >= 2) {
      const length = (rest[0] as number) * 256 + (rest[1] as number)
      if (length < TAG_BYTES) throw new Error('noise: message shorter than its tag')
      if (rest.byteLength < 2 + length) break
      const message = rest.subarray(2, 2 + length)
      rest = rest.subarray(2 + length)
      // Decrypt in place, as Noise does: chacha20 reads each byte before it writes it.
      ready.push(session.decrypt(message, message.subarray(0, length - TAG_BYTES)))
    }
    parts = rest.byteLength > 0 ? [rest] : []
    held = rest.byteLength
  }
  const more = async (): Promise<IteratorResult<Chunk>> => {
    for (;;) {
      const r = await it.next()
      if (r.done === true) {
        if (held > 0) throw new Error('noise: connection ended inside a message')
        return { done: true, value: undefined }
      }
      const read = r.value instanceof Uint8Array ? r.value : r.value.subarray()
      parts.push(read)
      held += read.byteLength
      if (held < needed()) continue
      parse()
      const message = ready.shift()
      if (message !== undefined) return { done: false, value: message }
    }
  }
  const iterator: AsyncIterableIterator<Chunk> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => {
      const message = ready.shift()
      return message === undefined ? more() : Promise.resolve({ done: false, value: message })
    },
    return: async () => {
      ready.length = 0
      await it.return?.()
      return { done: true, value: undefined }
    }
  }
  return iterator
}

type SecureConnection = (wrapped: Unwrappable, session: NoiseSession) => Promise<{ source: AsyncIterable<Chunk>, sink: (source: Source) => Promise<void> }>

/** Connections set up by directNoise without Noise's own data path (for tests). */
export const directStats = { connections: 0 }

/**
 * A connection encrypter factory like `noise()`, whose connections write
 * into the raw connection's SinkChain directly (see above). Connections whose
 * raw connection has no chain (no metrics hook) are left to Noise.
 */
export function directNoise<C> (factory: (components: C) => ConnectionEncrypter): (components: C) => ConnectionEncrypter {
  return (components) => {
    const encrypter = factory(components) as ConnectionEncrypter & { createSecureConnection?: SecureConnection }
    const own = encrypter.createSecureConnection
    if (typeof own !== 'function') return encrypter
    encrypter.createSecureConnection = async (wrapped, session) => {
      const network = wrapped.unwrap()
      const chain = chains.get(network)
      if (chain === undefined || typeof session.encrypt !== 'function' || typeof session.decrypt !== 'function') return await own.call(encrypter, wrapped, session)
      // The handshake is over: end the negotiation's and the handshake's writers so
      // that what they still hold drains into the chain ahead of the encrypted data.
      chain.hold()
      void network.sink([]).catch(() => {})
      directStats.connections++
      return {
        source: opened(session, network.source),
        sink: async (source) => { await chain.append(sealed(session, source), { last: true }) }
      }
    }
    return encrypter
  }
}
