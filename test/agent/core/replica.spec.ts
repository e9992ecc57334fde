import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AgentCore, NameTable, Replica, UndoLog, VersionBank, seededRng, syncAnswer, syncDelta, syncHello, syncPush, syncVersions, syncWant, syncWanted } from '../../../agent/core/index.js'
import type { Entry } from '../../../agent/core/index.js'
import { replicaOf, stateOf, writesArb } from '../../helpers/writes.js'

/** Merge state b into a copy of state a (a state is the set of writes it was built from). */
function join (a: Entry[], b: Entry[]): Replica {
  const r = replicaOf(a)
  for (const e of replicaOf(b).all()) r.merge(e)
  return r
}

/**
 * One full push-pull round from q to r, as the runtime runs it over streams.
 * `originsMin` raises the round's fine level (a fleet larger than the test's
 * few origins), `helloBuckets` the hello's top level: with fewer hello
 * buckets than fine ones, the round descends through a digest and a want.
 */
function syncRound (q: Replica, r: Replica, originsMin = 0, helloBuckets?: number): 'agreed' | 'descended' | 'direct' {
  const answer = syncAnswer(r, syncHello(q, Math.max(q.originCount, r.originCount, originsMin), helloBuckets))
  const versions = answer.t === 'versions' ? answer : syncWanted(r, syncWant(q, answer))
  if (versions.buckets.length === 0) return 'agreed'
  const push = syncPush(q, versions)
  const delta = syncDelta(r, push)
  for (const e of push.entries) r.merge(e)
  for (const [o, upTo] of push.complete) r.advance(o, upTo)
  for (const e of delta.entries) q.merge(e)
  for (const [o, upTo] of delta.complete) q.advance(o, upTo)
  return answer.t === 'digest' ? 'descended' : 'direct'
}

describe('replicated state: merge laws', () => {
  it('merge is commutative', () => {
    fc.assert(fc.property(writesArb, writesArb, (a, b) => {
      expect(stateOf(join(a, b))).toEqual(stateOf(join(b, a)))
    }), { numRuns: 300 })
  })

  it('merge is associative', () => {
    fc.assert(fc.property(writesArb, writesArb, writesArb, (a, b, c) => {
      const left = join([...replicaOf(a).all(), ...replicaOf(b).all()], c)
      const right = join(a, [...replicaOf(b).all(), ...replicaOf(c).all()])
      expect(stateOf(left)).toEqual(stateOf(right))
    }), { numRuns: 300 })
  })

  it('merge is idempotent', () => {
    fc.assert(fc.property(writesArb, (a) => {
      const once = replicaOf(a)
      const twice = replicaOf(a)
      for (const e of replicaOf(a).all()) twice.merge(e)
      expect(stateOf(twice)).toEqual(stateOf(once))
    }), { numRuns: 300 })
  })

  it('should hold identical state after receiving the same writes in any order, with duplicates', () => {
    fc.assert(fc.property(writesArb, fc.integer(), (writes, seed) => {
      const rng = seededRng(seed)
      const delivery = [...writes, ...writes.filter(() => rng.next() < 0.3)]
      for (let i = delivery.length - 1; i > 0; i--) {
        const j = rng.int(i + 1)
        ;[delivery[i], delivery[j]] = [delivery[j] as Entry, delivery[i] as Entry]
      }
      const inOrder = replicaOf(writes)
      const shuffled = replicaOf(delivery)
      expect(stateOf(shuffled)).toEqual(stateOf(inOrder))
      expect(shuffled.fingerprint()).toBe(inOrder.fingerprint())
      // Every write arrived, so every origin's chain is complete up to its last write.
      const lastByOrigin = new Map<string, number>()
      for (const w of writes) lastByOrigin.set(w.origin, w.hlc)
      for (const [origin, last] of lastByOrigin) expect(shuffled.versionOf(origin)[1]).toBe(last)
    }), { numRuns: 300 })
  })

  it('should keep the SWIM precedence for member entries regardless of stamps', () => {
    const r = new Replica()
    r.merge({ key: 'member/b', value: { incarnation: 2, status: 'alive' }, hlc: 500, origin: 'b', prev: 0 })
    // An older stamp, but suspect at the same incarnation outranks alive.
    expect(r.merge({ key: 'member/b', value: { incarnation: 2, status: 'suspect' }, hlc: 100, origin: 'a', prev: 0 }).kind).toBe('applied')
    // A refutation needs a higher incarnation.
    expect(r.merge({ key: 'member/b', value: { incarnation: 2, status: 'alive' }, hlc: 900, origin: 'b', prev: 500 }).kind).toBe('stale')
    expect(r.merge({ key: 'member/b', value: { incarnation: 3, status: 'alive' }, hlc: 950, origin: 'b', prev: 900 }).kind).toBe('applied')
    expect(r.get('member/b')?.value).toEqual({ incarnation: 3, status: 'alive' })
  })
})

