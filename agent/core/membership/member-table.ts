/**
 * The local view of membership, mirrored from the `member/<name>` entries of
 * the replicated state, with the two indexes probing needs in O(1):
 * a randomised round-robin probe order (memberlist's "shuffle, walk, reshuffle",
 * new members swapped in at a random position) and an array of probeable
 * members for random picks (indirect helpers, sync partners).
 */
import { shuffleInPlace } from '../rng.js'
import type { Rng } from '../rng.js'
import type { Liveness, MemberRecord, NodeName } from '../types.js'

export interface MemberView extends MemberRecord {
  name: NodeName
  /** Monotonic time of the last status change seen here. */
  changedAtMonoMs: number
}

export class MemberTable {
  private readonly self: NodeName
  private readonly members = new Map<NodeName, MemberView>()
  private readonly active: NodeName[] = []
  private readonly activeIndex = new Map<NodeName, number>()
  /** Members declared dead (not left): partners for Serf-style reconnects after a partition heals. */
  private readonly deadSet = new Set<NodeName>()
  private order: NodeName[] = []
  private orderPos = 0

  constructor (self: NodeName) {
    this.self = self
  }

  get (name: NodeName): MemberView | undefined {
    return this.members.get(name)
  }

  all (): IterableIterator<MemberView> {
    return this.members.values()
  }

  /** Members that are alive or suspect, self included: the N of every scaling rule. */
  get clusterSize (): number {
    return this.active.length + (this.isActiveStatus(this.members.get(this.self)?.status) ? 1 : 0)
  }

  /** Probeable members other than self (alive or suspect). */
  get others (): readonly NodeName[] {
    return this.active
  }

  /** A member other than self that is alive or suspect. */
  isProbeable (name: NodeName): boolean {
    return this.activeIndex.has(name)
  }

  private isActiveStatus (s: Liveness | undefined): boolean {
    return s === 'alive' || s === 'suspect'
  }

  /** Record a member's current record; returns the previous status. */
  set (name: NodeName, rec: MemberRecord, nowMonoMs: number, rng: Rng): Liveness | undefined {
    const before = this.members.get(name)
    const changed = before?.status !== rec.status
    this.members.set(name, { name, incarnation: rec.incarnation, status: rec.status, changedAtMonoMs: changed ? nowMonoMs : (before?.changedAtMonoMs ?? nowMonoMs) })
    if (name === this.self) return before?.status
    if (rec.status === 'dead') this.deadSet.add(name)
    else this.deadSet.delete(name)
    const wasActive = this.activeIndex.has(name)
    const isActive = this.isActiveStatus(rec.status)
    if (isActive && !wasActive) {
      this.activeIndex.set(name, this.active.length)
      this.active.push(name)
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
      const i = this.activeIndex.get(name) as number
      const last = this.active.pop() as NodeName
      if (last !== name) {
        this.active[i] = last
        this.activeIndex.set(last, i)
      }
      this.activeIndex.delete(name)
    }
    return before?.status
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
        if (this.activeIndex.has(name)) return name
      }
      this.order = shuffleInPlace([...this.active], rng)
      this.orderPos = 0
    }
    return undefined
  }
}
