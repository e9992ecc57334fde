/**
 * Probe frames on PROBE_PROTOCOL: a node whose direct probe of `target` timed
 * out asks a helper for an indirect probe (SWIM's ping-req). The helper pings
 * the target and answers `ack` with its round-trip time, or `nack` when the
 * target did not answer within `timeoutMs` (Lifeguard: a nack tells the
 * requester that the helper, at least, is healthy).
 */
import { decodeWith, encodeWith, validateWith } from './codec.js'
import { PROBE_FRAME_BYTES_MAX, PROBE_RTT_MS_MAX, PROBE_TIMEOUT_MS_MAX } from './constants.js'
import { fail, intInRange, isPlainMap, nodeName, numberInRange, peerIdStr, record, safeUint } from './fields.js'
import type { Mode } from './fields.js'
import type { DecodeResult, ProbeFrame } from './types.js'

const REQUEST_FIELDS = ['t', 'id', 'target', 'targetPeerId', 'timeoutMs'] as const
const RESPONSE_FIELDS = ['t', 'id', 'outcome', 'rttMs'] as const

function probeSchema (x: unknown, mode: Mode): ProbeFrame {
  if (!isPlainMap(x)) return fail('', 'must be a map')
  if (x.t === 'probe-req') {
    const r = record(x, '', REQUEST_FIELDS, mode)
    return {
      t: 'probe-req',
      id: safeUint(r.id, 'id'),
      target: nodeName(r.target, 'target'),
      targetPeerId: peerIdStr(r.targetPeerId, 'targetPeerId'),
      timeoutMs: intInRange(r.timeoutMs, 'timeoutMs', 1, PROBE_TIMEOUT_MS_MAX)
    }
  }
  if (x.t === 'probe-res') {
    const r = record(x, '', RESPONSE_FIELDS, mode)
    const id = safeUint(r.id, 'id')
    const outcome = r.outcome
    if (outcome !== 'ack' && outcome !== 'nack') return fail('outcome', 'must be ack or nack')
    if (r.rttMs === undefined) return { t: 'probe-res', id, outcome }
    if (outcome === 'nack') return fail('rttMs', 'must be absent when outcome is nack')
    return { t: 'probe-res', id, outcome, rttMs: numberInRange(r.rttMs, 'rttMs', 0, PROBE_RTT_MS_MAX) }
  }
  return fail('t', 'must be one of probe-req, probe-res')
}

/** Encode a probe frame. Throws InvalidMessageError or MessageTooLargeError. */
export function encodeProbeFrame (frame: ProbeFrame): Uint8Array {
  return encodeWith(frame, 'probe', PROBE_FRAME_BYTES_MAX, probeSchema)
}

/** Decode a probe frame from a peer. Never throws. */
export function decodeProbeFrame (bytes: Uint8Array): DecodeResult<ProbeFrame> {
  return decodeWith(bytes, PROBE_FRAME_BYTES_MAX, probeSchema)
}

/** Check an in-memory value against the probe frame schema, exactly as decodeProbeFrame would. */
export function validateProbeFrame (x: unknown): DecodeResult<ProbeFrame> {
  return validateWith(x, probeSchema)
}