describe('replicated state: anti-entropy', () => {
  it.each<[string, number, number | undefined]>([
    ['hellos at the fine level', 0, undefined],
    ['1,024 fine buckets, hellos of 16 top buckets', 10_000, 16],
    ['128 fine buckets, hellos of one top bucket', 1_000, 1]
  ])('should converge with nothing lost after random gossip loss plus repair rounds (%s)', (_name, originsMin, helloBuckets) => {
    let descended = 0
    fc.assert(fc.property(writesArb, fc.integer(), fc.integer({ min: 2, max: 5 }), fc.double({ min: 0, max: 0.9, noNaN: true }), (writes, seed, replicas, loss) => {
      const rng = seededRng(seed)
      const rs = Array.from({ length: replicas }, () => new Replica())
      for (const w of writes) {
        // The writer always holds its own write; others get it through lossy gossip.
        const writer = rng.int(replicas)
        for (let i = 0; i < replicas; i++) if (i === writer || rng.next() >= loss) (rs[i] as Replica).merge(w)
      }
      const truth = stateOf(replicaOf(writes))
      for (let round = 0; round < 4 * replicas; round++) {
        const q = rs[round % replicas] as Replica
        const r = rs[(round + 1 + rng.int(replicas - 1)) % replicas] as Replica
        if (syncRound(q, r, originsMin, helloBuckets) === 'descended') descended++
      }
      for (const r of rs) expect(stateOf(r)).toEqual(truth)
    }), { numRuns: 200 })
    // The rows above the fine level did go through digests and wants.
    if (helloBuckets !== undefined) expect(descended).toBeGreaterThan(0)
    else expect(descended).toBe(0)
  })

  it('should end a round between equal states after the hello, whose digest is the top buckets only', () => {
    fc.assert(fc.property(writesArb, (writes) => {
      const a = replicaOf(writes)
      const b = replicaOf([...writes].reverse())
      const hello = syncHello(a, 10_000)
      expect(hello).toEqual({ bucketCount: 1024, buckets: a.digest(16) })
      expect(syncAnswer(b, hello)).toEqual({ t: 'versions', bucketCount: 1024, buckets: [], versions: [] })
    }), { numRuns: 100 })
  })

  it('should descend only into the top buckets that differ and want exactly the fine buckets that differ', () => {
    fc.assert(fc.property(writesArb, writesArb, (a, b) => {
      const q = replicaOf(a)
      const r = replicaOf([...a, ...b])
      const fineDiffering = syncVersions(r, { bucketCount: 1024, buckets: q.digest(1024) }).buckets
      const answer = syncAnswer(r, syncHello(q, 10_000))
      if (fineDiffering.length === 0) {
        expect(answer.t).toBe('versions')
        return
      }
      if (answer.t !== 'digest') throw new Error('expected a digest')
      const top = [...new Set(fineDiffering.map((i) => i % 16))].sort((x, y) => x - y)
      expect(answer).toEqual({ t: 'digest', bucketCount: 1024, topCount: 16, top, buckets: answer.buckets })
      expect(answer.buckets).toHaveLength(top.length * 64)
      // Fine bucket top + 16 k, k = 0..63, under each listed top bucket.
      expect(answer.buckets).toEqual(top.flatMap((t) => Array.from({ length: 64 }, (_, k) => r.digest(1024)[t + 16 * k])))
      const want = syncWant(q, answer)
      expect(want).toEqual({ bucketCount: 1024, buckets: fineDiffering })
      expect(syncWanted(r, want)).toEqual(syncVersions(r, { bucketCount: 1024, buckets: q.digest(1024) }))
    }), { numRuns: 200 })
  })

  it('should want nothing when the digest it descended into already agrees (its state moved on meanwhile)', () => {
    const q = new Replica()
    const r = new Replica()
    r.merge({ key: 'node/a/x', value: 1, hlc: 10, origin: 'a', prev: 0 })
    const answer = syncAnswer(r, syncHello(q, 10_000))
    expect(answer.t).toBe('digest')
    q.merge({ key: 'node/a/x', value: 1, hlc: 10, origin: 'a', prev: 0 })
    expect(syncWant(q, answer as Extract<typeof answer, { t: 'digest' }>).buckets).toEqual([])
  })

  it('should send only what the other side misses', () => {
    const q = new Replica()
    const r = new Replica()
    let prev = 0
    for (let i = 1; i <= 100; i++) {
      const e: Entry = { key: `node/a/f${i}`, value: i, hlc: i * 10, origin: 'a', prev }
      prev = e.hlc
      q.merge(e)
      if (i <= 90) r.merge(e)
    }
    const versions = syncVersions(r, syncHello(q, 1))
    expect(versions.versions).toEqual([['a', 900, 900]])
    const push = syncPush(q, versions)
    expect(push.entries.map((e) => e.hlc)).toEqual([910, 920, 930, 940, 950, 960, 970, 980, 990, 1000])
    expect(syncDelta(r, push).entries).toEqual([])
  })

  it('should find nothing to exchange between identical states', () => {
    fc.assert(fc.property(writesArb, (writes) => {
      const a = replicaOf(writes)
      const b = replicaOf([...writes].reverse())
      expect(syncVersions(b, syncHello(a, a.originCount)).buckets).toEqual([])
    }), { numRuns: 100 })
  })

  it('should repair a gap whose write was superseded before it arrived', () => {
    const q = new Replica()
    const r = new Replica()
    const w1: Entry = { key: 'node/a/x', value: 1, hlc: 10, origin: 'a', prev: 0 }
    const w2: Entry = { key: 'node/a/x', value: 2, hlc: 20, origin: 'a', prev: 10 }
    r.merge(w1)
    r.merge(w2)
    q.merge(w2) // w1 was lost and will never be resent: it is superseded everywhere
    expect(q.versionOf('a')).toEqual(['a', 0, 20])
    syncRound(q, r)
    expect(q.versionOf('a')).toEqual(['a', 20, 20])
    expect(syncVersions(r, syncHello(q, 1)).buckets).toEqual([])
  })

  it('should collect tombstones only after the grace period', () => {
    const r = new Replica()
    const wallMs = Date.UTC(2026, 0, 1)
    const hlc = (wallMs - 1_704_067_200_000) * 4096
    r.merge({ key: 'snapshot/s1', value: null, hlc, origin: 'a', prev: 0 })
    expect(r.collectTombstones(wallMs + 999, 1000)).toEqual([])
    expect(r.collectTombstones(wallMs + 1000, 1000)).toEqual(['snapshot/s1'])
    expect(r.get('snapshot/s1')).toBeUndefined()
    // The delete stays "seen": the old write is not fetched again.
    expect(r.versionOf('a')[1]).toBe(hlc)
  })

  it.each([
    ['a node key written by another node', { key: 'node/b/caps', value: 1, hlc: 5, origin: 'a', prev: 0 }, 'may only be written by b'],
    ['alive declared for someone else', { key: 'member/b', value: { incarnation: 9, status: 'alive' }, hlc: 5, origin: 'a', prev: 0 }, 'only b may declare itself alive'],
    ['an unknown key family', { key: 'weird/x', value: 1, hlc: 5, origin: 'a', prev: 0 }, 'unknown key family'],
    ['a malformed member value', { key: 'member/b', value: 'dead', hlc: 5, origin: 'a', prev: 0 }, 'member value'],
    ['prev not older than hlc', { key: 'node/a/x', value: 1, hlc: 5, origin: 'a', prev: 5 }, 'prev must be older'],
    ['an invalid origin', { key: 'node/a/x', value: 1, hlc: 5, origin: '../a', prev: 0 }, 'origin']
  ])('should reject %s', (_name, entry, reason) => {
    const r = new Replica()
    const outcome = r.merge(entry as Entry)
    expect(outcome.kind).toBe('rejected')
    expect(outcome.kind === 'rejected' ? outcome.reason : '').toContain(reason)
    expect(r.size).toBe(0)
  })
})

