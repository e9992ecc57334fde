/**
 * The local view of membership, mirrored from the `member/<name>` entries of
 * the replicated state, with the two indexes probing needs in O(1):
 * a randomised round-robin probe order (memberlist's "shuffle, walk, reshuffle",
 * new members swapped in at a random position) and an array of probeable
 * members for random picks (indirect helpers, sync partners).
 *
 * Every node knows every member, so the table is kept in columns by the
 * interned name id (see NameTable) rather than one object per member.
 */
import { NameTable } from '../names.js'
import { shuffleInPlace } from '../rng.js'
import type { Rng } from '../rng.js'
import type { Liveness, MemberRecord, NodeName } from '../types.js'

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

export class MemberTable {
  private readonly self: NodeName
  private readonly names: NameTable
  private cap = 0
  private status = new Uint8Array(0)
  private incarnation = new Float64Array(0)
  /** Index in `active` + 1; 0 when not active. */
  private activePos = new Int32Array(0)
  private readonly active: NodeName[] = []
  /** Members declared dead (not left): partners for Serf-style reconnects after a partition heals. */
  private readonly deadSet = new Set<NodeName>()
  private order: NodeName[] = []
  private orderPos = 0
  /** The last name looked up and its id (a member write looks its member up several times). */
  private lastName = ''
  private lastId = -1

  /** `names` may be shared with the replica and other cores (see NameTable). */
  constructor (self: NodeName, names: NameTable = new NameTable()) {
    this.self = self
    this.names = names
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
    const names = this.names.size
    const cap = Math.max(id + 1, Math.min(2 * this.cap, names + (names >> 3)), 16)
    const status = new Uint8Array(cap)
    status.set(this.status)
    this.status = status
    const incarnation = new Float64Array(cap)
    incarnation.set(this.incarnation)
    this.incarnation = incarnation
    const activePos = new Int32Array(cap)
    activePos.set(this.activePos)
    this.activePos = activePos
    this.cap = cap
  }

  get (name: NodeName): MemberView | undefined {
    const id = this.idOf(name)
    return id < 0 ? undefined : { name: this.names.nameOf(id), incarnation: this.incarnation[id] as number, status: STATUSES[(this.status[id] as number) - 1] as Liveness }
  }

  /** The member's status, or undefined when it has no record: `get(name)?.status` without a view object. */
  statusOf (name: NodeName): Liveness | undefined {
    const id = this.idOf(name)
    return id < 0 ? undefined : STATUSES[(this.status[id] as number) - 1]
  }

  /** The member's incarnation, or undefined when it has no record. */
  incarnationOf (name: NodeName): number | undefined {
    const id = this.idOf(name)
    return id < 0 ? undefined : this.incarnation[id]
  }

  /** Every member with a record, self included. */
  * all (): Generator<MemberView> {
    for (let id = 0; id < this.cap; id++) {
      if (this.status[id] !== 0) yield { name: this.names.nameOf(id), incarnation: this.incarnation[id] as number, status: STATUSES[(this.status[id] as number) - 1] as Liveness }
    }
  }

  /** Members that are alive or suspect, self included: the N of every scaling rule. */
  get clusterSize (): number {
    const s = this.statusOf(this.self)
    return this.active.length + (s === 'alive' || s === 'suspect' ? 1 : 0)
  }

  /** Probeable members other than self (alive or suspect). */
  get others (): readonly NodeName[] {
    return this.active
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
    const code = this.status[id] as number
    const before = code === 0 ? undefined : STATUSES[code - 1]
    this.status[id] = statusCode(rec.status)
    this.incarnation[id] = rec.incarnation
    if (name === this.self) return before
    if (rec.status === 'dead') this.deadSet.add(name)
    else this.deadSet.delete(name)
    const wasActive = this.activePos[id] !== 0
    const isActive = rec.status === 'alive' || rec.status === 'suspect'
    if (isActive && !wasActive) {
      this.active.push(name)
      this.activePos[id] = this.active.length
      // Put it at a random position of the remaining walk so a newcomer is probed within one pass;
      // the member there moves to the end (memberlist's swap: O(1), where a splice was O(N)).
      const at = this.orderPos + rng.int(this.order.length - this.orderPos + 1)
      this.order.push(name)
      const last = this.order.length - 1
      if (at !== last) {
        this.order[last] = this.order[at] as NodeName
        this.order[at] = name
      }
    } else if (!isActive && wasActive) {
      const i = (this.activePos[id] as number) - 1
      const last = this.active.pop() as NodeName
      if (last !== name) {
        this.active[i] = last
        this.activePos[this.names.find(last)] = i + 1
      }
      this.activePos[id] = 0
    }
    return before
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
    for (let guard = 0; guard < 2; guard++) {
      while (this.orderPos < this.order.length) {
        const name = this.order[this.orderPos++] as NodeName
        if (this.isProbeable(name)) return name
      }
      this.order = shuffleInPlace([...this.active], rng)
      this.orderPos = 0
    }
    return undefined
  }
}
