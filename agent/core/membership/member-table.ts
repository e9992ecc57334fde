/**
 * The local view of membership, mirrored from the `member/<name>` entries of
 * the replicated state, with the two indexes probing needs in O(1):
 * a randomised round-robin probe order (memberlist's "shuffle, walk, reshuffle",
 * new members swapped in at a random position) and an array of probeable
 * members for random picks (indirect helpers, sync partners).
 *
 * Every node knows every member, so the table is kept in typed columns by
 * interned name id (see NameTable): no object, Map slot or name pointer per
 * member.
 */
import { NameTable } from '../names.js'
import { shuffleInPlace } from '../rng.js'
import type { Rng } from '../rng.js'
import type { Liveness, MemberRecord, NodeName } from '../types.js'
import { grown, newColumn } from '../columns.js'
import type { ColumnMaker } from '../columns.js'

export interface MemberView extends MemberRecord {
  name: NodeName
}

/** Status codes of the `status` column; 0 is "no record". */
const STATUSES: readonly Liveness[] = ['alive', 'suspect', 'dead', 'left']

function statusCode (s: Liveness): number {
  switch (s) {
    case 'alive': return 1
    case 'suspect': return 2
    case 'dead': return 3
    default: return 4
  }
}

/** `a` with room for `n` ints, grown to `size` (copying) when it has less. */
function withRoom (a: Int32Array, n: number, size: number, make: ColumnMaker | undefined): Int32Array {
  if (n <= a.length) return a
  const bigger = newColumn(Int32Array, Math.max(n, size), make)
  bigger.set(a)
  return bigger
}

/** Swaps into the probe walk held back at most (see `MemberTable.walkLog`): 4 KB of log. */
const WALK_LOG_MAX = 512

export class MemberTable {
  private readonly self: NodeName
  private readonly names: NameTable
  private cap = 0
  private status = new Uint8Array(0)
  private incarnation = new Float64Array(0)
  /** Index in `active` + 1; 0 when not active. */
  private activePos = new Int32Array(0)
  /** Ids of the probeable members other than self, in `others` order. */
  private active: Int32Array = new Int32Array(0)
  private activeCount = 0
  /** Members declared dead (not left): partners for Serf-style reconnects after a partition heals. */
  private readonly deadSet = new Set<NodeName>()
  /** The probe walk: ids, some of which may have stopped being probeable since. */
  private order: Int32Array = new Int32Array(0)
  private orderLength = 0
  private orderPos = 0
  /**
   * Newcomers swapped into the walk but not yet written to `order`: (position,
   * id) pairs, the k-th for walk slot `orderLength - walkLogCount + k` (see
   * `record`). A formed simulated node takes in thousands of members between
   * two probes, each swap a cache miss at a random place of a cold `order`;
   * written together, the swaps' misses overlap and the later swaps find the
   * lines the earlier ones brought in. Everything that reads `order` writes
   * the log first.
   */
  private walkLog: Int32Array | undefined
  private walkLogCount = 0
  /**
   * Whether a member of the walk stopped being probeable since the walk was
   * last shuffled. Until one does, every id in the walk is probeable and the
   * walk need not look each up in `activePos` (a cache miss per probe at
   * 10,000 simulated nodes, for a steady fleet's answer that is always yes).
   */
  private walkHasDropped = false
  /** The last name looked up and its id (a member write looks its member up several times). */
  /** Self's id in `names` once interned (-1 until then). */
  private selfId = -1
  private lastName = ''
  private lastId = -1

  /** `names` may be shared with the replica and other cores (see NameTable). */
  constructor (self: NodeName, names: NameTable = new NameTable()) {
    this.self = self
    this.names = names
  }

  /** Room for a member table of the size of the name table and an eighth. */
  private get roomy (): number {
    const names = this.names.size
    return names + (names >> 3)
  }

  /** The member's id, or -1 when it has no record here. */
  private idOf (name: NodeName): number {
    if (name === this.lastName) return this.lastId
    const id = this.names.find(name)
    if (id < 0 || id >= this.cap || this.status[id] === 0) return -1
    this.lastName = name
    this.lastId = id
    return id
  }