describe('replicated state: layout', () => {
  it('should send an origin its writes in its own write order, verdicts on others and keys outside the row included', () => {
    const q = new Replica()
    const writes: Entry[] = [
      { key: 'node/a/caps', value: 1, hlc: 10, origin: 'a', prev: 0 },
      { key: 'member/a', value: { incarnation: 1, status: 'alive' }, hlc: 20, origin: 'a', prev: 10 },
      { key: 'node/a/app1', value: 2, hlc: 30, origin: 'a', prev: 20 },
      { key: 'member/b', value: { incarnation: 1, status: 'suspect' }, hlc: 40, origin: 'a', prev: 30 },
      { key: 'node/a/caps', value: 3, hlc: 50, origin: 'a', prev: 40 },
      { key: 'node/b/heartbeat', value: 4, hlc: 15, origin: 'b', prev: 0 }
    ]
    for (const e of [...writes].reverse()) q.merge(e)
    const all = syncPush(q, syncVersions(new Replica(), syncHello(q, 2)))
    const ofA = all.entries.filter((e) => e.origin === 'a')
    expect(ofA.map((e) => e.hlc)).toEqual([20, 30, 40, 50])
    expect(all.entries.filter((e) => e.origin === 'b').map((e) => e.hlc)).toEqual([15])
    // b refutes: the member/b slot moves from a's writes to b's.
    q.merge({ key: 'member/b', value: { incarnation: 2, status: 'alive' }, hlc: 60, origin: 'b', prev: 15 })
    const after = syncPush(q, syncVersions(new Replica(), syncHello(q, 2)))
    expect(after.entries.filter((e) => e.origin === 'a').map((e) => e.hlc)).toEqual([20, 30, 50])
    expect(after.entries.filter((e) => e.origin === 'b').map((e) => e.hlc)).toEqual([15, 60])
    expect(q.size).toBe(5)
  })

  it('should hold the same state whether names are interned in a table of its own or one shared with other replicas', () => {
    fc.assert(fc.property(writesArb, writesArb, (a, b) => {
      const names = new NameTable()
      const left = new Replica(names)
      const right = new Replica(names)
      for (const e of b) right.merge(e)
      for (const e of a) left.merge(e)
      expect(stateOf(left)).toEqual(stateOf(replicaOf(a)))
      expect(left.versions()).toEqual(replicaOf(a).versions())
      expect(stateOf(right)).toEqual(stateOf(replicaOf(b)))
    }), { numRuns: 200 })
  })

  it('should log what each change replaced, so rolling the log back gives the state it was attached to', () => {
    fc.assert(fc.property(writesArb, writesArb, (before, after) => {
      const r = replicaOf(before)
      const entriesThen = stateOf(r)
      const versionsThen = new Map(r.versions().map(([o, upTo, max]) => [o, [upTo, max]]))
      const log = new UndoLog()
      r.undo = log
      for (const e of after) r.merge(e)
      r.collectTombstones(Number.MAX_SAFE_INTEGER, 0)
      const entries = new Map([...r.all()].map((e) => [e.key, e]))
      for (let i = log.changeCount - 1; i >= 0; i--) {
        const e = log.entryAt(i)
        if (e === undefined) entries.delete(log.keyAt(i))
        else entries.set(e.key, e)
      }
      const versions = new Map(r.versions().map(([o, upTo, max]) => [o, [upTo, max]]))
      for (let i = log.origins.length - 1; i >= 0; i--) {
        const upTo = log.upToAt(i)
        if (upTo < 0) versions.delete(log.origins[i] as string)
        else versions.set(log.origins[i] as string, [upTo, log.maxAt(i)])
      }
      expect(Object.fromEntries([...entries].sort(([x], [y]) => (x < y ? -1 : 1)))).toEqual(entriesThen)
      expect(versions).toEqual(versionsThen)
    }), { numRuns: 300 })
  })
})

