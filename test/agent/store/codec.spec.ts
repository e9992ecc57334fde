import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Entry, Value } from '../../../agent/core/index.js'
import { decodeEntry, decodeVersion, encodeEntry, encodeVersion, entryDbKey, versionDbKey } from '../../../agent/store/codec.js'
import { countEntryOps, WriteQueue } from '../../../agent/store/write-queue.js'
import { heartbeatEntry } from '../../helpers/store-fixtures.js'

const stamp = fc.maxSafeNat()
const name = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/)

describe('store: codec', () => {
  it('decode(encode(entry)) equals the entry for any JSON value and stamps', () => {
    fc.assert(fc.property(fc.jsonValue(), stamp, stamp, name, name, (value, hlc, prev, origin, field) => {
      // JSON has no -0: compare against the value as JSON carries it.
      const e: Entry = { key: `node/${origin}/${field}`, value: JSON.parse(JSON.stringify(value)) as Value, hlc, origin, prev }
      expect(decodeEntry(entryDbKey(e.key), encodeEntry(e))).toEqual(e)
    }))
  })

  it('decode(encode(version)) equals the version', () => {
    fc.assert(fc.property(name, stamp, stamp, (origin, upTo, max) => {
      expect(decodeVersion(versionDbKey(origin), encodeVersion([origin, upTo, max]))).toEqual([origin, upTo, max])
    }))
  })

  it.each([
    ['not JSON', '[1,'],
    ['an object', '{"value":1}'],
    ['a negative hlc', '[1,-1,"a",0]'],
    ['a missing field', '[1,1,"a"]']
  ])('should reject an entry record that is %s', (_what, raw) => {
    expect(() => decodeEntry('e:node/a/x', raw)).toThrow(expect.objectContaining({ name: 'StoreCorruptError', code: 'STORE_CORRUPT' }))
  })
})

describe('store: write queue', () => {
  it('should keep one write per key, the last one, with deletes applied after entries', () => {
    const q = new WriteQueue()
    q.add({ entries: [heartbeatEntry('a', 'x', 1, 0), heartbeatEntry('a', 'y', 2, 1)], deletes: ['node/a/y'], versions: [['a', 1, 2]], hlc: 2, incarnation: 1 })
    q.add({ entries: [heartbeatEntry('a', 'x', 3, 2)], deletes: [], versions: [['a', 3, 3]], hlc: 3, incarnation: 1 })
    const batch = q.take()
    expect([...batch.ops]).toEqual([
      ['e:node/a/x', encodeEntry(heartbeatEntry('a', 'x', 3, 2))],
      ['e:node/a/y', undefined],
      ['v:a', '[3,3]']
    ])
    expect(countEntryOps(batch.ops)).toBe(2)
    expect(q.size).toBe(0)
  })

  it('should keep the maximum hlc and incarnation', () => {
    const q = new WriteQueue()
    q.add({ entries: [], deletes: [], versions: [], hlc: 9, incarnation: 2 })
    q.add({ entries: [], deletes: [], versions: [], hlc: 4, incarnation: 5 })
    expect([q.hlc, q.incarnation]).toEqual([9, 5])
  })

  it('should leave the queue unchanged when a value cannot be encoded', () => {
    const q = new WriteQueue()
    const bad = { ...heartbeatEntry('a', 'y', 2, 1), value: 1n as unknown as Value }
    expect(() => { q.add({ entries: [heartbeatEntry('a', 'x', 1, 0), bad], deletes: [], versions: [], hlc: 2, incarnation: 1 }) }).toThrow(TypeError)
    expect([q.size, q.hlc]).toEqual([0, 0])
  })

  it('should put a failed batch back under writes queued since', () => {
    const q = new WriteQueue()
    q.add({ entries: [heartbeatEntry('a', 'x', 1, 0), heartbeatEntry('a', 'y', 2, 1)], deletes: [], versions: [], hlc: 2, incarnation: 1 })
    const failed = q.take()
    q.add({ entries: [], deletes: ['node/a/x'], versions: [], hlc: 3, incarnation: 1 })
    q.restore(failed)
    expect(Object.fromEntries(q.take().ops)).toEqual({ 'e:node/a/x': undefined, 'e:node/a/y': encodeEntry(heartbeatEntry('a', 'y', 2, 1)) })
  })
})