  private ensure (id: number): void {
    if (id < this.cap) return
    const cap = Math.max(id + 1, this.roomy, 16)
    const make = this.names.makeColumn
    this.status = grown(this.status, cap, make)
    this.incarnation = grown(this.incarnation, cap, make)
    this.activePos = grown(this.activePos, cap, make)
    this.cap = cap
  }

  private view (id: number): MemberView {
    return { name: this.names.nameOf(id), incarnation: this.incarnation[id] as number, status: STATUSES[(this.status[id] as number) - 1] as Liveness }
  }

  get (name: NodeName): MemberView | undefined {
    const id = this.idOf(name)
    return id < 0 ? undefined : this.view(id)
  }

  /** The member's status, or undefined when it has no record: `get(name)?.status` without a view object. */
  statusOf (name: NodeName): Liveness | undefined {
    const id = this.idOf(name)
    return id < 0 ? undefined : STATUSES[(this.status[id] as number) - 1]
  }

  /**
   * `statusOf` by the member's id in this table's NameTable (-1: none): for
   * callers that hold the ids already, such as the simulator's checkers, which
   * ask every node about every node (10^8 lookups at 10,000 nodes).
   */
  statusOfId (id: number): Liveness | undefined {
    return id < 0 || id >= this.cap || this.status[id] === 0 ? undefined : STATUSES[(this.status[id] as number) - 1]
  }

  /** The member's incarnation, or undefined when it has no record. */
  incarnationOf (name: NodeName): number | undefined {
    const id = this.idOf(name)
    return id < 0 ? undefined : this.incarnation[id]
  }

  /** `incarnationOf` by the member's id (see `statusOfId`). */
  incarnationOfId (id: number): number | undefined {
    return id < 0 || id >= this.cap || this.status[id] === 0 ? undefined : this.incarnation[id]
  }

  /** Every member with a record, self included. */
  * all (): Generator<MemberView> {
    for (let id = 0; id < this.cap; id++) if (this.status[id] !== 0) yield this.view(id)
  }

  /** Members that are alive or suspect, self included: the N of every scaling rule. */
  get clusterSize (): number {
    // Self's id is looked up once (a name lookup per call was a cache miss per sync round at 10,000 nodes).
    let id = this.selfId
    if (id < 0) this.selfId = id = this.names.find(this.self)
    const s = id < 0 || id >= this.cap ? 0 : this.status[id]
    return this.activeCount + (s === 1 || s === 2 ? 1 : 0)
  }

  /** Probeable members other than self (alive or suspect). A new array: `sampleOthers` picks without one. */
  get others (): readonly NodeName[] {
    const out: NodeName[] = []
    for (let i = 0; i < this.activeCount; i++) out.push(this.names.nameOf(this.active[i] as number))
    return out
  }

  /**
   * `sample(others without except, count, rng)`: the same draws and the same
   * picks, without building the list of every probeable member.
   */
  sampleOthers (count: number, rng: Rng, except?: NodeName): NodeName[] {
    const exceptId = except === undefined ? -1 : this.idOf(except)
    const skip = exceptId >= 0 && this.activePos[exceptId] !== 0 ? (this.activePos[exceptId] as number) - 1 : this.activeCount
    const length = skip < this.activeCount ? this.activeCount - 1 : this.activeCount
    const at = (i: number): NodeName => this.names.nameOf(this.active[i < skip ? i : i + 1] as number)
    if (count >= length) {
      const all: NodeName[] = []
      for (let i = 0; i < length; i++) all.push(at(i))
      return shuffleInPlace(all, rng)
    }
    const picked = new Set<number>()
    const out: NodeName[] = []
    while (out.length < count) {
      const i = rng.int(length)
      if (picked.has(i)) continue
      picked.add(i)
      out.push(at(i))
    }
    return out
  }

  /** A member other than self that is alive or suspect. */
  isProbeable (name: NodeName): boolean {
    const id = this.idOf(name)
    return id >= 0 && this.activePos[id] !== 0
  }

  /** Record a member's current record; returns the previous status. */
  set (name: NodeName, rec: MemberRecord, rng: Rng): Liveness | undefined {
    let id = this.idOf(name)
    if (id < 0) {
      id = this.names.intern(name)
      this.ensure(id)
    }
    return this.record(id, name, rec, rng)
  }

