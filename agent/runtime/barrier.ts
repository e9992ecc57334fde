/**
 * The flush barrier of a critical pre-flight (`/hauki-mesh/barrier/1.0.0`):
 * the host asks every live member to flush its store and recorder now, and
 * waits until each answered or the deadline passed. Every agent serves it,
 * hosts and containers alike; a member that does not answer in time is
 * reported as not acknowledged, and the snapshot is taken anyway.
 */
import type { Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { BARRIER_FRAME_BYTES_MAX, BARRIER_PROTOCOL, decodeBarrierFrame, encodeBarrierFrame } from '../../protocols/index.js'
import type { NodeName } from '../core/index.js'
import type { AgentRuntime } from './agent.js'
import { BARRIER_FLUSH_TIMEOUT_MS } from './constants.js'
import { requestOnce, respondOnce } from './stream-rpc.js'

export async function registerBarrier (rt: AgentRuntime): Promise<void> {
  await rt.node.handle(BARRIER_PROTOCOL, (data) => { void handleBarrier(rt, data.stream) }, { maxInboundStreams: 8 })
}

async function handleBarrier (rt: AgentRuntime, stream: Stream): Promise<void> {
  const signal = AbortSignal.timeout(BARRIER_FLUSH_TIMEOUT_MS)
  try {
    await respondOnce(stream, BARRIER_FRAME_BYTES_MAX, async (bytes) => {
      const frame = decodeBarrierFrame(bytes)
      if (!frame.ok || frame.value.t !== 'flush') {
        const reason = frame.ok ? `unexpected frame "${frame.value.t}"` : frame.reason
        rt.counters.rejected('barrier', reason)
        throw new Error(`rejected barrier frame: ${reason}`)
      }
      const ok = await rt.flushAll({ signal }).then(() => true, () => false)
      rt.counters.inc('barrier_flushes_total')
      return encodeBarrierFrame({ t: 'flushed', id: frame.value.id, ok })
    }, { signal })
  } catch (err) {
    stream.abort(err as Error)
  }
}

/** Members other than self that this agent believes alive or suspect. */
export function liveMembers (rt: AgentRuntime): NodeName[] {
  const out: NodeName[] = []
  for (const m of rt.core.members.all()) if (m.name !== rt.name && (m.status === 'alive' || m.status === 'suspect')) out.push(m.name)
  return out.sort()
}

async function askToFlush (rt: AgentRuntime, member: NodeName, id: number, signal: AbortSignal): Promise<boolean> {
  const pid = rt.peerIdOf(member)
  if (pid === undefined) return false
  try {
    const stream = await rt.node.dialProtocol(peerIdFromString(pid), BARRIER_PROTOCOL, { signal })
    const res = decodeBarrierFrame(await requestOnce(stream, encodeBarrierFrame({ t: 'flush', id }), BARRIER_FRAME_BYTES_MAX, { signal }))
    return res.ok && res.value.t === 'flushed' && res.value.id === id && res.value.ok
  } catch {
    return false
  }
}

/** Flush here and on every live member; who acknowledged within `deadlineMs` and who did not. */
export async function runBarrier (rt: AgentRuntime, deadlineMs: number): Promise<{ acked: NodeName[], notAcked: NodeName[] }> {
  const signal = AbortSignal.timeout(deadlineMs)
  const id = Math.floor(Math.random() * 2 ** 31)
  const members = liveMembers(rt)
  const [selfOk, ...oks] = await Promise.all([
    rt.flushAll({ signal }).then(() => true, () => false),
    ...members.map(async (m) => await askToFlush(rt, m, id, signal))
  ])
  const acked: NodeName[] = selfOk === true ? [rt.name] : []
  const notAcked: NodeName[] = selfOk === true ? [] : [rt.name]
  members.forEach((m, i) => (oks[i] === true ? acked : notAcked).push(m))
  return { acked: acked.sort(), notAcked: notAcked.sort() }
}
