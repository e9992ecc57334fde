/**
 * The replicated state of one agent: a map of entries merged by the rules of
 * `entries.ts`, plus the bookkeeping anti-entropy needs.
 *
 * Per-origin versions follow Scuttlebutt (van Renesse et al., 2008): for each
 * origin we keep `upTo`, an HLC below which we hold every write of that origin
 * or a write that supersedes it, and `max`, the newest write of it we hold.
 * Gossip advances `upTo` when a write's `prev` link equals it; a write that
 * arrives out of order waits in a small `pending` map until the gap closes or
 * a sync tells us the gap is covered. Two replicas reconcile by comparing
 * these versions: one sends the other every held write of an origin newer
 * than the other's `upTo`. The versions are hashed into 1024 fixed buckets by
 * origin so a sync first compares a few dozen bytes and then only the
 * versions of the buckets that differ.
 */
import { DIGEST_BUCKETS_FINE, PENDING_LINKS_PER_ORIGIN_MAX } from './constants.js'
import { canonicalJson, compareWrites, entryRejection, heldKeyRejection } from './entries.js'
import { fmix32, hashString, mixSafeInt } from './hash.js'
import { hlcWallMs } from './hlc.js'
import type { Entry, EntryKey, Hlc, NodeName } from './types.js'

/** `[origin, upTo, max]`: what a replica holds of one origin's writes. */
export type OriginVersion = [origin: NodeName, upTo: Hlc, max: Hlc]

export type MergeOutcome =
  | { kind: 'applied', previous: Entry | undefined }
  | { kind: 'duplicate' }
  | { kind: 'stale' }
  | { kind: 'rejected', reason: string }

// Shared, frozen outcomes: merge is the hottest path, and most of its outcomes carry no data.
const DUPLICATE: MergeOutcome = Object.freeze({ kind: 'duplicate' })
const STALE: MergeOutcome = Object.freeze({ kind: 'stale' })
const APPLIED_NEW: MergeOutcome = Object.freeze({ kind: 'applied', previous: undefined })

interface OriginState {
  upTo: Hlc
  max: Hlc
  /** prev -> hlc of writes received ahead of a gap; undefined while there are none (most origins, most of the time). */
  pending: Map<Hlc, Hlc> | undefined
  /** Keys whose current entry this origin wrote. */
  keys: Set<EntryKey>
  fine: number
  idHash: number
  digestHash: number
}

const BUCKET_MASK = DIGEST_BUCKETS_FINE - 1

const byHlc = (a: Entry, b: Entry): number => a.hlc - b.hlc

export class Replica {
  private readonly entries = new Map<EntryKey, Entry>()
  private readonly origins = new Map<NodeName, OriginState>()
  private readonly tombstones = new Set<EntryKey>()
  private readonly fine = new Uint32Array(DIGEST_BUCKETS_FINE)
  private readonly dirtyOrigins = new Set<NodeName>()

  get size (): number {
    return this.entries.size
  }

  /** Origins with at least one write seen. */
  get originCount (): number {
    return this.origins.size
  }

  get (key: EntryKey): Entry | undefined {
    return this.entries.get(key)
  }

  /** Every entry, tombstones included, in insertion order. */
  all (): IterableIterator<Entry> {
    return this.entries.values()
  }

  /** Live (non-tombstone) entries whose key starts with the prefix. */
  * withPrefix (prefix: string): Generator<Entry> {
    for (const e of this.entries.values()) {
      if (e.value !== null && e.key.startsWith(prefix)) yield e
    }
  }

  /**
   * Merge one write. Returns what happened; a rejected write changes nothing.
   * Stale and duplicate writes still advance the origin's version chain: they
   * are writes we have now seen (or hold something newer than).
   */
  merge (e: Entry): MergeOutcome {
    const held = this.entries.get(e.key)
    const reason = held === undefined ? entryRejection(e) : heldKeyRejection(e)
    if (reason !== undefined) return { kind: 'rejected', reason }
    if (e.prev >= e.hlc) return { kind: 'rejected', reason: 'prev must be older than hlc' }
    let outcome: MergeOutcome
    if (held === undefined) {
      this.install(e, undefined)
      outcome = APPLIED_NEW
    } else {
      const order = compareWrites(e, held)
      if (order > 0) {
        this.install(e, held)
        outcome = { kind: 'applied', previous: held }
      } else {
        outcome = order === 0 ? DUPLICATE : STALE
      }
    }
    this.link(e.origin, e.prev, e.hlc)
    return outcome
  }

