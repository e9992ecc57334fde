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
 *
 * Layout. Every node holds every node's state, so what a replica keeps per
 * node is multiplied by the fleet size, and it is kept in columns: node names
 * are interned to dense ids (`NameTable`), versions live in typed arrays by
 * id, and the keys every node writes about itself (`member/<name>` and
 * `node/<name>/{caps,identity,heartbeat,rtt}`) live in one fixed row of slots
 * per node, which hold ids into an entry pool (`EntryPool`) shared through
 * the name table, 4 bytes each and nothing for the garbage collector to
 * trace. Other keys (workload fields, snapshots, admin events) go to one
 * map. An origin's writes are its row, except its `member/` slot when
 * someone else's verdict holds it, plus the rarer writes outside its row
 * (counted per origin, found by a scan when a sync needs them).
 */
import { DIGEST_BUCKETS_FINE, PENDING_LINKS_PER_ORIGIN_MAX, SYNC_HELLO_BUCKETS } from './constants.js'
import { canonicalJson, compareWrites, entryRejection, heldKeyRejection } from './entries.js'
import { fmix32, hashString, mixSafeInt } from './hash.js'
import { hlcWallMs } from './hlc.js'
import type { EntryPool } from './entry-pool.js'
import type { KeyTable } from './key-table.js'
import { NameTable } from './names.js'
import type { Entry, EntryKey, Hlc, NodeName } from './types.js'
import { grown, newColumn } from './columns.js'

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

const BUCKET_MASK = DIGEST_BUCKETS_FINE - 1
/** Top buckets kept folded: the most a hello carries. */
const TOP_BUCKETS = SYNC_HELLO_BUCKETS
const TOP_MASK = TOP_BUCKETS - 1
/** Numbers in a replica's `buckets`: the fine buckets, then the top ones. */
const BUCKETS = DIGEST_BUCKETS_FINE + TOP_BUCKETS

/** Slots per node row: `member/<name>`, then `node/<name>/` caps, identity, heartbeat, rtt. */
const ROW = 5
/** `locate`: a key kept outside the rows that no replica holds (so it has no id in the key table). */
const OTHER = -1
/** `locate`: a row key of a node this replica has no row for. */
const UNKNOWN = -2
/** `locate`: a key kept outside the rows with id k in the key table is at FIRST_KEY - k (so below it). */
const FIRST_KEY = -3

/** The row slot of the field `key.slice(from)` of a `node/<name>/` key, or -1. */
function rowField (key: string, from: number): number {
  switch (key.length - from) {
    case 4: return key.startsWith('caps', from) ? 1 : -1
    case 8: return key.startsWith('identity', from) ? 2 : -1
    case 9: return key.startsWith('heartbeat', from) ? 3 : -1
    case 3: return key.startsWith('rtt', from) ? 4 : -1
    default: return -1
  }
}

const byHlc = (a: Entry, b: Entry): number => a.hlc - b.hlc

/** Bits of `Replica.dirty`. */
const DIRTY = 1
const UNHASHED = 2
/** Doubles per origin id in `ver`: upTo, max, the mark and the extras count (see `ver`). */
const VER = 4
/** The flags sit above the 32 bits of the digest share in a mark. */
const MARK_FLAGS = 2 ** 32

/**
 * The `ver` columns of many replicas that share a NameTable, interleaved by
 * replica: origin id's entry of the replica in lane `r` sits at
 * `(id * lanes + r) * VER`. A gossiped write is merged by every simulated
 * node in turn, each reading and writing its entry of the write's origin; in
 * a bank those entries lie side by side (320 KB for 10,000 replicas) instead
 * of one in each replica's own column, a cache and TLB miss each. The agent
 * never uses one; the simulator lends one to a forming fleet (see
 * `NameTable.versionBank`). Each lane is taken once and starts zeroed.
 */
export class VersionBank {
  /** Replicas it has room for. */
  readonly lanes: number
  /** Origin ids it has room for: a replica that needs more moves its entries to a column of its own. */
  readonly ids: number
  readonly ver: Float64Array<ArrayBufferLike>
  /**
   * The replicas' digest buckets, one replica's after another (lane r's
   * from `r * BUCKETS`): not interleaved, as a sync reads a replica's
   * buckets together, but one array for all, so a merge's digest update
   * does not first read a typed array object of the replica's own.
   */
  readonly buckets: Uint32Array<ArrayBufferLike>
  private taken = 0

  /** `buffer` makes the zeroed memory (default: an ArrayBuffer). */
  constructor (lanes: number, ids: number, buffer: (bytes: number) => ArrayBufferLike = (bytes) => new ArrayBuffer(bytes)) {
    if (!Number.isSafeInteger(lanes) || lanes < 1 || !Number.isSafeInteger(ids) || ids < 1) throw new RangeError('VersionBank: lanes and ids must be positive integers')
    this.lanes = lanes
    this.ids = ids
    this.ver = new Float64Array(buffer(lanes * ids * VER * Float64Array.BYTES_PER_ELEMENT))
    this.buckets = new Uint32Array(buffer(lanes * BUCKETS * Uint32Array.BYTES_PER_ELEMENT))
  }

  /** A lane no replica has used, or -1 when every lane is taken. */
  take (): number {
    return this.taken < this.lanes ? this.taken++ : -1
  }
}

/**
 * What a replica replaced since the log was last cleared, oldest first, so
 * that its owner can tell the state as it was then (roll the changes back in
 * reverse). The simulator's store uses it to know what a crash loses without
 * a second copy of every node's state. Nothing is logged unless one is set
 * as `Replica.undo`.
 */
