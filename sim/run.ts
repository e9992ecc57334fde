/**
 * One simulation run, VOPR style: seed -> world -> fault phase (churn,
 * partitions, loss, stalls, writes) -> liveness phase (faults stop, the
 * network heals, every live node must converge) -> checkers -> result.
 * The result is a function of the scenario and the seed: no wall-clock
 * field, no randomness but the seeded generator.
 */
import { CONVERGENCE_CHECK_MS, LEAVE_LINGER_MS, LIVENESS_CHECK_MS, PARTITION_AFTERMATH_MS, PROGRESS_EVERY_MS } from './constants.js'
import { joinSettled, membershipAgrees, versionsAgree } from './convergence.js'
import { DetectionMetrics } from './detection.js'
import { FaultPlan, faultRng, scenarioCrashes } from './faults.js'
import { buildResult, finalChecks } from './result.js'
import type { SimResult } from './result.js'
import type { Scenario } from './scenario/index.js'
import { Sampler } from './sampler.js'
import { WriteTracker } from './writes.js'
import { World } from './world.js'

export interface RunOptions {
  /** Overrides the scenario's seed. */
  seed?: number
  /** The scenario file as the user named it, for the reproduce command. */
  scenarioPath?: string
  /** Called about once per simulated second. */
  onProgress?: (p: { simMs: number, faultEndMs: number, livenessEndMs: number, phase: 'fault' | 'liveness' }) => void
}

export interface Episode { kind: 'heal' | 'join', node?: number, atMs: number, settledMs?: number }

export class Run {
  readonly scenario: Scenario
  readonly seed: number
  readonly world: World
  readonly detection: DetectionMetrics
  readonly writes: WriteTracker
  readonly sampler: Sampler
  readonly faults: FaultPlan
  readonly episodes: Episode[] = []
  readonly gone = new Set<number>()
  private joins = 0
  livenessConvergedMs: number | undefined
  private readonly opts: RunOptions
  readonly scenarioPath: string

  constructor (scenario: Scenario, opts: RunOptions = {}) {
    this.scenario = scenario
    this.opts = opts
    this.seed = opts.seed ?? scenario.seed
    this.scenarioPath = opts.scenarioPath ?? `sim/scenarios/${scenario.name}.yaml`
    // A world whose nodes never crash skips the stores' crash bookkeeping (see WorldOptions).
    this.world = new World(scenario, this.seed, { crashes: scenarioCrashes(scenario) })
    this.detection = new DetectionMetrics(this.world)
    this.writes = new WriteTracker(this.world)
    this.sampler = new Sampler(this.world)
    this.world.observer = {
      onMember: (o, e, t) => this.detection.onMember(o, e, t),
      onApplied: (n, entries) => this.writes.onApplied(n, entries),
      onDurable: (n, entries, atMs) => this.writes.onDurable(n, entries, atMs)
    }
    this.faults = new FaultPlan(this.world, {
      crash: (n) => this.crash(n),
      restart: (n) => this.restart(n),
      leave: (n) => this.leave(n),
      join: () => this.join(),
      partition: (side, oneWay, durMs) => this.partition(side, oneWay, durMs),
      write: (n, field, deleted) => this.write(n, field, deleted)
    }, faultRng(this.seed))
  }

  private nameFor (i: number, prefix: string): string {
    return `${prefix}${String(i).padStart(5, '0')}`
  }

  private skewMs (): number {
    const { fraction, maxMs } = this.scenario.clockSkew
    return this.world.rng.next() < fraction ? Math.round((this.world.rng.next() * 2 - 1) * maxMs) : 0
  }

  private crash (n: number): void {
    if (!this.world.isUp(n)) return
    this.world.crash(n)
    this.gone.add(n)
    this.detection.onGone(n, false)
    this.detection.onCrash(n)
  }

  private restart (n: number): void {
    if (this.world.node(n).status !== 'down') return
    this.detection.onGone(n, true)
    this.world.boot(n)
    this.gone.delete(n)
    this.episodes.push({ kind: 'join', node: n, atMs: this.world.now })
  }

  private leave (n: number): void {
    if (!this.world.isUp(n)) return
    this.world.leave(n, LEAVE_LINGER_MS)
    this.gone.add(n)
    this.detection.onGone(n, false)
  }