  private install (e: Entry, held: Entry | undefined): void {
    if (held !== undefined && held.origin !== e.origin) this.origins.get(held.origin)?.keys.delete(held.key)
    this.entries.set(e.key, e)
    this.originState(e.origin).keys.add(e.key)
    if (e.value === null) this.tombstones.add(e.key)
    else if (held?.value === null) this.tombstones.delete(e.key)
  }

  private originState (origin: NodeName): OriginState {
    let st = this.origins.get(origin)
    if (st === undefined) {
      const idHash = hashString(origin)
      st = { upTo: 0, max: 0, pending: undefined, keys: new Set(), fine: idHash & BUCKET_MASK, idHash, digestHash: 0 }
      this.origins.set(origin, st)
      this.rehash(origin, st)
    }
    return st
  }

  /** Record that the origin wrote `hlc` right after `prev`. */
  private link (origin: NodeName, prev: Hlc, hlc: Hlc): void {
    const st = this.originState(origin)
    const before = st.upTo
    const beforeMax = st.max
    if (hlc > st.max) st.max = hlc
    if (prev <= st.upTo && hlc > st.upTo) {
      // prev below upTo happens after a sync covered the gap; the chain still continues from hlc.
      st.upTo = hlc
      this.followPending(st)
    } else if (hlc > st.upTo) {
      const pending = st.pending ?? (st.pending = new Map())
      if (pending.size >= PENDING_LINKS_PER_ORIGIN_MAX) {
        const oldest = pending.keys().next().value as Hlc
        pending.delete(oldest)
      }
      pending.set(prev, hlc)
    }
    if (st.upTo !== before || st.max !== beforeMax) this.rehash(origin, st)
  }

  private followPending (st: OriginState): void {
    const pending = st.pending
    if (pending === undefined) return
    for (;;) {
      const next = pending.get(st.upTo)
      if (next === undefined) break
      pending.delete(st.upTo)
      st.upTo = next
    }
    for (const [prev, hlc] of pending) if (hlc <= st.upTo || prev < st.upTo) pending.delete(prev)
    if (pending.size === 0) st.pending = undefined
  }

  private rehash (origin: NodeName, st: OriginState): void {
    const h = fmix32(mixSafeInt(mixSafeInt(st.idHash, st.upTo), st.max)) || 1
    this.fine[st.fine] = ((this.fine[st.fine] as number) ^ st.digestHash ^ h) >>> 0
    st.digestHash = h
    this.dirtyOrigins.add(origin)
  }

  /**
   * Raise an origin's `upTo` to `upTo` after a peer's complete section for it
   * was merged: the peer held every write of it up to there, and we now hold
   * what the peer held.
   */
  advance (origin: NodeName, upTo: Hlc): void {
    const st = this.originState(origin)
    if (upTo <= st.upTo) return
    st.upTo = upTo
    if (st.max < upTo) st.max = upTo
    this.followPending(st)
    this.rehash(origin, st)
  }

  /** The version of one origin, [origin, 0, 0] when unknown. */
  versionOf (origin: NodeName): OriginVersion {
    const st = this.origins.get(origin)
    return st === undefined ? [origin, 0, 0] : [origin, st.upTo, st.max]
  }

  /** Every known origin's version. */
  versions (): OriginVersion[] {
    const out: OriginVersion[] = []
    for (const [origin, st] of this.origins) out.push([origin, st.upTo, st.max])
    return out
  }

  /**
   * Origins whose version changed since the last call: the runtime persists
   * these watermarks so a restart does not refetch everything.
   */
  takeDirtyVersions (): OriginVersion[] {
    const out: OriginVersion[] = []
    for (const origin of this.dirtyOrigins) out.push(this.versionOf(origin))
    this.dirtyOrigins.clear()
    return out
  }