describe('replicated state: copies', () => {
  it('should restore from a copy of a replica as from its entries and versions', () => {
    fc.assert(fc.property(writesArb, (writes) => {
      const names = new NameTable()
      const template = new Replica(names)
      for (const w of writes) template.merge(w)
      const merged = new AgentCore({ names, name: 'b', rng: seededRng(1) })
      merged.restore(template.all(), template.versions(), 0)
      const copied = new AgentCore({ names, name: 'b', rng: seededRng(1) })
      copied.restoreFrom(template, 0)
      expect(stateOf(copied.replica)).toEqual(stateOf(merged.replica))
      expect(copied.replica.versions()).toEqual(template.versions())
      expect(copied.replica.digest(64)).toEqual(template.digest(64))
      expect(copied.replica.takeDirtyVersions()).toEqual(template.versions())
      expect([...copied.members.all()]).toEqual([...merged.members.all()])
      expect(copied.hlc).toBe(merged.hlc)
      // The copy is its own: writing to it leaves the template alone.
      const before = stateOf(template)
      for (const w of writes) copied.replica.merge({ ...w, hlc: w.hlc + 100_000, prev: w.hlc })
      expect(stateOf(template)).toEqual(before)
    }), { numRuns: 200 })
  })

  it('should start a restored clock after the newest stamp it holds or knows a version of, by either path', () => {
    fc.assert(fc.property(writesArb, fc.nat({ max: 3 }), (writes, ahead) => {
      const names = new NameTable()
      const template = new Replica(names)
      for (const w of writes) template.merge(w)
      // A version newer than any entry held (as a sync's `complete` can leave one).
      const first = writes[0]
      if (first !== undefined && ahead > 0) template.advance(first.origin, Math.max(...writes.map((w) => w.hlc)) + ahead)
      const newest = Math.max(0, ...[...template.all()].map((e) => e.hlc), ...template.versions().map(([, upTo, max]) => Math.max(upTo, max)))
      const merged = new AgentCore({ names, name: 'b', rng: seededRng(1) })
      merged.restore(template.all(), template.versions(), 0)
      const copied = new AgentCore({ names, name: 'b', rng: seededRng(1) })
      copied.restoreFrom(template, 0)
      expect(merged.hlc).toBe(newest === 0 ? 0 : newest + 1)
      expect(copied.hlc).toBe(merged.hlc)
    }), { numRuns: 200 })
  })
})

