/**
 * One request, one response over a libp2p stream: length-prefixed frames
 * (it-length-prefixed), a size limit on what we read, and a deadline that
 * aborts the stream. Built with it-pipe as the libp2p protocols are.
 */
import type { Stream } from '@libp2p/interface'
import * as lp from 'it-length-prefixed'
import { pipe } from 'it-pipe'

export class RpcTimeoutError extends Error {
  override readonly name = 'RpcTimeoutError'
  readonly code = 'RPC_TIMEOUT'
}

function abortOn (stream: Stream, signal: AbortSignal): () => void {
  const onAbort = (): void => stream.abort(new RpcTimeoutError('stream deadline passed'))
  if (signal.aborted) onAbort()
  signal.addEventListener('abort', onAbort, { once: true })
  return () => signal.removeEventListener('abort', onAbort)
}

/** Send `request`, read one response frame of at most `responseBytesMax`. */
export async function requestOnce (stream: Stream, request: Uint8Array, responseBytesMax: number, options: { signal: AbortSignal }): Promise<Uint8Array> {
  const release = abortOn(stream, options.signal)
  try {
    return await pipe(
      [request],
      (source) => lp.encode(source),
      stream,
      (source) => lp.decode(source, { maxDataLength: responseBytesMax }),
      async (source) => {
        for await (const frame of source) return frame.subarray()
        throw new Error('stream closed before a response arrived')
      }
    )
  } finally {
    release()
  }
}

/** Read one request frame of at most `requestBytesMax`, answer it with `respond`'s bytes. */
export async function respondOnce (stream: Stream, requestBytesMax: number, respond: (request: Uint8Array) => Promise<Uint8Array>, options: { signal: AbortSignal }): Promise<void> {
  const release = abortOn(stream, options.signal)
  try {
    await pipe(
      stream,
      (source) => lp.decode(source, { maxDataLength: requestBytesMax }),
      async function * (source) {
        for await (const frame of source) {
          yield await respond(frame.subarray())
          return
        }
      },
      (source) => lp.encode(source),
      stream
    )
  } finally {
    release()
  }
}