  /** Restore persisted versions (at start, before any merge). */
  restoreVersion ([origin, upTo, max]: OriginVersion): void {
    const st = this.originState(origin)
    st.upTo = Math.max(st.upTo, upTo)
    st.max = Math.max(st.max, max, upTo)
    this.followPending(st)
    this.rehash(origin, st)
  }

  /** The digest folded to `bucketCount` buckets (a power of two up to 1024). */
  digest (bucketCount: number): number[] {
    const out = new Array<number>(bucketCount).fill(0)
    const mask = bucketCount - 1
    for (let i = 0; i < DIGEST_BUCKETS_FINE; i++) out[i & mask] = ((out[i & mask] as number) ^ (this.fine[i] as number)) >>> 0
    return out
  }

  /** Indices of the buckets where `theirs` differs from ours. */
  differingBuckets (theirs: readonly number[]): number[] {
    const mine = this.digest(theirs.length)
    const out: number[] = []
    for (let i = 0; i < mine.length; i++) if (mine[i] !== theirs[i]) out.push(i)
    return out
  }

  /** Versions of every origin that falls in one of the given buckets. */
  versionsInBuckets (buckets: readonly number[], bucketCount: number): OriginVersion[] {
    const wanted = new Set(buckets)
    const mask = bucketCount - 1
    const out: OriginVersion[] = []
    for (const [origin, st] of this.origins) {
      if (wanted.has(st.fine & mask)) out.push([origin, st.upTo, st.max])
    }
    return out
  }

  /**
   * What the other side misses: for every origin in scope whose version
   * differs, every held write of it newer than the other side's `upTo`, in
   * the origin's write (HLC) order. Sections are whole per origin; when `entriesMax` would be exceeded the
   * remaining origins are left out and not listed in `complete`.
   */
  deltaFor (theirs: readonly OriginVersion[], buckets: readonly number[], bucketCount: number, entriesMax: number): { entries: Entry[], complete: OriginVersion[], truncated: boolean } {
    const theirMap = new Map<NodeName, OriginVersion>()
    for (const v of theirs) theirMap.set(v[0], v)
    const wanted = new Set(buckets)
    const mask = bucketCount - 1
    const entries: Entry[] = []
    const complete: OriginVersion[] = []
    let truncated = false
    for (const [origin, st] of this.origins) {
      if (!wanted.has(st.fine & mask)) continue
      const their = theirMap.get(origin)
      const theirUpTo = their?.[1] ?? 0
      if (their !== undefined && their[1] === st.upTo && their[2] === st.max) continue
      const section: Entry[] = []
      if (st.max > theirUpTo) {
        for (const key of st.keys) {
          const e = this.entries.get(key) as Entry
          if (e.hlc > theirUpTo) section.push(e)
        }
      }
      // The origin's writes in the order it made them (its HLC order), so the receiver links them in turn.
      if (section.length > 1) section.sort(byHlc)
      if (entries.length + section.length > entriesMax && entries.length > 0) {
        truncated = true
        continue
      }
      for (const e of section) entries.push(e)
      complete.push([origin, st.upTo, st.max])
    }
    return { entries, complete, truncated }
  }

  /**
   * Drop tombstones older than the grace period. Returns the removed keys.
   * Versions are untouched: the deletes stay "seen", so they are not refetched.
   */
  collectTombstones (nowWallMs: number, graceMs: number): EntryKey[] {
    const removed: EntryKey[] = []
    for (const key of this.tombstones) {
      const e = this.entries.get(key) as Entry
      if (hlcWallMs(e.hlc) + graceMs <= nowWallMs) {
        this.entries.delete(key)
        this.origins.get(e.origin)?.keys.delete(key)
        removed.push(key)
      }
    }
    for (const key of removed) this.tombstones.delete(key)
    return removed
  }

  /**
   * An order-independent fingerprint of the whole state (entries and
   * versions): equal states give equal fingerprints. For tests and the
   * simulator's convergence checker.
   */
  fingerprint (): string {
    let h = 0
    for (const e of this.entries.values()) {
      h = (h ^ mixSafeInt(mixSafeInt(hashString(e.key), e.hlc), hashString(e.origin + canonicalJson(e.value)))) >>> 0
    }
    return `${this.entries.size}:${h.toString(16)}`
  }
}