describe('replicated state: the shared entry pool', () => {
  it('should pool each held entry once, and let an entry go when no replica holds it', () => {
    fc.assert(fc.property(writesArb, writesArb, (a, b) => {
      const names = new NameTable()
      const left = new Replica(names)
      const right = new Replica(names)
      for (const e of a) left.merge(e)
      for (const e of b) right.merge(e)
      // Every held entry, in the rows or not; and the keys outside the rows, each once.
      const held = new Set([...left.all(), ...right.all()])
      const keyed = (r: Replica): string[] => [...r.otherEntries()].map((e) => e.key)
      const keys = new Set([...keyed(left), ...keyed(right)])
      expect(names.entries.size).toBe(held.size)
      expect(names.keys.size).toBe(keys.size)
      const copy = new Replica(names)
      copy.copyFrom(left)
      expect(names.entries.size).toBe(held.size)
      expect(names.keys.size).toBe(keys.size)
      left.dispose()
      right.dispose()
      expect(stateOf(copy)).toEqual(stateOf(replicaOf(a)))
      expect(names.keys.size).toBe(new Set(keyed(copy)).size)
      copy.dispose()
      expect(names.entries.size).toBe(0)
      expect(names.keys.size).toBe(0)
    }), { numRuns: 200 })
  })
})

