import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Entry } from '../../agent/core/index.js'
import { encodeGossip, encodeSyncFrame } from '../../protocols/index.js'
import type { SimSyncFrame } from '../../sim/sizes.js'
import { gossipPayloadBytes, syncPayloadBytes } from '../../sim/sizes.js'
import { syncFrameArb } from '../protocols/arbitraries.js'

const HLC = 600_000_000_000 * 4096

function entry (key: string, value: Entry['value'], origin = 'n00123'): Entry {
  return { key, value, hlc: HLC, origin, prev: HLC - 4_096_000 }
}

describe('sim: sizes', () => {
  it.each([
    ['a suspicion', [entry('member/n00456', { incarnation: 3, status: 'suspect' })]],
    ['a refutation', [entry('member/n00123', { incarnation: 4, status: 'alive' })]],
    ['a workload write', [entry('node/n00123/app2', { seq: 123, pad: 'x'.repeat(64) })]],
    ['a delete', [entry('node/n00123/app1', null)]],
    ['start writes', [entry('member/n00123', { incarnation: 1, status: 'alive' }), entry('node/n00123/caps', { role: 'container', labels: {}, services: [] })]],
    ['30 entries', Array.from({ length: 30 }, (_, i) => entry(`node/n00123/app${i}`, i))]
  ])('should charge a gossip payload of %s exactly as the runtime encodes it', (_name, entries) => {
    expect(gossipPayloadBytes('n00123', entries)).toBe(encodeGossip({ v: 1, from: 'n00123', entries }).length)
  })

  it('should charge every sync frame exactly as the runtime encodes it', () => {
    fc.assert(fc.property(syncFrameArb, (f) => {
      if (f.t === 'error') return
      expect(syncPayloadBytes(f as SimSyncFrame)).toBe(encodeSyncFrame(f).length)
    }), { numRuns: 1000 })
  })

  it('should charge a 10,000-node hello of 16 buckets as the runtime encodes it', () => {
    const f: SimSyncFrame = { t: 'hello', bucketCount: 1024, buckets: Array.from({ length: 16 }, (_, i) => (i * 0x9e37_79b9) >>> 0) }
    expect(syncPayloadBytes(f)).toBe(encodeSyncFrame(f).length)
  })
})