export class UndoLog {
  /**
   * Changed keys, each with the entry it held before (undefined: none), in
   * pairs: key, entry. One array instead of two, and versions below in two
   * instead of three: a simulated node logs one change per delivery, and at
   * 10,000 nodes each array touched was a cache miss.
   */
  readonly changes: (EntryKey | Entry | undefined)[] = []
  /** Origins whose version changed. */
  readonly origins: NodeName[] = []
  /** Each logged origin's version before, in pairs: upTo, max (-1 and -1: unknown then). */
  readonly versions: number[] = []

  /** Changes logged. */
  get changeCount (): number {
    return this.changes.length >> 1
  }

  keyAt (i: number): EntryKey {
    return this.changes[2 * i] as EntryKey
  }

  /** The entry the `i`-th change replaced (undefined: none). */
  entryAt (i: number): Entry | undefined {
    return this.changes[2 * i + 1] as Entry | undefined
  }

  upToAt (i: number): number {
    return this.versions[2 * i] as number
  }

  maxAt (i: number): number {
    return this.versions[2 * i + 1] as number
  }

  logChange (key: EntryKey, before: Entry | undefined): void {
    this.changes.push(key, before)
  }

  logVersion (origin: NodeName, upTo: number, max: number): void {
    this.origins.push(origin)
    this.versions.push(upTo, max)
  }

  clear (): void {
    if (this.changes.length > 0) this.changes.length = 0
    if (this.origins.length > 0) {
      this.origins.length = 0
      this.versions.length = 0
    }
  }
}

export class Replica {
  readonly names: NameTable
  private readonly pool: EntryPool
  /** Entries of row keys, as pool id + 1 (0: none), at node id * ROW + field. */
  private rows = new Int32Array(0)
  /** One past the last row slot that ever held an entry: a copy takes no more. */
  private rowsEnd = 0
  /**
   * Entries of every other key, as pool id + 1 (0: none), by the key's id in
   * the key table (see KeyTable). A `Map` by key was
   * two cache misses per gossiped write at 10,000 simulated nodes, and most
   * of the workload's writes are to keys new to it, which a map inserts.
   */
  private keyed = new Int32Array(0)
  private readonly keys: KeyTable
  /** Ids with room in the columns and rows. */
  private cap = 0
  /**
   * Per origin id, at id * VER: upTo, max, and a mark that holds the
   * origin's share of the digest as the buckets hold it (the low 32 bits; 0
   * while it is not, or not yet, an origin here, or not hashed yet: see
   * `settle`) plus the DIRTY (in dirtyList) and UNHASHED (in unhashedList)
   * flags times MARK_FLAGS, and how many held entries the origin wrote
   * outside its own row (other keys, verdicts on other members). One column,
   * not five: a merge reads and writes all of them, and at 10,000 simulated
   * nodes each separate column (the extras count was a Map by name) was a
   * cache miss per merge. 32 bytes: half a cache line.
   */
  private ver: Float64Array<ArrayBufferLike> = new Float64Array(0)
  /** Where this replica's entries sit in `ver`: at `(id * lanes + lane) * VER` (0 and 1 unless `ver` is a bank's). */
  private lane = 0
  private lanes = 1
  /** The bank `ver` belongs to, if any (see VersionBank). */
  private bank: VersionBank | undefined
  /**
   * The digest's fine buckets (DIGEST_BUCKETS_FINE of them), then the same
   * folded to TOP_BUCKETS (bucket i into i mod TOP_BUCKETS), kept as they
   * change: what a hello sends; from `bucketsAt` (0 unless `buckets` is a
   * VersionBank's). One array, so that a merge's digest update touches one object.
   */
  private buckets: Uint32Array<ArrayBufferLike>
  private bucketsAt = 0
  /**
   * XOR of all fine buckets, the one-bucket digest, as a signed 32-bit
   * integer (read it with `>>> 0`): a field that holds a number above 2^31
   * lives in a heap box of its own in V8, one more object for every merge to touch.
   */
  private fineTotal = 0
  /** `pending.size`, kept here: the check runs for every write that continues a chain, and reading a Map's size touches the map. */
  private pendingOrigins = 0
  /** Between `holdHashes` and `settleHashes`: merges leave their origins' shares of the digest to `settle`. */
  private hashLater = false
  /** `member/<name>` slots held by an entry someone else wrote. */
  private foreignMembers = 0
  private readonly tombstones = new Set<EntryKey>()
  /** Origin ids whose version changed since `takeDirtyVersions`, in the order they changed. */
  private dirtyList: number[] = []
  /**
   * Origin ids whose version changed since the digest was last brought up to date (`settle`): an
   * origin's share is hashed when the digest is read, once however many changes it saw in between. A
   * merge hashes its origin's share at once instead (see `rehashNow`); restores, advances and copies leave it here.
   */
  private unhashedList: number[] = []
  private count = 0
  /** The last key `locate` resolved to a row slot (merge and its caller look a key up several times). */
  private lastKey = ''
  private lastSlot = 0
  /** When set, every change is logged here first (see UndoLog). */
  undo: UndoLog | undefined = undefined
  // The fields a merge does not touch (most merges), after those it does: see AgentCore's fields.
  /** Origin ids in the order this replica first saw them (versions and deltas list origins in this order). */
  private originOrder = new Int32Array(16)
  private origins = 0
  /** Per origin id, prev -> hlc of writes received ahead of a gap; only origins with such writes (few, briefly). */
  private readonly pending = new Map<number, Map<Hlc, Hlc>>()

