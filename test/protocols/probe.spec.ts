import fc from 'fast-check'
import { encode as rawEncode } from 'cborg'
import { describe, expect, it } from 'vitest'
import { PROBE_FRAME_BYTES_MAX, decodeProbeFrame, encodeProbeFrame, validateProbeFrame } from '../../protocols/index.js'
import type { ProbeFrame } from '../../protocols/index.js'
import { probeFrameArb } from './arbitraries.js'

const PEER = '12D3KooWGzBk3ZfN6Nc8Cyq9XkK7VZXoKCXr4DNEJuM7FGRUrLxC'
const req = (over: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ t: 'probe-req', id: 7, target: 'hauki-crm', targetPeerId: PEER, timeoutMs: 500, ...over })
const res = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ t: 'probe-res', id: 7, outcome: 'ack', rttMs: 1.25, ...over })

describe('protocols: probe frames', () => {
  it('should round-trip every valid frame (encode -> decode deep-equals)', () => {
    fc.assert(fc.property(probeFrameArb, (f) => {
      const bytes = encodeProbeFrame(f)
      expect(bytes.byteLength).toBeLessThanOrEqual(PROBE_FRAME_BYTES_MAX)
      expect(decodeProbeFrame(bytes)).toEqual({ ok: true, value: f })
    }), { numRuns: 500 })
  })

  it('should leave an absent rttMs absent', () => {
    const r = decodeProbeFrame(encodeProbeFrame({ t: 'probe-res', id: 1, outcome: 'ack', rttMs: undefined }))
    expect(r.ok && 'rttMs' in r.value).toBe(false)
  })

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown frame type', { t: 'probe', id: 1 }, 't: must be one of probe-req, probe-res'],
    ['a negative id', req({ id: -1 }), 'id: must be a safe non-negative integer'],
    ['an unsafe id', res({ id: 2 ** 53 }), 'id: must be a safe non-negative integer'],
    ['a bad target name', req({ target: 'hauki crm' }), 'target: must be a node name'],
    ['a missing target', { t: 'probe-req', id: 1, targetPeerId: PEER, timeoutMs: 500 }, 'target: is required'],
    ['a PeerId with a slash', req({ targetPeerId: '/ip4/1.2.3.4' }), 'targetPeerId: must be a PeerId string'],
    ['an empty PeerId', req({ targetPeerId: '' }), 'targetPeerId: must be a PeerId string'],
    ['a PeerId over 128 characters', req({ targetPeerId: 'a'.repeat(129) }), 'targetPeerId: must be a PeerId string'],
    ['a zero timeout', req({ timeoutMs: 0 }), 'timeoutMs: must be an integer in [1, 60000]'],
    ['a timeout over a minute', req({ timeoutMs: 60_001 }), 'timeoutMs: must be an integer in [1, 60000]'],
    ['a fractional timeout', req({ timeoutMs: 1.5 }), 'timeoutMs: must be an integer in [1, 60000]'],
    ['an unknown outcome', res({ outcome: 'maybe' }), 'outcome: must be ack or nack'],
    ['a negative rtt', res({ rttMs: -1 }), 'rttMs: must be a number in [0, 60000]'],
    ['a string rtt', res({ rttMs: '3' }), 'rttMs: must be a number in [0, 60000]'],
    ['an rtt on a nack', res({ outcome: 'nack', rttMs: 3 }), 'rttMs: must be absent when outcome is nack'],
    ['a request field on a response', res({ target: 'a' }), 'target: is not a known field']
  ])('should reject %s, naming the field', (_name, input, reason) => {
    const decoded = decodeProbeFrame(rawEncode(input))
    expect(decoded.ok ? '' : decoded.reason).toContain(reason)
    const validated = validateProbeFrame(input)
    expect(validated.ok ? '' : validated.reason).toContain(reason)
    // Encoders project: a field the schema does not know is left out, not refused.
    if (reason.endsWith('is not a known field')) expect(() => encodeProbeFrame(input as unknown as ProbeFrame)).not.toThrow()
    else expect(() => encodeProbeFrame(input as unknown as ProbeFrame)).toThrow(expect.objectContaining({ name: 'InvalidMessageError' }))
  })
})
