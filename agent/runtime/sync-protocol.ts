/**
 * Anti-entropy over `/hauki-mesh/sync/2.0.0`: up to three request/response
 * exchanges, each on its own stream (see core/sync.ts for the round):
 *
 *   hello -> versions      compare top digests; stop if they agree
 *         or digest        the peer's fine digests under the top buckets that differ
 *   want  -> versions      (after a digest) the peer's versions in the fine buckets that differ
 *   push  -> delta         send what the peer misses, receive what we miss
 *
 * Every frame is size-limited and validated; a peer that sends garbage gets
 * an error frame, is counted, and changes nothing.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { AgentRuntime } from './agent.js'
import { SYNC_EXCHANGE_TIMEOUT_MS } from './constants.js'
import { requestOnce, respondOnce } from './stream-rpc.js'
import * as wire from './wire.js'

export async function handleSync (rt: AgentRuntime, stream: Stream, _conn: Connection): Promise<void> {
  try {
    await respondOnce(stream, wire.SYNC_FRAME_BYTES_MAX, async (bytes) => {
      const frame = wire.decodeSyncFrame(bytes)
      if (!frame.ok) {
        rt.counters.rejected('sync', frame.reason)
        return wire.encodeSyncFrame({ t: 'error', reason: frame.reason })
      }
      const f = frame.value
      switch (f.t) {
        case 'hello':
          return wire.encodeSyncFrame(rt.core.syncAnswer(f))
        case 'want':
          return wire.encodeSyncFrame({ t: 'versions', ...rt.core.syncWanted(f) })
        case 'push': {
          // Compute what the peer misses before taking in what it sent.
          const delta = rt.core.syncDelta(f)
          rt.input({ kind: 'entries', source: 'sync', entries: f.entries })
          rt.input({ kind: 'sync-advance', versions: f.complete })
          return wire.encodeSyncFrame({ t: 'delta', ...delta })
        }
        default:
          rt.counters.rejected('sync', `unexpected frame "${f.t}"`)
          return wire.encodeSyncFrame({ t: 'error', reason: `unexpected frame "${f.t}"` })
      }
    }, { signal: AbortSignal.timeout(SYNC_EXCHANGE_TIMEOUT_MS) })
  } catch (err) {
    // Oversized or broken framing, or a peer that stalls past the deadline.
    rt.counters.rejected('sync', (err as Error).name)
    stream.abort(err as Error)
  }
}

async function exchange (rt: AgentRuntime, peerId: string, frame: wire.SyncFrame): Promise<wire.SyncFrame> {
  const signal = AbortSignal.timeout(SYNC_EXCHANGE_TIMEOUT_MS)
  const stream = await rt.node.dialProtocol(peerIdFromString(peerId), wire.PROTOCOL_SYNC, { signal })
  const bytes = await requestOnce(stream, wire.encodeSyncFrame(frame), wire.SYNC_FRAME_BYTES_MAX, { signal })
  const res = wire.decodeSyncFrame(bytes)
  if (!res.ok) {
    rt.counters.rejected('sync', res.reason)
    throw new Error(`invalid sync response: ${res.reason}`)
  }
  if (res.value.t === 'error') throw new Error(`peer refused sync: ${res.value.reason}`)
  return res.value
}

/** Run one anti-entropy round with a peer, as the requester. */
export async function runSync (rt: AgentRuntime, peerId: string): Promise<void> {
  const hello = rt.core.syncHello()
  let versions = await exchange(rt, peerId, { t: 'hello', ...hello })
  if (versions.t === 'digest') {
    if (versions.bucketCount !== hello.bucketCount || versions.topCount !== hello.buckets.length) {
      const reason = `digest of ${versions.topCount}/${versions.bucketCount} buckets answers a hello of ${hello.buckets.length}/${hello.bucketCount}`
      rt.counters.rejected('sync', reason)
      throw new Error(`invalid sync response: ${reason}`)
    }
    const want = rt.core.syncWant(versions)
    if (want.buckets.length === 0) return
    versions = await exchange(rt, peerId, { t: 'want', ...want })
  }
  if (versions.t !== 'versions') throw new Error(`expected versions, got ${versions.t}`)
  if (versions.buckets.length === 0) return
  const delta = await exchange(rt, peerId, { t: 'push', ...rt.core.syncPush(versions) })
  if (delta.t !== 'delta') throw new Error(`expected delta, got ${delta.t}`)
  rt.input({ kind: 'entries', source: 'sync', entries: delta.entries })
  rt.input({ kind: 'sync-advance', versions: delta.complete })
}