  /** `names` may be shared with other replicas and member tables (see NameTable). */
  constructor (names: NameTable = new NameTable()) {
    this.names = names
    this.pool = names.entries
    this.keys = names.keys
    const bank = names.versionBank
    const lane = bank === undefined ? -1 : bank.take()
    if (bank !== undefined && lane >= 0) {
      this.bank = bank
      this.ver = bank.ver
      this.lanes = bank.lanes
      this.lane = lane
      this.buckets = bank.buckets
      this.bucketsAt = lane * BUCKETS
    } else {
      this.buckets = new Uint32Array(BUCKETS)
    }
  }

  /** Where origin id's entry starts in `ver`. */
  private vat (id: number): number {
    return (id * this.lanes + this.lane) * VER
  }

  get size (): number {
    return this.count
  }

  /** Origins with at least one write seen. */
  get originCount (): number {
    return this.origins
  }

  get (key: EntryKey): Entry | undefined {
    return this.held(this.locate(key, false))
  }

  /** The member a held `member/<name>` key is about (the interned name: no new string), else undefined. */
  memberOf (key: EntryKey): NodeName | undefined {
    if (key.charCodeAt(0) !== 109 /* m */ || !key.startsWith('member/')) return undefined
    const slot = this.locate(key, false)
    return slot >= 0 ? this.names.nameOf((slot / ROW) | 0) : key.slice(7)
  }

  /**
   * The name id (in `names`) of the member a held `member/<name>` key is
   * about, -1 for other keys, -2 for a member key of a name never interned.
   */
  memberIdOf (key: EntryKey): number {
    if (key.charCodeAt(0) !== 109 /* m */ || !key.startsWith('member/')) return -1
    const slot = this.locate(key, false)
    return slot >= 0 ? (slot / ROW) | 0 : -2
  }