describe('replicated state: keys outside the rows', () => {
  it('should not mistake a key for the one that took over its id once no replica held it', () => {
    const names = new NameTable()
    const a = new Replica(names)
    const b = new Replica(names)
    const x: Entry = { key: 'node/n1/app0', value: 1, hlc: 1_000_001, origin: 'n1', prev: 0 }
    const y: Entry = { key: 'node/n2/app0', value: 2, hlc: 1_000_001, origin: 'n2', prev: 0 }
    b.merge(x)
    // a looks x up while only b holds it
    expect(a.get(x.key)).toBeUndefined()
    b.dispose()
    expect(names.keys.size).toBe(0)
    a.merge(y)
    expect(names.keys.find(y.key)).toBe(0)
    expect(a.get(x.key)).toBeUndefined()
    expect(a.get(y.key)).toBe(y)
    expect([...a.otherEntries()]).toEqual([y])
  })

  it('should not file a key it dropped under the id another key took over meanwhile', () => {
    const names = new NameTable()
    const r = new Replica(names)
    const s = new Replica(names)
    const gone: Entry = { key: 'node/n1/app0', value: null, hlc: 1_000_001, origin: 'n1', prev: 0 }
    r.merge(gone)
    expect(r.collectTombstones(Date.UTC(2100, 0, 1), 0)).toEqual([gone.key])
    expect(names.keys.size).toBe(0)
    // Another replica takes the freed id for another key; then the first key is written again.
    const y: Entry = { key: 'node/n2/app0', value: 2, hlc: 1_000_001, origin: 'n2', prev: 0 }
    s.merge(y)
    const again: Entry = { key: gone.key, value: 3, hlc: 2_000_001, origin: 'n1', prev: 1_000_001 }
    r.merge(again)
    expect(r.get(again.key)).toBe(again)
    expect(r.get(y.key)).toBeUndefined()
    expect(names.keys.find(again.key)).not.toBe(names.keys.find(y.key))
    s.dispose()
    expect(r.get(again.key)).toBe(again)
    expect(names.keys.size).toBe(1)
  })
})

describe('replicated state: work not redone', () => {
  it('should merge entries another replica sharing its pool holds as a replica of its own would, in any order', () => {
    fc.assert(fc.property(writesArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (writes, seed) => {
      const names = new NameTable()
      const first = new Replica(names)
      for (const w of writes) first.merge(w)
      // The same entry objects, shuffled and some twice: most are pooled by now, so merge skips parsing and checking them.
      const again = seededRng(seed)
      const order = [...writes, ...writes.filter(() => again.int(2) === 0)]
      for (let i = order.length - 1; i > 0; i--) {
        const j = again.int(i + 1)
        ;[order[i], order[j]] = [order[j] as Entry, order[i] as Entry]
      }
      const shared = new Replica(names)
      const alone = new Replica()
      for (const w of order) expect(shared.merge(w)).toEqual(alone.merge(w))
      expect(stateOf(shared)).toEqual(stateOf(alone))
      expect(shared.versions()).toEqual(alone.versions())
      expect(shared.digest(1024)).toEqual(alone.digest(1024))
    }), { numRuns: 200 })
  })

  it('should still reject a malformed entry whose key another replica sharing its pool holds', () => {
    const names = new NameTable()
    const holder = new Replica(names)
    const good: Entry = { key: 'node/a/caps', value: 1, hlc: 2_000_000, origin: 'a', prev: 0 }
    expect(holder.merge(good).kind).toBe('applied')
    const other = new Replica(names)
    expect(other.merge({ ...good, origin: 'b' })).toEqual({ kind: 'rejected', reason: 'node/a/* may only be written by a' })
    expect(other.merge({ ...good, prev: good.hlc })).toEqual({ kind: 'rejected', reason: 'prev must be older than hlc' })
    expect(other.merge(good).kind).toBe('applied')
  })

  it('should give the same digest whether it is read after every write or once at the end', () => {
    fc.assert(fc.property(writesArb, (writes) => {
      const eager = new Replica()
      const lazy = new Replica()
      const digests: number[][] = []
      for (const w of writes) {
        eager.merge(w)
        lazy.merge(w)
        digests.push(eager.digest(1024))
      }
      expect(lazy.digest(1024)).toEqual(digests[digests.length - 1])
      expect(lazy.digest(16)).toEqual(eager.digest(16))
      expect(lazy.digest(1)).toEqual(eager.digest(1))
      // A copy of a replica whose digest was never read holds the same digest.
      const names = new NameTable()
      const source = new Replica(names)
      for (const w of writes) source.merge(w)
      const copy = new Replica(names)
      copy.copyFrom(source)
      expect(copy.digest(1024)).toEqual(eager.digest(1024))
    }), { numRuns: 200 })
  })

  it('should give the same digest and dirty versions when a run of merges leaves hashing to its end', () => {
    fc.assert(fc.property(writesArb, fc.nat(), (writes, cut) => {
      const eager = new Replica()
      const held = new Replica()
      // Some merges before, a held run, then more merges (each alone, hashed at once).
      const from = cut % (writes.length + 1)
      const to = from + ((cut >> 4) % (writes.length - from + 1))
      writes.forEach((w, i) => {
        eager.merge(w)
        if (i === from) held.holdHashes()
        held.merge(w)
        if (i === to - 1) held.settleHashes()
      })
      if (to <= from || to > writes.length) held.settleHashes()
      for (const buckets of [1024, 16, 1]) expect(held.digest(buckets)).toEqual(eager.digest(buckets))
      expect(held.differingBuckets(eager.digest(16))).toEqual([])
      expect(held.takeDirtyVersions()).toEqual(eager.takeDirtyVersions())
    }), { numRuns: 200 })
  })
})