  private join (): number {
    const idx = this.world.addNode(this.nameFor(++this.joins, 'j'), this.skewMs())
    this.episodes.push({ kind: 'join', node: idx, atMs: this.world.now })
    return idx
  }

  private partition (side: number[], oneWay: boolean, durMs: number): void {
    this.world.net.partition(side, oneWay)
    this.world.at(this.world.now + durMs, () => {
      if (!this.faults.active) return
      this.world.net.heal()
      this.detection.partitionAftermathUntilMs = this.world.now + PARTITION_AFTERMATH_MS
      this.episodes.push({ kind: 'heal', atMs: this.world.now })
    })
  }

  private write (n: number, field: string, deleted: boolean): void {
    const node = this.world.node(n)
    const value = deleted ? null : { seq: this.writes.writes, pad: this.sampler.pad }
    this.world.step(n, { kind: 'write-own', field, value })
    const e = node.core?.replica.get(`node/${node.name}/${field}`)
    if (e !== undefined) this.writes.onWrite(n, e)
  }

  /** Check pending joins and heals every CONVERGENCE_CHECK_MS. */
  private watchEpisodes (): void {
    const check = (): void => {
      for (const ep of this.episodes) {
        if (ep.settledMs !== undefined) continue
        const settled = ep.kind === 'join' ? joinSettled(this.world, ep.node as number) : versionsAgree(this.world) && membershipAgrees(this.world)
        if (settled) ep.settledMs = this.world.now
      }
      this.world.at(this.world.now + CONVERGENCE_CHECK_MS, check)
    }
    this.world.at(0, check)
  }

  private schedule (): void {
    const s = this.scenario
    if (s.boot === 'formed') {
      const fleet: { name: string, skewMs: number }[] = []
      for (let i = 0; i < s.nodes; i++) fleet.push({ name: this.nameFor(i, 'n'), skewMs: this.skewMs() })
      this.world.at(0, () => this.world.formFleet(fleet))
    } else {
      for (let i = 0; i < s.nodes; i++) {
        const name = this.nameFor(i, 'n')
        const skew = this.skewMs()
        this.world.at((i * s.startSpreadS * 1000) / s.nodes, () => { this.world.addNode(name, skew) })
      }
    }
    this.world.at(s.warmupS * 1000, () => {
      this.detection.measuring = true
      this.writes.measuring = true
      this.sampler.startMeasuring()
    })
    this.faults.start()
    this.sampler.start(s.sampleMs, s.gossip.heartbeatMs)
    this.watchEpisodes()
  }

  /** The liveness phase has converged: versions, membership of the live, and of the gone. */
  private converged (): boolean {
    if (!versionsAgree(this.world) || !membershipAgrees(this.world)) return false
    for (const a of this.world.upNodes()) {
      const core = this.world.node(a).core
      for (const g of this.gone) {
        const s = core?.members.statusOf(this.world.node(g).name)
        if (s === 'alive' || s === 'suspect') return false
      }
    }
    return true
  }

  run (): SimResult {
    const s = this.scenario
    const faultEndMs = s.durationS * 1000
    const livenessEndMs = faultEndMs + s.livenessTimeoutS * 1000
    this.schedule()
    const progress = (phase: 'fault' | 'liveness', untilMs: number, stop?: () => boolean): boolean => {
      while (this.world.now < untilMs) {
        const next = Math.min(untilMs, this.world.now + (phase === 'fault' ? PROGRESS_EVERY_MS : LIVENESS_CHECK_MS))
        this.world.runUntil(next)
        this.opts.onProgress?.({ simMs: this.world.now, faultEndMs, livenessEndMs, phase })
        if (stop?.() === true) return true
      }
      return false
    }
    progress('fault', faultEndMs)
    this.sampler.endFaultPhase()
    this.faults.active = false
    if (this.world.net.partitioned) {
      this.episodes.push({ kind: 'heal', atMs: this.world.now })
      this.detection.partitionAftermathUntilMs = this.world.now + PARTITION_AFTERMATH_MS
    }
    this.world.net.heal()
    this.world.net.faulty = false
    if (progress('liveness', livenessEndMs, () => this.converged())) this.livenessConvergedMs = this.world.now
    const checks = finalChecks(this)
    return buildResult(this, checks)
  }
}

export function runScenario (scenario: Scenario, opts: RunOptions = {}): SimResult {
  return new Run(scenario, opts).run()
}
