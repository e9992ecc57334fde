/**
 * The final checkers and the run's JSON result. Everything here is derived
 * from the simulation; nothing depends on the wall clock, so the same
 * scenario and seed give byte-identical JSON.
 */
import { checkAckedWrites, checkMembership, checkStateDigests } from './checkers.js'
import type { AckedWrite, CheckResult, NodeView } from './checkers.js'
import { HISTOGRAM_BUCKET_MS } from './constants.js'
import { stateFingerprints } from './fingerprint.js'
import type { DetectionCounts } from './detection.js'
import type { Run } from './run.js'
import type { TimelinePoint } from './sampler.js'
import { histogram, r3, summarizeMs } from './stats.js'
import type { Summary } from './stats.js'
import type { Traffic } from './gossip.js'
import type { TrafficKind } from './world.js'
import type { CauseRate, GossipCause } from './gossip-causes.js'
import type { NodeName } from '../agent/core/index.js'

export interface SimResult {
  scenario: string
  seed: number
  nodes: number
  durationS: number
  ok: boolean
  reproduce: string
  checks: CheckResult[]
  liveness: { converged: boolean, afterS: number | null, liveNodes: number, stoppedNodes: number }
  detection: DetectionCounts & { everywhere: Summary, everywhereExcludingStalled: Summary, perObserver: Summary, histogram: [number, number][] }
  deltaConvergence: Summary & { writes: number, superseded: number, unconverged: number, acknowledged: number, excludingStalled: Summary }
  heals: { atS: number, convergedAfterS: number | null }[]
  joins: Summary & { unsettled: number }
  traffic: { messagesPerNodePerS: number, bytesPerNodePerS: number, byKind: Record<TrafficKind, Traffic>, gossipByCause: Partial<Record<GossipCause, CauseRate>> }
  state: { peakEntriesPerNode: number, peakBytesPerNode: number }
  coreSteps: number
  timeline: TimelinePoint[]
  deltaSamples: [number, number][]
}

export function reproduceCommand (scenarioPath: string, seed: number): string {
  return `npx mesh-sim run ${scenarioPath} --seed ${seed}`
}

/** Views of the live nodes for the checkers. */
export function liveViews (run: Run): NodeView[] {
  const w = run.world
  const up = w.upNodes().slice().sort((a, b) => a - b)
  // Name ids of the shared name table, looked up once: the membership checker asks every node about
  // every node (10^8 questions at 10,000 nodes), walking the live names in this order each time, so
  // the name after the last one asked is tried before the map.
  const order = up.map((n) => w.node(n).name)
  const orderIds = order.map((name) => w.nameIdOf(name))
  const positions = new Map<NodeName, number>(order.map((name, i) => [name, i]))
  /** Ids of names not live (stopped nodes). */
  const others = new Map<NodeName, number>()
  let next = 0
  const idOf = (name: NodeName): number => {
    const at = order[next] === name ? next : positions.get(name)
    if (at === undefined) {
      let id = others.get(name)
      if (id === undefined) others.set(name, id = w.nameIdOf(name))
      return id
    }
    next = at + 1 === order.length ? 0 : at + 1
    return orderIds[at] as number
  }
  const fingerprints = stateFingerprints(up.map((n) => w.node(n).core?.replica))
  return up.map((n, i) => {
    const node = w.node(n)
    const core = node.core
    return {
      name: node.name,
      fingerprint: fingerprints[i] as string,
      stampOf: (key) => {
        const e = core?.replica.get(key)
        return e === undefined ? undefined : { hlc: e.hlc, origin: e.origin }
      },
      statusOf: (name) => core?.members.statusOfId(idOf(name))
    }
  })
}

/** Acknowledged writes that must survive: the writer is live, or another node applied them. */
export function ackedToCheck (run: Run): AckedWrite[] {
  const out: AckedWrite[] = []
  for (const w of run.writes.acked) {
    const writer = run.world.indexOf(w.origin)
    const writerLive = writer !== undefined && run.world.isUp(writer)
    if (writerLive || run.writes.reachedOthers(w)) out.push({ key: w.key, hlc: w.hlc, origin: w.origin })
  }
  return out
}

export function finalChecks (run: Run): CheckResult[] {
  const views = liveViews(run)
  const gone = [...run.gone].sort((a, b) => a - b).map((g) => run.world.node(g).name)
  const converged: CheckResult = run.livenessConvergedMs !== undefined
    ? { name: 'liveness: converged', ok: true, detail: `after ${r3((run.livenessConvergedMs - run.scenario.durationS * 1000) / 1000)} s` }
    : { name: 'liveness: converged', ok: false, detail: `not converged within ${run.scenario.livenessTimeoutS} s after the faults stopped` }
  return [converged, checkStateDigests(views), checkAckedWrites(views, ackedToCheck(run)), checkMembership(views, gone)]
}

export function buildResult (run: Run, checks: CheckResult[]): SimResult {
  const s = run.scenario
  const d = run.detection
  const rates = run.sampler.rates()
  const joins = run.episodes.filter((e) => e.kind === 'join')
  const faultEndMs = s.durationS * 1000
  return {
    scenario: s.name,
    seed: run.seed,
    nodes: s.nodes,
    durationS: s.durationS,
    ok: checks.every((c) => c.ok),
    reproduce: reproduceCommand(run.scenarioPath, run.seed),
    checks,
    liveness: {
      converged: run.livenessConvergedMs !== undefined,
      afterS: run.livenessConvergedMs === undefined ? null : r3((run.livenessConvergedMs - faultEndMs) / 1000),
      liveNodes: run.world.upNodes().length,
      stoppedNodes: run.gone.size
    },
    detection: { ...d.counts, everywhere: summarizeMs(d.everywhereMs), everywhereExcludingStalled: summarizeMs(d.everywhereActiveMs), perObserver: summarizeMs(d.perObserverMs), histogram: histogram(d.perObserverMs, HISTOGRAM_BUCKET_MS) },
    deltaConvergence: { ...summarizeMs(run.writes.convergenceMs), writes: run.writes.writes, superseded: run.writes.superseded, unconverged: run.writes.unconverged, acknowledged: run.writes.acked.length, excludingStalled: summarizeMs(run.writes.activeConvergenceMs) },
    heals: run.episodes.filter((e) => e.kind === 'heal').map((e) => ({ atS: r3(e.atMs / 1000), convergedAfterS: e.settledMs === undefined ? null : r3((e.settledMs - e.atMs) / 1000) })),
    joins: { ...summarizeMs(joins.filter((e) => e.settledMs !== undefined).map((e) => (e.settledMs as number) - e.atMs)), unsettled: joins.filter((e) => e.settledMs === undefined).length },
    traffic: { messagesPerNodePerS: rates.total.messages, bytesPerNodePerS: rates.total.bytes, byKind: rates.byKind, gossipByCause: run.sampler.causeRates() },
    state: { peakEntriesPerNode: run.sampler.peakEntries, peakBytesPerNode: run.sampler.peakBytes },
    coreSteps: run.world.steps,
    timeline: run.sampler.timeline,
    deltaSamples: run.writes.convergedAt.map(([t, ms]) => [r3(t / 1000), r3(ms / 1000)])
  }
}
