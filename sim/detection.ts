/**
 * Failure-detection metrics from the `member` effects every core emits:
 * for each crash, the time until each node that was up at the crash (and
 * stayed up) declares the crashed node `dead`; suspicions and deaths of
 * nodes whose process is running are false. Deaths while a partition lasts
 * and for PARTITION_AFTERMATH_MS after it heals are counted apart: the node
 * is alive but was unreachable, and SWIM is meant to declare it.
 * Detection everywhere is also reported without the observers that were
 * themselves stalled while they waited.
 */
import { EXAMPLES_MAX } from './constants.js'
import type { MemberEffect, World } from './world.js'

interface Crash {
  node: number
  atMs: number
  waiting: Set<number>
  lastMs: number
  /** The last verdict of an observer whose loop did not stall between the crash and its verdict. */
  lastActiveMs: number
  open: boolean
}

export interface DetectionCounts {
  crashes: number
  detectedEverywhere: number
  /** Crashed nodes that came back (restart) before every survivor had declared them dead. */
  restartedFirst: number
  /** Distinct suspicions (node, incarnation) of a node whose process was running. */
  falseSuspicions: number
  /** ... of which the node's loop was stalled when the first observer heard of it. */
  falseSuspicionsOfStalled: number
  /** The same counted per observer: every node that took the false suspicion on. */
  falseSuspicionViews: number
  /** Distinct deaths (node, incarnation) of a node whose process was running and reachable. */
  falseDeaths: number
  falseDeathViews: number
  /** Distinct deaths of a running node declared across a partition (or in its aftermath). */
  partitionDeaths: number
  /** Distinct suspicions of a running node while a partition lasted (or in its aftermath). */
  partitionSuspicions: number
  examples: string[]
}

export class DetectionMetrics {
  private readonly world: World
  private readonly crashes = new Map<number, Crash>()
  /** Per (crash, observer): crash -> dead at that observer, ms. */
  readonly perObserverMs: number[] = []
  /** Per crash: crash -> dead at every survivor, ms. */
  readonly everywhereMs: number[] = []
  /**
   * Per crash: crash -> dead at every survivor whose own loop did not stall
   * while it waited. A stalled observer learns of the death only after its
   * stall, so the figure above mixes detection with the stalls themselves.
   */
  readonly everywhereActiveMs: number[] = []
  readonly counts: DetectionCounts = { crashes: 0, detectedEverywhere: 0, restartedFirst: 0, falseSuspicions: 0, falseSuspicionsOfStalled: 0, falseSuspicionViews: 0, falseDeaths: 0, falseDeathViews: 0, partitionDeaths: 0, partitionSuspicions: 0, examples: [] }
  private readonly seen = new Set<string>()
  measuring = false
  /** Deaths of running nodes until then are counted as the partition's (see onMember). */
  partitionAftermathUntilMs = 0

  constructor (world: World) {
    this.world = world
  }

  onCrash (node: number): void {
    if (!this.measuring) return
    this.counts.crashes++
    const waiting = new Set(this.world.upNodes())
    this.crashes.set(node, { node, atMs: this.world.now, waiting, lastMs: this.world.now, lastActiveMs: this.world.now, open: true })
  }

  /** A node came back or left for good: its crash record closes; as an observer it no longer counts. */
  onGone (node: number, restarted: boolean): void {
    const c = this.crashes.get(node)
    if (c !== undefined && c.open && restarted) {
      c.open = false
      this.counts.restartedFirst++
    }
    if (restarted) this.crashes.delete(node)
    for (const other of this.crashes.values()) {
      if (other.open && other.waiting.delete(node)) this.maybeDone(other)
    }
  }

  private maybeDone (c: Crash): void {
    if (!c.open || c.waiting.size > 0) return
    c.open = false
    this.counts.detectedEverywhere++
    this.everywhereMs.push(c.lastMs - c.atMs)
    this.everywhereActiveMs.push(c.lastActiveMs - c.atMs)
  }

  onMember (observer: number, e: MemberEffect, atMs: number): void {
    if (e.to !== 'dead' && e.to !== 'suspect') return
    const target = this.world.indexOf(e.name)
    if (target === undefined) return
    const tn = this.world.node(target)
    if (e.to === 'dead') {
      const c = this.crashes.get(target)
      if (tn.status !== 'up') {
        if (c !== undefined && c.open && c.waiting.delete(observer)) {
          this.perObserverMs.push(atMs - c.atMs)
          c.lastMs = atMs
          // Stalls of one node are far apart, so its latest stall is the only one that can overlap the wait.
          if (this.world.node(observer).stalledUntilMs <= c.atMs) c.lastActiveMs = atMs
          this.maybeDone(c)
        }
        return
      }
      if (!this.measuring) return
      // Verdicts reached across a cut keep spreading after the heal (by sync and
      // gossip, to nodes on the target's own side too): all of them are the
      // partition's doing, not false deaths.
      const cut = this.world.net.partitioned || atMs < this.partitionAftermathUntilMs
      if (!cut) this.counts.falseDeathViews++
      if (!this.first(`dead:${cut ? 'cut' : 'ok'}:${e.name}:${e.incarnation}`)) return
      if (cut) this.counts.partitionDeaths++
      else this.counts.falseDeaths++
      if (!cut) this.example(`${(atMs / 1000).toFixed(3)} s: ${this.world.node(observer).name} declared ${e.name} dead while it ran (incarnation ${e.incarnation})`)
    } else if (e.to === 'suspect' && tn.status === 'up' && this.measuring) {
      if (this.world.net.partitioned || atMs < this.partitionAftermathUntilMs) {
        if (this.first(`suspect:cut:${e.name}:${e.incarnation}`)) this.counts.partitionSuspicions++
        return
      }
      this.counts.falseSuspicionViews++
      if (!this.first(`suspect:${e.name}:${e.incarnation}`)) return
      this.counts.falseSuspicions++
      if (tn.stalledUntilMs > atMs) this.counts.falseSuspicionsOfStalled++
    }
  }

  /** True the first time `key` is seen. */
  private first (key: string): boolean {
    if (this.seen.has(key)) return false
    this.seen.add(key)
    return true
  }

  private example (s: string): void {
    if (this.counts.examples.length < EXAMPLES_MAX) this.counts.examples.push(s)
  }
}
