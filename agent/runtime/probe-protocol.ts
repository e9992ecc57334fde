/**
 * Indirect probes (`/hauki-mesh/probe/1.0.0`): a member whose direct probe
 * of a target timed out asks a helper to ping the target for it. The helper
 * answers `ack` (the target answered) or `nack` (it did not): Lifeguard
 * counts missing nacks against the asker's own health.
 */
import type { Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { AgentRuntime } from './agent.js'
import { INDIRECT_PROBE_SLACK_MS } from './constants.js'
import { requestOnce, respondOnce } from './stream-rpc.js'
import * as wire from './wire.js'

export async function handleProbe (rt: AgentRuntime, stream: Stream): Promise<void> {
  try {
    await respondOnce(stream, wire.PROBE_FRAME_BYTES_MAX, async (bytes) => {
      const req = wire.decodeProbeFrame(bytes)
      if (!req.ok || req.value.t !== 'probe-req') {
        const reason = req.ok ? `unexpected frame "${req.value.t}"` : req.reason
        rt.counters.rejected('probe', reason)
        throw new Error(`rejected probe request: ${reason}`)
      }
      const { id, targetPeerId, timeoutMs } = req.value
      try {
        const rttMs = await rt.pings.ping(peerIdFromString(targetPeerId), AbortSignal.timeout(timeoutMs))
        return wire.encodeProbeFrame({ t: 'probe-res', id, outcome: 'ack', rttMs })
      } catch {
        return wire.encodeProbeFrame({ t: 'probe-res', id, outcome: 'nack' })
      }
    }, { signal: AbortSignal.timeout(wire.PROBE_TIMEOUT_MS_MAX + INDIRECT_PROBE_SLACK_MS) })
  } catch (err) {
    // A helper that could not answer in time (or a stream that broke) is not a peer sending garbage.
    if (!(err as Error).message.startsWith('rejected probe request')) rt.counters.inc(`probe_stream_errors_total{error="${(err as Error).name}"}`)
    stream.abort(err as Error)
  }
}

/** Ask `helperPeerId` to probe the target; undefined when the helper itself did not answer. */
export async function requestIndirectProbe (rt: AgentRuntime, helperPeerId: string, target: string, targetPeerId: string, timeoutMs: number): Promise<'ack' | 'nack' | undefined> {
  try {
    const signal = AbortSignal.timeout(Math.ceil(timeoutMs) + INDIRECT_PROBE_SLACK_MS)
    const id = Math.floor(Math.random() * 2 ** 31)
    const stream = await rt.node.dialProtocol(peerIdFromString(helperPeerId), wire.PROTOCOL_PROBE, { signal })
    const probeTimeoutMs = Math.min(Math.max(1, Math.floor(timeoutMs)), wire.PROBE_TIMEOUT_MS_MAX)
    const bytes = await requestOnce(stream, wire.encodeProbeFrame({ t: 'probe-req', id, target, targetPeerId, timeoutMs: probeTimeoutMs }), wire.PROBE_FRAME_BYTES_MAX, { signal })
    const res = wire.decodeProbeFrame(bytes)
    if (!res.ok || res.value.t !== 'probe-res' || res.value.id !== id) {
      rt.counters.rejected('probe', res.ok ? 'response does not match the request' : res.reason)
      return undefined
    }
    return res.value.outcome
  } catch {
    return undefined
  }
}