describe('replicated state: version banks', () => {
  /** Everything a replica tells about its state and versions, for comparing two. */
  function told (r: Replica): unknown {
    return { state: stateOf(r), versions: r.versions(), digest: r.digest(1024), top: r.digest(16), newest: r.newestStamp(), size: r.size, origins: r.originCount }
  }

  it('should keep versions in a bank as in columns of its own, also once it outgrows the bank', () => {
    fc.assert(fc.property(writesArb, writesArb, fc.integer({ min: 1, max: 6 }), (a, b, ids) => {
      const names = new NameTable()
      const bank = new VersionBank(3, ids)
      names.versionBank = bank
      const [left, right, copy] = [new Replica(names), new Replica(names), new Replica(names)]
      names.versionBank = undefined
      const [leftAlone, rightAlone] = [new Replica(), new Replica()]
      // Interleaved, so that the lanes' entries are written side by side.
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const x = a[i]
        const y = b[i]
        if (x !== undefined) expect(left.merge(x)).toEqual(leftAlone.merge(x))
        if (y !== undefined) expect(right.merge(y)).toEqual(rightAlone.merge(y))
      }
      // Up to here the four origins fit a bank of four ids or more, so the bank holds them.
      if (ids >= 4) expect(bank.ver.some((v) => v !== 0)).toBe(true)
      expect(left.takeDirtyVersions()).toEqual(leftAlone.takeDirtyVersions())
      expect(told(left)).toEqual(told(leftAlone))
      expect(told(right)).toEqual(told(rightAlone))
      expect(syncRound(left, right, 0, 1)).toBe(syncRound(leftAlone, rightAlone, 0, 1))
      expect(told(left)).toEqual(told(leftAlone))
      expect(told(right)).toEqual(told(rightAlone))
      // A copy into the bank's last lane, and one into columns of its own.
      copy.copyFrom(left)
      const copyAlone = new Replica(leftAlone.names)
      copyAlone.copyFrom(leftAlone)
      expect(told(copy)).toEqual(told(copyAlone))
      expect(copy.takeDirtyVersions()).toEqual(copyAlone.takeDirtyVersions())
      // Names beyond the bank's room: every replica moves its versions out and goes on as before.
      const late: Entry = { key: 'node/z/caps', value: 1, hlc: 9_000_000_000, origin: 'z', prev: 0 }
      for (const [r, alone] of [[left, leftAlone], [right, rightAlone], [copy, copyAlone]] as const) {
        expect(r.merge(late)).toEqual(alone.merge(late))
        expect(told(r)).toEqual(told(alone))
      }
    }), { numRuns: 200 })
  })

  it('should hand out each lane once', () => {
    const bank = new VersionBank(2, 8)
    expect([bank.take(), bank.take(), bank.take()]).toEqual([0, 1, -1])
    expect(() => new VersionBank(0, 8)).toThrow(/positive integers/)
  })
})