  /** Every entry, tombstones included: row keys by node, then the others by key id (see KeyTable). */
  * all (): Generator<Entry> {
    const rows = this.rows
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as number
      if (r !== 0) yield this.pool.get(r - 1)
    }
    yield * this.otherEntries()
  }

  /** `fn` for every entry, in `all()`'s order (no generator: a formed node takes in tens of thousands). */
  forEach (fn: (e: Entry) => void): void {
    const rows = this.rows
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as number
      if (r !== 0) fn(this.pool.get(r - 1))
    }
    this.forEachKeyed(fn)
  }

  /**
   * `fn` for every member record held in a row (`member/<name>`, the first
   * slot of its member's row), with the member's name id, in row order; then
   * `rest` for each entry kept outside the rows. A restore wants no other
   * row entry: each is its row node's own write (merge checked that).
   */
  forEachMemberRecord (fn: (e: Entry, id: number) => void, rest: (e: Entry) => void): void {
    const rows = this.rows
    const pool = this.pool
    for (let id = 0, i = 0; i < this.rowsEnd; id++, i += ROW) {
      const r = rows[i] as number
      if (r !== 0) fn(pool.get(r - 1), id)
    }
    this.forEachKeyed(rest)
  }

  /** `fn` for each entry held outside the rows, by key id. */
  private forEachKeyed (fn: (e: Entry) => void): void {
    const keyed = this.keyed
    for (let k = 0; k < keyed.length; k++) if (keyed[k] !== 0) fn(this.pool.get((keyed[k] as number) - 1))
  }

  /**
   * The newest stamp of any origin's version (0 when none): at least the
   * stamp of every entry held, as every merge moves its origin's version up
   * to it. A restored clock starts after it.
   */
  newestStamp (): Hlc {
    let newest = 0
    for (let i = 0; i < this.origins; i++) {
      const m = this.ver[this.vat(this.originOrder[i] as number) + 1] as number
      if (m > newest) newest = m
    }
    return newest
  }

  /**
   * `forEach` with each entry's id in the shared pool (-1 for an entry kept
   * outside the rows), for a reader that caches something per entry across
   * many replicas (the simulator's state fingerprint) and would rather key it
   * by a small integer than by object. An id is reused once no replica holds
   * its entry, so such a cache must check it still holds the same entry.
   */
  /**
   * The row slots as they are: each the pool id + 1 of the entry it holds, 0
   * for none (read only). With `pooled` and `otherEntries`, every entry held:
   * for callers that fold over many replicas of one pool at once while
   * nothing changes (the simulator's final state check), reading ids instead
   * of entry objects.
   */
  rowPoolIds (): Int32Array {
    return this.rows
  }

  /** The pooled entry with id `id` (see `rowPoolIds`). */
  pooled (id: number): Entry {
    return this.pool.get(id)
  }

  /** The entries held outside the rows, by their keys' ids in the key table. */
  * otherEntries (): Generator<Entry> {
    const keyed = this.keyed
    for (let k = 0; k < keyed.length; k++) if (keyed[k] !== 0) yield this.pool.get((keyed[k] as number) - 1)
  }

  /** Live (non-tombstone) entries whose key starts with the prefix. */
  * withPrefix (prefix: string): Generator<Entry> {
    for (const e of this.all()) {
      if (e.value !== null && e.key.startsWith(prefix)) yield e
    }
  }

  /**
   * Where a key lives: its row slot (>= 0), FIRST_KEY - its id in the key
   * table, OTHER for a key outside the rows without one, or UNKNOWN for a row
   * key of a node without an id (with `create`, the node gets one).
   */
  private locate (key: string, create: boolean): number {
    // A key outside the rows keeps its id in the key table only while some replica holds it: the
    // key remembered here is one this replica holds (a merge holds its key; dropping one forgets it).
    if (key === this.lastKey) return this.lastSlot
    const known = this.names.keyPlaces.get(key)
    if (known !== undefined) {
      const slot = (known >> 3) * ROW + (known & 7)
      this.lastKey = key
      this.lastSlot = slot
      return slot
    }
    let start: number
    let end: number
    let field: number
    if (key.startsWith('member/')) {
      start = 7
      end = key.length
      field = 0
    } else if (key.startsWith('node/')) {
      start = 5
      end = key.indexOf('/', 5)
      if (end < 0) return this.keySlot(key)
      field = rowField(key, end + 1)
      if (field < 0) return this.keySlot(key)
    } else {
      return this.keySlot(key)
    }
    const id = create ? this.names.intern(key, start, end) : this.names.find(key, start, end)
    if (id < 0) return UNKNOWN
    if (create) this.names.keyPlaces.set(key, id * 8 + field)
    const slot = id * ROW + field
    this.lastKey = key
    this.lastSlot = slot
    return slot
  }

  /** `locate` of a key kept outside the rows. */
  private keySlot (key: string): number {
    const k = this.keys.find(key)
    return k < 0 ? OTHER : FIRST_KEY - k
  }

  private held (slot: number): Entry | undefined {
    let r = 0
    if (slot >= 0) r = slot < this.rows.length ? this.rows[slot] as number : 0
    else if (slot <= FIRST_KEY) r = FIRST_KEY - slot < this.keyed.length ? this.keyed[FIRST_KEY - slot] as number : 0
    return r === 0 ? undefined : this.pool.get(r - 1)
  }

  /**
   * Room for id in every column: as many ids as the table holds and an
   * eighth (a shared table holds about every name a replica will see, so
   * the columns grow a few times, to about their final size, not to double).
   */
  private ensure (id: number): void {
    if (id < this.cap) return
    const names = this.names.size
    let cap = Math.max(id + 1, names + (names >> 3), 16)
    const make = this.names.makeColumn
    const bank = this.bank
    if (bank === undefined) this.ver = grown(this.ver, cap * VER, make)
    else if (id < bank.ids) cap = Math.min(cap, bank.ids)
    else this.leaveBank(bank, cap)
    this.rows = grown(this.rows, cap * ROW, make)
    this.cap = cap
  }

  /** Move this replica's entries out of its bank into a column of its own, of `cap` ids. */
  private leaveBank (bank: VersionBank, cap: number): void {
    const ver = newColumn(Float64Array, cap * VER, this.names.makeColumn)
    for (let id = 0; id < bank.ids; id++) {
      const from = this.vat(id)
      for (let k = 0; k < VER; k++) ver[id * VER + k] = bank.ver[from + k] as number
    }
    this.ver = ver
    this.lane = 0
    this.lanes = 1
    this.bank = undefined
  }

  /**
   * Become a copy of `source`, which interns names in the same table, as an
   * empty replica would be after merging every entry `source` holds and
   * restoring its versions: every origin is then dirty (in `source`'s origin
   * order). O(origins) copying instead of O(entries) merges: the simulator
   * forms a fleet by giving each new node the state of the fleet so far.
   */
  copyFrom (source: Replica): void {
    if (source.names !== this.names) throw new Error('Replica.copyFrom: the replicas intern names in different tables')
    if (this.count > 0 || this.origins > 0) throw new Error('Replica.copyFrom: this replica is not empty')
    source.settle()
    this.ensure(source.cap - 1)
    // The source is settled (no UNHASHED flag), so an origin is an id with a share in its mark: each
    // is made DIRTY alone here, in the same pass (in a bank, every entry of this replica is a line of its own).
    const from = source.ver
    const to = this.ver
    for (let id = 0; id < source.cap; id++) {
      const s = source.vat(id)
      if (from[s] === 0 && from[s + 1] === 0 && from[s + 2] === 0 && from[s + 3] === 0) continue
      const d = this.vat(id)
      const share = (from[s + 2] as number) >>> 0
      to[d] = from[s] as number
      to[d + 1] = from[s + 1] as number
      to[d + 2] = share !== 0 ? share + DIRTY * MARK_FLAGS : from[s + 2] as number
      to[d + 3] = from[s + 3] as number
    }
    // A formed fleet's template holds rows of the nodes started so far: on average half its columns.
    const end = source.rowsEnd
    const rows = source.rows
    this.rows.set(rows.subarray(0, end))
    this.rowsEnd = end
    for (let i = 0; i < end; i++) if (rows[i] !== 0) this.pool.retain((rows[i] as number) - 1)
    const keyed = this.keyed = grown(source.keyed, source.keyed.length, this.names.makeColumn)
    for (let k = 0; k < keyed.length; k++) {
      if (keyed[k] === 0) continue
      this.keys.retain(k)
      this.pool.retain((keyed[k] as number) - 1)
    }
    this.originOrder = source.originOrder.slice()
    this.origins = source.origins
    for (const [id, p] of source.pending) this.pending.set(id, new Map(p))
    this.pendingOrigins = this.pending.size
    this.foreignMembers = source.foreignMembers
    for (const key of source.tombstones) this.tombstones.add(key)
    for (let i = 0; i < BUCKETS; i++) this.buckets[this.bucketsAt + i] = source.buckets[source.bucketsAt + i] as number
    this.fineTotal = source.fineTotal
    this.count = source.count
    for (let i = 0; i < this.origins; i++) {
      const id = this.originOrder[i] as number
      this.logVersion(id, -1, -1)
      this.dirtyList.push(id)
    }
    const undo = this.undo
    if (undo !== undefined) {
      for (const e of this.all()) {
        undo.logChange(e.key, undefined)
      }
    }
  }

  /**
   * This replica is dropped (its node stopped): give its entries back to the
   * pool it shares with others, so entries only it held can leave. It holds
   * nothing afterwards and must not be used again.
   */
  dispose (): void {
    const rows = this.rows
    for (let i = 0; i < rows.length; i++) if (rows[i] !== 0) this.pool.release((rows[i] as number) - 1)
    const keyed = this.keyed
    for (let k = 0; k < keyed.length; k++) {
      if (keyed[k] === 0) continue
      this.pool.release((keyed[k] as number) - 1)
      this.keys.release(k)
    }
    this.rows = new Int32Array(0)
    this.rowsEnd = 0
    this.cap = 0
    this.keyed = new Int32Array(0)
  }

  /**
   * Merge one write. Returns what happened; a rejected write changes nothing.
   * Stale and duplicate writes still advance the origin's version chain: they
   * are writes we have now seen (or hold something newer than).
   */
  merge (e: Entry): MergeOutcome {
    // An entry that a replica sharing this pool holds in a row (this one, or another core's in the
    // simulator) passed the checks below, which depend on nothing but the entry (entries are never
    // changed), and the pool knows its slot: no key to parse, nothing to check again.
    const pooled = this.pool.idOf(e)
    let slot: number
    if (pooled >= 0) {
      slot = this.pool.tagOf(pooled)
      this.lastKey = e.key
      this.lastSlot = slot
    } else {
      slot = this.locate(e.key, false)
    }
    const held = this.held(slot)
    if (pooled < 0) {
      const reason = held === undefined ? entryRejection(e) : heldKeyRejection(e)
      if (reason !== undefined) return { kind: 'rejected', reason }
      if (e.prev >= e.hlc) return { kind: 'rejected', reason: 'prev must be older than hlc' }
      if (slot === UNKNOWN) slot = this.locate(e.key, true)
    }
    // A node/<name>/ key's writer is its node (checked above); a member/<name> key's usually is.
    const subject = slot >= 0 ? (slot / ROW) | 0 : -1
    const origin = subject >= 0 && (slot % ROW !== 0 || e.origin === this.names.nameOf(subject)) ? subject : this.names.intern(e.origin)
    let outcome: MergeOutcome
    if (held === undefined) {
      this.install(e, undefined, slot, origin, pooled)
      outcome = APPLIED_NEW
    } else {
      const order = compareWrites(e, held)
      if (order > 0) {
        this.install(e, held, slot, origin, pooled)
        outcome = { kind: 'applied', previous: held }
      } else {
        outcome = order === 0 ? DUPLICATE : STALE
      }
    }
    this.link(origin, e.prev, e.hlc)
    return outcome
  }

  /** Hold `e` (pooled: its id in the pool, or -1 when not in it); `link` makes origin an origin here. */
  private install (e: Entry, held: Entry | undefined, slot: number, origin: number, pooled: number): void {
    this.undo?.logChange(e.key, held)
    if (held === undefined) this.count++
    else if (held.origin !== e.origin) this.release(held, slot)
    if (slot >= 0) {
      this.ensure((slot / ROW) | 0)
      this.place(this.rows, slot, e, slot, pooled)
      if (slot >= this.rowsEnd) this.rowsEnd = slot + 1
    } else {
      slot = this.installKeyed(e, held, slot, pooled)
    }
    if (held === undefined || held.origin !== e.origin) this.claim(e, slot, origin)
    if (e.value === null) this.tombstones.add(e.key)
    else if (held?.value === null) this.tombstones.delete(e.key)
  }

  /** `install` for a key kept outside the rows (slot OTHER or FIRST_KEY - its id); its slot now. */
  private installKeyed (e: Entry, held: Entry | undefined, slot: number, pooled: number): number {
    let k: number
    if (slot === OTHER) {
      k = this.keys.hold(e.key)
      slot = FIRST_KEY - k
    } else {
      k = FIRST_KEY - slot
      if (held === undefined) this.keys.retain(k)
    }
    if (k >= this.keyed.length) {
      // Doubled: keys keep coming while a node runs (its rows are sized once, to the names interned).
      const span = this.keys.idSpan
      this.keyed = grown(this.keyed, Math.max(k + 1, 2 * this.keyed.length, span + (span >> 3), 16), this.names.makeColumn)
    }
    this.place(this.keyed, k, e, slot, pooled)
    this.lastKey = e.key
    this.lastSlot = slot
    return slot
  }

  /** Hold `e` at `column[i]` (as pool id + 1; pooled: its id, or -1 to pool it with `slot`), letting go of what was there. */
  private place (column: Int32Array, i: number, e: Entry, slot: number, pooled: number): void {
    const before = column[i] as number
    if (pooled >= 0) this.pool.retain(pooled)
    column[i] = (pooled >= 0 ? pooled : this.pool.add(e, slot)) + 1
    if (before !== 0) this.pool.release(before - 1)
  }

  /** Count a newly held entry against its origin when it lies outside the origin's row. */
  private claim (e: Entry, slot: number, origin: number): void {
    if (slot >= 0) {
      if (((slot / ROW) | 0) === origin) return
      this.foreignMembers++
    }
    this.ensure(origin)
    const at = this.vat(origin) + 3
    this.ver[at] = (this.ver[at] as number) + 1
  }

  /** Undo `claim` for an entry no longer held. */
  private release (e: Entry, slot: number): void {
    if (slot >= 0) {
      if (e.origin === this.names.nameOf((slot / ROW) | 0)) return
      this.foreignMembers--
    }
    // Claimed, so its origin is interned.
    const at = this.vat(this.names.find(e.origin)) + 3
    this.ver[at] = (this.ver[at] as number) - 1
  }

  /** Make id an origin here (first write, restored or advanced version), as the first sight of it. */
  private ensureOrigin (id: number): void {
    this.ensure(id)
    if (this.isOrigin(id)) return
    this.addOrigin(id)
    this.rehash(id)
  }

  /** Whether id is an origin here (its share of the digest is in the buckets, or waits to be). */
  private isOrigin (id: number): boolean {
    const mark = this.ver[this.vat(id) + 2] as number
    return mark !== 0 && ((mark >>> 0) !== 0 || (Math.floor(mark / MARK_FLAGS) & UNHASHED) !== 0)
  }

  /** The origin's share of the digest as the buckets hold it (0: none). */
  private share (id: number): number {
    return (this.ver[this.vat(id) + 2] as number) >>> 0
  }

  private flags (id: number): number {
    return Math.floor((this.ver[this.vat(id) + 2] as number) / MARK_FLAGS)
  }

  private setFlags (id: number, flags: number): void {
    const at = this.vat(id) + 2
    this.ver[at] = ((this.ver[at] as number) >>> 0) + flags * MARK_FLAGS
  }

  /** `ensureOrigin` of an id that is no origin here yet, but for its share of the digest (which still reads 0). */
  private addOrigin (id: number): void {
    if (this.origins === this.originOrder.length) {
      const names = this.names.size
      this.originOrder = grown(this.originOrder, Math.max(this.origins + 1, names + (names >> 3)))
    }
    this.originOrder[this.origins++] = id
    this.logVersion(id, -1, -1)
  }

  private logVersion (id: number, upTo: number, max: number): void {
    const undo = this.undo
    if (undo === undefined) return
    undo.logVersion(this.names.nameOf(id), upTo, max)
  }

  /** Record that the origin wrote `hlc` right after `prev`. */
  private link (id: number, prev: Hlc, hlc: Hlc): void {
    this.ensure(id)
    // A new origin's share of the digest is marked once, below, not once for (0, 0) and again.
    const fresh = !this.isOrigin(id)
    if (fresh) this.addOrigin(id)
    const ver = this.ver
    const at = this.vat(id)
    const before = ver[at] as number
    const beforeMax = ver[at + 1] as number
    if (hlc > beforeMax) ver[at + 1] = hlc
    if (prev <= before && hlc > before) {
      // prev below upTo happens after a sync covered the gap; the chain still continues from hlc.
      ver[at] = hlc
      this.followPending(id)
    } else if (hlc > before) {
      let pending = this.pending.get(id)
      if (pending === undefined) {
        this.pending.set(id, pending = new Map())
        this.pendingOrigins++
      }
      if (pending.size >= PENDING_LINKS_PER_ORIGIN_MAX) {
        const oldest = pending.keys().next().value as Hlc
        pending.delete(oldest)
      }
      pending.set(prev, hlc)
    }
    if (ver[at] !== before || ver[at + 1] !== beforeMax) {
      this.logVersion(id, before, beforeMax)
      this.rehashNow(id)
    } else if (fresh) {
      this.rehashNow(id)
    }
  }

  /**
   * Many merges follow, several of them of one origin (a formed simulated
   * node takes in four writes per origin at a time): hash each origin's
   * share of the digest once, at `settleHashes`, instead of at every merge.
   * The digest is the same either way.
   */
  holdHashes (): void {
    this.hashLater = true
  }

  /** The merges since `holdHashes` are done: hash the shares they changed, while the versions are in cache. */
  settleHashes (): void {
    this.hashLater = false
    this.settle()
  }

  /**
   * `rehash` for a merge, which has the origin's version in cache: its share
   * is hashed into the buckets now (unless it waits to be already, or a run of merges holds hashes: `holdHashes`), where
   * `settle` would read the version again later, a cache miss per merged
   * write at 10,000 simulated nodes. Either way the buckets end up the same.
   */
  private rehashNow (id: number): void {
    const at = this.vat(id)
    const mark = this.ver[at + 2] as number
    const flags = Math.floor(mark / MARK_FLAGS)
    if ((flags & UNHASHED) !== 0 || this.hashLater) return this.rehash(id)
    if ((flags & DIRTY) === 0) this.listDirty(id)
    const idHash = this.names.hashOf(id)
    const h = this.shareOf(id, idHash)
    this.fold(idHash, (mark >>> 0) ^ h)
    this.ver[at + 2] = h + (flags | DIRTY) * MARK_FLAGS
  }

  private followPending (id: number): void {
    if (this.pendingOrigins === 0) return
    const pending = this.pending.get(id)
    if (pending === undefined) return
    let upTo = this.ver[this.vat(id)] as number
    for (;;) {
      const next = pending.get(upTo)
      if (next === undefined) break
      pending.delete(upTo)
      upTo = next
    }
    this.ver[this.vat(id)] = upTo
    for (const [prev, hlc] of pending) if (hlc <= upTo || prev < upTo) pending.delete(prev)
    if (pending.size === 0) {
      this.pending.delete(id)
      this.pendingOrigins--
    }
  }

  /** The origin's version changed: it is dirty, and its share of the digest is to be hashed again. */
  private rehash (id: number): void {
    const flags = this.flags(id)
    if (flags === (DIRTY | UNHASHED)) return
    // A list emptied by replacing it starts again as a new array, not by pushing into the empty one,
    // which has been around long enough to be in the old generation by now: an old array's elements
    // (young) count as live in every scavenge until a full collection, whatever still refers to the
    // array, so everything they point to gets promoted (at 10,000 nodes, most of a formed boot's garbage).
    if ((flags & DIRTY) === 0) this.listDirty(id)
    if ((flags & UNHASHED) === 0) {
      if (this.unhashedList.length === 0) this.unhashedList = [id]
      else this.unhashedList.push(id)
    }
    this.setFlags(id, DIRTY | UNHASHED)
  }

  /** Put id on the dirty list (it is not on it). */
  private listDirty (id: number): void {
    if (this.dirtyList.length === 0) this.dirtyList = [id]
    else this.dirtyList.push(id)
  }

  /**
   * Bring the digest up to date: hash the share of every origin whose version
   * changed since. The digest is the XOR of the shares, so the order they are
   * hashed in, and how many changes each saw in between, make no difference.
   */
  private settle (): void {
    const unhashed = this.unhashedList
    if (unhashed.length === 0) return
    for (const id of unhashed) {
      const idHash = this.names.hashOf(id)
      const at = this.vat(id)
      const h = this.shareOf(id, idHash)
      const mark = this.ver[at + 2] as number
      this.fold(idHash, (mark >>> 0) ^ h)
      this.ver[at + 2] = h + (Math.floor(mark / MARK_FLAGS) & ~UNHASHED) * MARK_FLAGS
    }
    this.unhashedList = []
  }

  /** The origin's share of the digest for its version as it is now (never 0: 0 means none). */
  private shareOf (id: number, idHash: number): number {
    const at = this.vat(id)
    return fmix32(mixSafeInt(mixSafeInt(idHash, this.ver[at] as number), this.ver[at + 1] as number)) || 1
  }

  /** XOR `change` (an origin's old share ^ its new one) into the buckets of the origin with this name hash. */
  private fold (idHash: number, change: number): void {
    const b = this.buckets
    const fine = this.bucketsAt + (idHash & BUCKET_MASK)
    b[fine] = ((b[fine] as number) ^ change) >>> 0
    const top = this.bucketsAt + DIGEST_BUCKETS_FINE + (idHash & BUCKET_MASK & TOP_MASK)
    b[top] = ((b[top] as number) ^ change) >>> 0
    this.fineTotal ^= change
  }

  private version (id: number): OriginVersion {
    return [this.names.nameOf(id), this.ver[this.vat(id)] as number, this.ver[this.vat(id) + 1] as number]
  }

  /**
   * Raise an origin's `upTo` to `upTo` after a peer's complete section for it
   * was merged: the peer held every write of it up to there, and we now hold
   * what the peer held.
   */
  advance (origin: NodeName, upTo: Hlc): void {
    const id = this.names.intern(origin)
    this.ensureOrigin(id)
    const at = this.vat(id)
    const before = this.ver[at] as number
    if (upTo <= before) return
    const beforeMax = this.ver[at + 1] as number
    this.ver[at] = upTo
    if (beforeMax < upTo) this.ver[at + 1] = upTo
    this.followPending(id)
    this.logVersion(id, before, beforeMax)
    this.rehash(id)
  }

  /** The version of one origin, [origin, 0, 0] when unknown. */
  versionOf (origin: NodeName): OriginVersion {
    const id = this.names.find(origin)
    return id < 0 || id >= this.cap || !this.isOrigin(id) ? [origin, 0, 0] : this.version(id)
  }

  /** Every known origin's version, in the order the origins were first seen. */
  versions (): OriginVersion[] {
    const out: OriginVersion[] = []
    for (let i = 0; i < this.origins; i++) out.push(this.version(this.originOrder[i] as number))
    return out
  }

  /**
   * Origins whose version changed since the last call: the runtime persists
   * these watermarks so a restart does not refetch everything.
   */
  takeDirtyVersions (): OriginVersion[] {
    const out: OriginVersion[] = []
    for (const id of this.dirtyList) {
      out.push(this.version(id))
      this.setFlags(id, this.flags(id) & ~DIRTY)
    }
    if (this.dirtyList.length > 0) this.dirtyList = []
    return out
  }

  /** Restore persisted versions (at start, before any merge). */
  restoreVersion ([origin, upTo, max]: OriginVersion): void {
    const id = this.names.intern(origin)
    this.ensureOrigin(id)
    const at = this.vat(id)
    const before = this.ver[at] as number
    const beforeMax = this.ver[at + 1] as number
    this.ver[at] = Math.max(before, upTo)
    this.ver[at + 1] = Math.max(beforeMax, max, upTo)
    this.followPending(id)
    this.logVersion(id, before, beforeMax)
    this.rehash(id)
  }

  /** The digest folded to `bucketCount` buckets (a power of two up to 1024). */
  digest (bucketCount: number): number[] {
    this.settle()
    if (bucketCount === 1) return [this.fineTotal >>> 0]
    const out = new Array<number>(bucketCount).fill(0)
    if (bucketCount === DIGEST_BUCKETS_FINE) {
      for (let i = 0; i < DIGEST_BUCKETS_FINE; i++) out[i] = this.buckets[this.bucketsAt + i] as number
      return out
    }
    const mask = bucketCount - 1
    // A hello's few buckets fold from the kept top level (16 reads instead of 1,024: 8,000 hellos a simulated second at 10,000 nodes).
    const b = this.buckets
    const [start, end] = bucketCount <= TOP_BUCKETS ? [DIGEST_BUCKETS_FINE, DIGEST_BUCKETS_FINE + TOP_BUCKETS] : [0, DIGEST_BUCKETS_FINE]
    const at = this.bucketsAt
    for (let i = start; i < end; i++) out[i & mask] = ((out[i & mask] as number) ^ (b[at + i] as number)) >>> 0
    return out
  }

  /** Indices of the buckets where `theirs` differs from ours. */
  differingBuckets (theirs: readonly number[]): number[] {
    this.settle()
    const n = theirs.length
    const out: number[] = []
    if (n === DIGEST_BUCKETS_FINE) {
      for (let i = 0; i < n; i++) if (this.buckets[this.bucketsAt + i] !== theirs[i]) out.push(i)
      return out
    }
    const mine = this.digest(n)
    for (let i = 0; i < n; i++) if (mine[i] !== theirs[i]) out.push(i)
    return out
  }

  /** Which of `bucketCount` buckets are listed. */
  private static wanted (buckets: readonly number[], bucketCount: number): Uint8Array {
    const wanted = new Uint8Array(bucketCount)
    for (const b of buckets) if (Number.isInteger(b) && b >= 0 && b < bucketCount) wanted[b] = 1
    return wanted
  }

  /** Versions of every origin that falls in one of the given buckets. */
  versionsInBuckets (buckets: readonly number[], bucketCount: number): OriginVersion[] {
    if (buckets.length === 0) return []
    const wanted = Replica.wanted(buckets, bucketCount)
    const mask = bucketCount - 1
    const out: OriginVersion[] = []
    for (let i = 0; i < this.origins; i++) {
      const id = this.originOrder[i] as number
      if (wanted[this.names.hashOf(id) & BUCKET_MASK & mask] === 1) out.push(this.version(id))
    }
    return out
  }

  /**
   * What the other side misses: for every origin in scope whose version
   * differs, every held write of it newer than the other side's `upTo`, in
   * the origin's write (HLC) order. Sections are whole per origin; when
   * `entriesMax` would be exceeded the remaining origins are left out and
   * not listed in `complete`.
   */
  deltaFor (theirs: readonly OriginVersion[], buckets: readonly number[], bucketCount: number, entriesMax: number): { entries: Entry[], complete: OriginVersion[], truncated: boolean } {
    if (buckets.length === 0) return { entries: [], complete: [], truncated: false }
    const theirMap = new Map<NodeName, OriginVersion>()
    for (const v of theirs) theirMap.set(v[0], v)
    const wanted = Replica.wanted(buckets, bucketCount)
    const mask = bucketCount - 1
    const entries: Entry[] = []
    const complete: OriginVersion[] = []
    let extras: Map<NodeName, Entry[]> | undefined
    let truncated = false
    for (let i = 0; i < this.origins; i++) {
      const id = this.originOrder[i] as number
      if (wanted[this.names.hashOf(id) & BUCKET_MASK & mask] !== 1) continue
      const origin = this.names.nameOf(id)
      const upTo = this.ver[this.vat(id)] as number
      const max = this.ver[this.vat(id) + 1] as number
      const their = theirMap.get(origin)
      const theirUpTo = their?.[1] ?? 0
      if (their !== undefined && their[1] === upTo && their[2] === max) continue
      const section: Entry[] = []
      if (max > theirUpTo) {
        const base = id * ROW
        for (let f = 0; f < ROW; f++) {
          const r = this.rows[base + f] as number
          if (r === 0) continue
          const e = this.pool.get(r - 1)
          if (e.hlc > theirUpTo && e.origin === origin) section.push(e)
        }
        if ((this.ver[this.vat(id) + 3] as number) > 0) {
          extras ??= this.extrasByOrigin()
          for (const e of extras.get(origin) ?? []) if (e.hlc > theirUpTo) section.push(e)
        }
      }
      // The origin's writes in the order it made them (its HLC order), so the receiver links them in turn.
      if (section.length > 1) section.sort(byHlc)
      if (entries.length + section.length > entriesMax && entries.length > 0) {
        truncated = true
        continue
      }
      for (const e of section) entries.push(e)
      complete.push([origin, upTo, max])
    }
    return { entries, complete, truncated }
  }

  /** Held entries outside their origin's row, by origin (a scan: a sync needs them rarely). */
  private extrasByOrigin (): Map<NodeName, Entry[]> {
    const out = new Map<NodeName, Entry[]>()
    const add = (e: Entry): void => {
      const list = out.get(e.origin)
      if (list === undefined) out.set(e.origin, [e])
      else list.push(e)
    }
    this.forEachKeyed(add)
    if (this.foreignMembers > 0) {
      for (let id = 0; id < this.cap; id++) {
        const r = this.rows[id * ROW] as number
        if (r === 0) continue
        const e = this.pool.get(r - 1)
        if (e.origin !== this.names.nameOf(id)) add(e)
      }
    }
    return out
  }

  /**
   * Drop tombstones older than the grace period. Returns the removed keys.
   * Versions are untouched: the deletes stay "seen", so they are not refetched.
   */
  collectTombstones (nowWallMs: number, graceMs: number): EntryKey[] {
    const removed: EntryKey[] = []
    for (const key of this.tombstones) {
      const slot = this.locate(key, false)
      const e = this.held(slot) as Entry
      if (hlcWallMs(e.hlc) + graceMs <= nowWallMs) {
        this.undo?.logChange(key, e)
        if (slot >= 0) {
          this.pool.release((this.rows[slot] as number) - 1)
          this.rows[slot] = 0
        } else {
          const k = FIRST_KEY - slot
          this.pool.release((this.keyed[k] as number) - 1)
          this.keyed[k] = 0
          this.keys.release(k)
          if (key === this.lastKey) this.lastKey = ''
        }
        this.count--
        this.release(e, slot)
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
    for (const e of this.all()) {
      h = (h ^ mixSafeInt(mixSafeInt(hashString(e.key), e.hlc), hashString(e.origin + canonicalJson(e.value)))) >>> 0
    }
    return `${this.count}:${h.toString(16)}`
  }
}