  /** `set` by the member's id in this table's NameTable (one interned already). */
  setId (id: number, rec: MemberRecord, rng: Rng): Liveness | undefined {
    this.ensure(id)
    return this.record(id, this.names.nameOf(id), rec, rng)
  }

  private record (id: number, name: NodeName, rec: MemberRecord, rng: Rng): Liveness | undefined {
    const code = this.status[id] as number
    const before = code === 0 ? undefined : STATUSES[code - 1]
    this.status[id] = statusCode(rec.status)
    this.incarnation[id] = rec.incarnation
    if (name === this.self) return before
    if (rec.status === 'dead') this.deadSet.add(name)
    else if (this.deadSet.size > 0) this.deadSet.delete(name)
    const wasActive = this.activePos[id] !== 0
    const isActive = rec.status === 'alive' || rec.status === 'suspect'
    if (isActive && !wasActive) {
      this.active = withRoom(this.active, this.activeCount + 1, this.roomy, this.names.makeColumn)
      this.active[this.activeCount++] = id
      this.activePos[id] = this.activeCount
      // Put it at a random position of the remaining walk so a newcomer is probed within one pass;
      // the member there moves to the end (memberlist's swap: O(1), where a splice was O(N)).
      const at = this.orderPos + rng.int(this.orderLength - this.orderPos + 1)
      if (this.orderLength + 1 > this.order.length) {
        this.writeWalkLog()
        this.order = withRoom(this.order, this.orderLength + 1, this.roomy, this.names.makeColumn)
      }
      const log = this.walkLog ??= newColumn(Int32Array, 2 * WALK_LOG_MAX, this.names.makeColumn)
      log[2 * this.walkLogCount] = at
      log[2 * this.walkLogCount + 1] = id
      this.orderLength++
      if (++this.walkLogCount === WALK_LOG_MAX) this.writeWalkLog()
    } else if (!isActive && wasActive) {
      this.walkHasDropped = true
      const i = (this.activePos[id] as number) - 1
      const last = this.active[--this.activeCount] as number
      if (last !== id) {
        this.active[i] = last
        this.activePos[last] = i + 1
      }
      this.activePos[id] = 0
    }
    return before
  }

  /** Write the logged swaps into the walk, in the order they were made (memberlist's swap each). */
  private writeWalkLog (): void {
    const n = this.walkLogCount
    if (n === 0) return
    const log = this.walkLog as Int32Array
    const order = this.order
    let last = this.orderLength - n
    for (let k = 0; k < 2 * n; k += 2, last++) {
      const at = log[k] as number
      order[last] = order[at] as number
      order[at] = log[k + 1] as number
    }
    this.walkLogCount = 0
  }

  /** One member declared dead, picked at random, or undefined. */
  randomDead (rng: Rng): NodeName | undefined {
    if (this.deadSet.size === 0) return undefined
    let i = rng.int(this.deadSet.size)
    for (const name of this.deadSet) if (i-- === 0) return name
    return undefined
  }

  /** The next member to probe, or undefined when there is nobody to probe. */
  nextProbeTarget (rng: Rng): NodeName | undefined {
    this.writeWalkLog()
    for (let guard = 0; guard < 2; guard++) {
      while (this.orderPos < this.orderLength) {
        const id = this.order[this.orderPos++] as number
        if (!this.walkHasDropped || this.activePos[id] !== 0) return this.names.nameOf(id)
      }
      // Reshuffle: a Fisher-Yates pass over a copy of the probeable members (shuffleInPlace's draws).
      const order = withRoom(this.order, this.activeCount, this.roomy, this.names.makeColumn)
      order.set(this.active.subarray(0, this.activeCount))
      for (let i = this.activeCount - 1; i > 0; i--) {
        const j = rng.int(i + 1)
        const tmp = order[i] as number
        order[i] = order[j] as number
        order[j] = tmp
      }
      this.order = order
      this.orderLength = this.activeCount
      this.orderPos = 0
      this.walkHasDropped = false
    }
    return undefined
  }
}
