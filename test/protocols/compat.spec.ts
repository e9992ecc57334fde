/**
 * `protocols/` declares its wire types itself, because it may not import the
 * core. These tests hold the two together: the types are mutually
 * assignable, the shared limits agree, and what the core produces survives
 * the codec unchanged.
 */
import fc from 'fast-check'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as core from '../../agent/core/index.js'
import type * as C from '../../agent/core/index.js'
import * as wire from '../../protocols/index.js'
import type * as W from '../../protocols/index.js'
import { replicaOf, writesArb } from '../helpers/writes.js'

/** True when A and B are assignable to each other. */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false

const typesAgree: [
  Mutual<C.Entry, W.Entry>,
  Mutual<C.Value, W.Value>,
  Mutual<C.OriginVersion, W.OriginVersion>,
  Mutual<C.SyncHello, W.SyncHello>,
  Mutual<C.SyncDigest, W.SyncDigest>,
  Mutual<C.SyncWant, W.SyncWant>,
  Mutual<C.SyncVersions, W.SyncVersions>,
  Mutual<C.SyncPush, W.SyncPush>,
  Mutual<C.SyncDelta, W.SyncDelta>,
  Mutual<C.Channel, W.Channel>,
  Mutual<C.NodeName, W.NodeName>,
  Mutual<C.PeerIdStr, W.PeerIdStr>
] = [true, true, true, true, true, true, true, true, true, true, true, true]

function roundTrip (frame: W.SyncFrame): W.SyncFrame {
  const r = wire.decodeSyncFrame(wire.encodeSyncFrame(frame))
  if (!r.ok) throw new Error(r.reason)
  return r.value
}

describe('protocols: compatibility with the core', () => {
  it('should declare wire types the core\'s types are assignable to and from', () => {
    expect(typesAgree.every(Boolean)).toBe(true)
  })

  it('should share the core\'s grammar limits', () => {
    expect(wire.ENTRY_KEY_LENGTH_MAX).toBe(core.constants.ENTRY_KEY_LENGTH_MAX)
    expect(wire.NODE_NAME_LENGTH_MAX).toBe(core.constants.NODE_NAME_LENGTH_MAX)
    expect(wire.SYNC_BUCKETS_MAX).toBe(core.constants.DIGEST_BUCKETS_FINE)
    expect(core.constants.SYNC_DELTA_ENTRIES_MAX).toBeLessThanOrEqual(wire.SYNC_FRAME_ENTRIES_MAX)
  })

  it('should accept exactly the node names the core accepts', () => {
    const nameArb = fc.oneof(fc.string({ maxLength: 70 }), fc.stringMatching(/^[A-Za-z0-9._-]{0,70}$/))
    fc.assert(fc.property(nameArb, (name) => {
      const viaWire = wire.validateEntry({ key: 'k', value: null, hlc: 2, origin: name, prev: 1 }).ok
      expect(viaWire).toBe(core.isNodeName(name))
    }), { numRuns: 2000 })
  })

  // Origin counts of 1..2000 give rounds at 1..256 fine buckets, with hellos of 1..16 top buckets:
  // hellos at the fine level (answered with versions) and above it (answered with a digest).
  it('should carry a full core sync round unchanged', () => {
    fc.assert(fc.property(writesArb, writesArb, fc.integer({ min: 1, max: 2000 }), fc.constantFrom(1, 2, 16), (a, b, origins, helloBuckets) => {
      const q = replicaOf(a)
      const r = replicaOf(b)
      const hello = core.syncHello(q, Math.max(q.originCount, r.originCount, origins), helloBuckets)
      expect(roundTrip({ t: 'hello', ...hello })).toEqual({ t: 'hello', ...hello })
      const answer = core.syncAnswer(r, hello)
      expect(roundTrip(answer)).toEqual(answer)
      const want = answer.t === 'digest' ? core.syncWant(q, answer) : undefined
      if (want !== undefined) expect(roundTrip({ t: 'want', ...want })).toEqual({ t: 'want', ...want })
      const versions: C.SyncVersions = want !== undefined ? core.syncWanted(r, want) : answer as C.SyncVersions
      if (versions.buckets.length === 0) return
      expect(roundTrip({ t: 'versions', ...versions })).toEqual({ t: 'versions', ...versions })
      const push = core.syncPush(q, versions)
      expect(roundTrip({ t: 'push', ...push })).toEqual({ t: 'push', ...push })
      const delta = core.syncDelta(r, push)
      expect(roundTrip({ t: 'delta', ...delta })).toEqual({ t: 'delta', ...delta })
    }), { numRuns: 200 })
  })

  it('should carry every core write through gossip from its origin unchanged', () => {
    fc.assert(fc.property(writesArb, (writes) => {
      const entries = [...replicaOf(writes).all()]
      for (const origin of new Set(entries.map((e) => e.origin))) {
        const own = entries.filter((e) => e.origin === origin)
        const received = wire.encodeGossipBatches(origin, own, { bytesMax: 512 }).flatMap((bytes) => {
          const r = wire.decodeGossip(bytes)
          return r.ok ? r.value.entries : []
        })
        expect(received).toEqual(own)
      }
    }), { numRuns: 200 })
  })

  it('should import nothing but cborg and its own files', () => {
    const dir = join(import.meta.dirname, '../../protocols')
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8')
      for (const [, spec] of source.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)) {
        expect(spec, `${file} imports ${spec}`).toMatch(/^(\.\/[a-z-]+\.js|cborg|cborg\/(length|interface))$/)
      }
    }
  })
})
