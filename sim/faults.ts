/**
 * The fault phase: churn, stalls, scheduled events (crash, restart, leave,
 * join, stall, partition) and the write workload, all drawn from a
 * generator of their own, seeded from the run's seed: the fault schedule
 * (which nodes are stall-prone, when they stall, which crash, where the
 * writes go) does not depend on how many draws the gossip model or the
 * cores made before, so two runs of one seed that differ in a protocol
 * parameter face the same faults and can be compared. Faults only start at `warmupS` and stop at `durationS`;
 * `active` turns false when the liveness phase begins, which also cancels
 * restarts and joins still pending (nodes down then stay down).
 */
import type { Scenario, ScheduledEvent } from './scenario/index.js'
import { seededRng } from '../agent/core/index.js'
import type { Rng } from '../agent/core/index.js'
import type { World } from './world.js'

export interface FaultHooks {
  crash: (node: number) => void
  restart: (node: number) => void
  leave: (node: number) => void
  join: () => number
  partition: (side: number[], oneWay: boolean, durationMs: number) => void
  write: (node: number, field: string, deleted: boolean) => void
}

function exp (rng: Rng, meanMs: number): number {
  return -Math.log(1 - rng.next()) * meanMs
}

/** The fault schedule's generator for a run seed (its own stream, see above). */
export function faultRng (seed: number): Rng {
  return seededRng((seed ^ 0x5bd1e995) >>> 0)
}

/** Whether a scenario's faults can crash a node: churn that does not only leave, or a scheduled crash. */
export function scenarioCrashes (s: Scenario): boolean {
  return (s.churn.ratePerMin > 0 && s.churn.leaveFraction < 1) || s.events.some((e) => e.kind === 'crash')
}

export class FaultPlan {
  private readonly w: World
  private readonly s: Scenario
  private readonly hooks: FaultHooks
  private readonly rng: Rng
  active = true

  constructor (w: World, hooks: FaultHooks, rng: Rng) {
    this.w = w
    this.s = w.scenario
    this.hooks = hooks
    this.rng = rng
  }

  private get endMs (): number {
    return this.s.durationS * 1000
  }

  /** Schedule everything; call once after the initial fleet is scheduled. */
  start (): void {
    const startMs = this.s.warmupS * 1000
    const churnPerS = (this.s.churn.ratePerMin * this.s.nodes) / 60
    if (churnPerS > 0) this.every(startMs, 1000 / churnPerS, () => this.churnOne())
    if (this.s.workload.writesPerS > 0) this.every(startMs, 1000 / this.s.workload.writesPerS, () => this.writeOne())
    this.w.at(startMs, () => this.startStalls())
    for (const ev of this.s.events) this.w.at(ev.atS * 1000, () => this.run(ev))
  }

  /** A Poisson process with the given mean gap, until the end of the fault phase. */
  private every (fromMs: number, meanGapMs: number, fn: () => void): void {
    const next = (atMs: number): void => {
      if (atMs >= this.endMs) return
      this.w.at(atMs, () => {
        if (!this.active) return
        fn()
        next(this.w.now + exp(this.rng, meanGapMs))
      })
    }
    next(fromMs + exp(this.rng, meanGapMs))
  }

  private pickUp (): number | undefined {
    const up = this.w.upNodes()
    return up.length === 0 ? undefined : up[this.rng.int(up.length)]
  }

  private downtimeMs (): number {
    const [lo, hi] = this.s.churn.downtimeS
    return (lo + this.rng.next() * (hi - lo)) * 1000
  }

  private later (delayMs: number, fn: () => void): void {
    this.w.at(this.w.now + delayMs, () => { if (this.active) fn() })
  }

  private churnOne (): void {
    const node = this.pickUp()
    if (node === undefined) return
    if (this.rng.next() < this.s.churn.leaveFraction) {
      this.hooks.leave(node)
      this.later(this.downtimeMs(), () => this.hooks.join())
    } else {
      this.hooks.crash(node)
      this.later(this.downtimeMs(), () => this.hooks.restart(node))
    }
  }

  private writeOne (): void {
    const node = this.pickUp()
    if (node === undefined) return
    const field = `app${this.rng.int(this.s.workload.fieldsPerNode)}`
    this.hooks.write(node, field, this.rng.next() < this.s.workload.deleteFraction)
  }

  private startStalls (): void {
    const { fraction, durationMs, meanIntervalS } = this.s.stalls
    if (fraction <= 0) return
    const up = [...this.w.upNodes()].sort((a, b) => a - b)
    const prone = up.filter(() => this.rng.next() < fraction)
    for (const node of prone) this.every(this.w.now, meanIntervalS * 1000, () => this.w.stall(node, durationMs))
  }

  /** The nodes an event applies to: named ones, or `count` random up (or, for restart, down) nodes. */
  private targets (ev: ScheduledEvent): number[] {
    if (ev.nodes.length > 0) return ev.nodes.map((n) => this.w.indexOf(n)).filter((i): i is number => i !== undefined)
    const pool = ev.kind === 'restart' ? this.w.nodes.filter((n) => n.status === 'down').map((n) => n.idx) : [...this.w.upNodes()]
    const out: number[] = []
    while (out.length < ev.count && pool.length > 0) out.push(pool.splice(this.rng.int(pool.length), 1)[0] as number)
    return out
  }

  private run (ev: ScheduledEvent): void {
    if (!this.active) return
    const durMs = ev.durationS * 1000
    switch (ev.kind) {
      case 'crash':
        for (const n of this.targets(ev)) {
          this.hooks.crash(n)
          if (durMs > 0) this.later(durMs, () => this.hooks.restart(n))
        }
        return
      case 'restart':
        for (const n of this.targets(ev)) this.hooks.restart(n)
        return
      case 'leave':
        for (const n of this.targets(ev)) this.hooks.leave(n)
        return
      case 'join':
        for (let i = 0; i < Math.max(1, ev.count); i++) this.hooks.join()
        return
      case 'stall':
        for (const n of this.targets(ev)) this.w.stall(n, durMs)
        return
      case 'partition': {
        const up = [...this.w.upNodes()]
        const side: number[] = []
        const want = Math.round(ev.fraction * up.length)
        while (side.length < want && up.length > 0) side.push(up.splice(this.rng.int(up.length), 1)[0] as number)
        this.hooks.partition(side.sort((a, b) => a - b), ev.oneWay, durMs)
        return
      }
      default: {
        const never: never = ev.kind
        throw new Error(`unknown event kind ${String(never)}`)
      }
    }
  }
}
