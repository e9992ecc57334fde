/**
 * The scenario: everything a run depends on besides the code. A scenario file
 * (JSON or YAML) gives some fields; `parseScenario` checks every field and
 * fills in the rest, so a normalised Scenario is complete and a run is a
 * function of it and its seed. Errors name the field: `scenario.nodes: must
 * be an integer between 1 and 100000`.
 */
import * as C from '../constants.js'
import { ScenarioError } from './errors.js'
import { boolean, integer, list, number, object, oneOf, range, text } from './fields.js'
import type { Raw } from './fields.js'

export interface LatencyModel {
  /** Base one-way latency of a normal link, drawn once per link from [min, max]. */
  baseMs: [number, number]
  /** Mean of the exponential jitter added to every message. */
  jitterMs: number
  /** Fraction of links that are slow (another rack, a busy host). */
  slowLinkFraction: number
  /** Base one-way latency of a slow link. */
  slowLinkMs: [number, number]
}

export interface NetworkModel {
  latency: LatencyModel
  /** Probability that one message (or probe, or sync frame) is lost. */
  loss: number
  /** `drop`: a lost message never arrives. `retransmit`: it arrives one RTO later, as over TCP. */
  lossMode: 'drop' | 'retransmit'
  /** Probability that a message is delivered twice. */
  duplicate: number
  /** Probability that a message is held back by up to `reorderDelayMs`, overtaking order. */
  reorder: number
  reorderDelayMs: number
}

export interface GossipModel {
  d: number
  dLo: number
  dHi: number
  dLazy: number
  gossipFactor: number
  heartbeatMs: number
  historyGossip: number
  /** Peers each node holds a connection to; flood publish and IHAVE pick from these. */
  connectedPeers: number
  floodPublish: boolean
  idontwant: boolean
}

/** Core options a scenario may override to ask "what if". */
export interface CoreOverrides {
  probeIntervalMs?: number
  probeTimeoutMs?: number
  indirectChecks?: number
  suspicionMult?: number
  suspicionMaxTimeoutMult?: number
  syncIntervalMs?: number
  heartbeatMeshRatePerS?: number
}

export interface Churn {
  /** Fraction of the nodes hit by a churn event per minute (0.1 = 10 % per minute). */
  ratePerMin: number
  /** Share of churn events that are graceful leaves (replaced by a new node); the rest are crashes followed by a restart. */
  leaveFraction: number
  /** How long a crashed node stays down, or how long until a leaver's replacement joins. */
  downtimeS: [number, number]
}

export interface Stalls {
  /** Fraction of nodes that are prone to stalls (chosen once per run). */
  fraction: number
  durationMs: number
  /** Mean time between two stalls of one prone node (exponential). */
  meanIntervalS: number
}

export interface ClockSkew {
  fraction: number
  /** Skewed nodes get a wall clock offset drawn from [-maxMs, maxMs]. */
  maxMs: number
}

export interface Workload {
  /** Application writes per second across the cluster, each at a random live node. */
  writesPerS: number
  /** Share of writes that are deletes (tombstones). */
  deleteFraction: number
  /** Fields each node writes (`node/<name>/app<k>`); later writes supersede earlier ones. */
  fieldsPerNode: number
  valueBytes: number
}

export type EventKind = 'crash' | 'restart' | 'leave' | 'join' | 'stall' | 'partition'
export const EVENT_KINDS: readonly EventKind[] = ['crash', 'restart', 'leave', 'join', 'stall', 'partition']

export interface ScheduledEvent {
  atS: number
  kind: EventKind
  /** How many random nodes (crash, leave, join, stall, restart). */
  count: number
  /** Explicit node names instead of `count` random ones. */
  nodes: string[]
  /** Partition: fraction of live nodes on the cut-off side. */
  fraction: number
  /** Stall and partition length; crash: restart after this long (0: stay down). */
  durationS: number
  /** Partition: the cut-off side cannot send, but still receives. */
  oneWay: boolean
}

export interface Scenario {
  name: string
  description: string
  seed: number
  nodes: number
  /** Length of the fault phase, warm-up included. */
  durationS: number
  warmupS: number
  /**
   * How the initial fleet starts: `cold`, nodes start one by one over
   * `startSpreadS` and find each other by gossip and bootstrap syncs;
   * `formed`, every node starts at time 0 already holding what the others
   * wrote when they started (see World.formFleet), with no boot traffic.
   */
  boot: BootMode
  startSpreadS: number
  livenessTimeoutS: number
  /** Base heartbeat interval (the agent's --heartbeat-ms). */
  heartbeatMs: number
  sampleMs: number
  bootstrapPeers: number
  syncConcurrentMax: number
  core: CoreOverrides
  network: NetworkModel
  gossip: GossipModel
  workload: Workload
  churn: Churn
  stalls: Stalls
  clockSkew: ClockSkew
  events: ScheduledEvent[]
}

export type BootMode = 'cold' | 'formed'
export const BOOT_MODES: readonly BootMode[] = ['cold', 'formed']

const TOP = ['name', 'description', 'seed', 'nodes', 'durationS', 'warmupS', 'boot', 'startSpreadS', 'livenessTimeoutS', 'heartbeatMs', 'sampleMs', 'bootstrapPeers', 'syncConcurrentMax', 'core', 'network', 'gossip', 'workload', 'churn', 'stalls', 'clockSkew', 'events'] as const
const P = 'scenario'

function parseLatency (x: unknown, path: string): LatencyModel {
  const r = object(x, path, ['baseMs', 'jitterMs', 'slowLinkFraction', 'slowLinkMs'])
  return {
    baseMs: range(r.baseMs, `${path}.baseMs`, 0, 10_000, [C.LATENCY_BASE_MS_MIN_DEFAULT, C.LATENCY_BASE_MS_MAX_DEFAULT]),
    jitterMs: number(r.jitterMs, `${path}.jitterMs`, 0, 10_000, C.LATENCY_JITTER_MS_DEFAULT),
    slowLinkFraction: number(r.slowLinkFraction, `${path}.slowLinkFraction`, 0, 1, C.SLOW_LINK_FRACTION_DEFAULT),
    slowLinkMs: range(r.slowLinkMs, `${path}.slowLinkMs`, 0, 10_000, [C.SLOW_LINK_MS_MIN_DEFAULT, C.SLOW_LINK_MS_MAX_DEFAULT])
  }
}

function parseNetwork (x: unknown): NetworkModel {
  const path = `${P}.network`
  const r = object(x, path, ['latency', 'loss', 'lossMode', 'duplicate', 'reorder', 'reorderDelayMs'])
  return {
    latency: parseLatency(r.latency, `${path}.latency`),
    loss: number(r.loss, `${path}.loss`, 0, 0.5, 0),
    lossMode: oneOf(r.lossMode, `${path}.lossMode`, ['drop', 'retransmit'], 'drop'),
    duplicate: number(r.duplicate, `${path}.duplicate`, 0, 0.5, 0),
    reorder: number(r.reorder, `${path}.reorder`, 0, 1, 0),
    reorderDelayMs: number(r.reorderDelayMs, `${path}.reorderDelayMs`, 0, 10_000, C.REORDER_DELAY_MS_DEFAULT)
  }
}

function parseGossip (x: unknown, nodes: number): GossipModel {
  const path = `${P}.gossip`
  const r = object(x, path, ['d', 'dLo', 'dHi', 'dLazy', 'gossipFactor', 'heartbeatMs', 'historyGossip', 'connectedPeers', 'floodPublish', 'idontwant'])
  const g: GossipModel = {
    d: integer(r.d, `${path}.d`, 1, 100, C.GOSSIP_D_DEFAULT),
    dLo: integer(r.dLo, `${path}.dLo`, 1, 100, C.GOSSIP_D_LO_DEFAULT),
    dHi: integer(r.dHi, `${path}.dHi`, 1, 200, C.GOSSIP_D_HI_DEFAULT),
    dLazy: integer(r.dLazy, `${path}.dLazy`, 0, 100, C.GOSSIP_D_LAZY_DEFAULT),
    gossipFactor: number(r.gossipFactor, `${path}.gossipFactor`, 0, 1, C.GOSSIP_FACTOR_DEFAULT),
    heartbeatMs: integer(r.heartbeatMs, `${path}.heartbeatMs`, 10, 60_000, C.GOSSIP_HEARTBEAT_MS_DEFAULT),
    historyGossip: integer(r.historyGossip, `${path}.historyGossip`, 1, 10, C.GOSSIP_HISTORY_GOSSIP_DEFAULT),
    connectedPeers: integer(r.connectedPeers, `${path}.connectedPeers`, 1, C.NODES_MAX, Math.min(C.CONNECTED_PEERS_MAX_DEFAULT, Math.max(1, nodes - 1))),
    floodPublish: boolean(r.floodPublish, `${path}.floodPublish`, C.GOSSIP_FLOOD_PUBLISH_DEFAULT),
    idontwant: boolean(r.idontwant, `${path}.idontwant`, true)
  }
  if (g.dLo > g.d) throw new ScenarioError(`${path}.dLo`, `must be at most gossip.d (${g.d})`)
  if (g.dHi < g.d) throw new ScenarioError(`${path}.dHi`, `must be at least gossip.d (${g.d})`)
  return g
}

function parseCore (x: unknown): CoreOverrides {
  const path = `${P}.core`
  const r = object(x, path, ['probeIntervalMs', 'probeTimeoutMs', 'indirectChecks', 'suspicionMult', 'suspicionMaxTimeoutMult', 'syncIntervalMs', 'heartbeatMeshRatePerS'])
  const out: CoreOverrides = {}
  const int = (key: keyof CoreOverrides, min: number, max: number): void => {
    if (r[key] !== undefined) out[key] = integer(r[key], `${path}.${key}`, min, max, 0)
  }
  int('probeIntervalMs', 10, 60_000)
  int('probeTimeoutMs', 1, 60_000)
  int('indirectChecks', 1, 16)
  int('syncIntervalMs', 100, 600_000)
  if (r.suspicionMult !== undefined) out.suspicionMult = number(r.suspicionMult, `${path}.suspicionMult`, 0.1, 100, 0)
  if (r.suspicionMaxTimeoutMult !== undefined) out.suspicionMaxTimeoutMult = number(r.suspicionMaxTimeoutMult, `${path}.suspicionMaxTimeoutMult`, 1, 100, 0)
  if (r.heartbeatMeshRatePerS !== undefined) out.heartbeatMeshRatePerS = number(r.heartbeatMeshRatePerS, `${path}.heartbeatMeshRatePerS`, 0.01, 10_000, 0)
  const interval = out.probeIntervalMs ?? 1000
  const timeout = out.probeTimeoutMs ?? 500
  if (timeout >= interval) throw new ScenarioError(`${path}.probeTimeoutMs`, `must be shorter than the probe interval (${interval} ms)`)
  return out
}

function parseWorkload (x: unknown): Workload {
  const path = `${P}.workload`
  const r = object(x, path, ['writesPerS', 'deleteFraction', 'fieldsPerNode', 'valueBytes'])
  return {
    writesPerS: number(r.writesPerS, `${path}.writesPerS`, 0, 10_000, 0),
    deleteFraction: number(r.deleteFraction, `${path}.deleteFraction`, 0, 1, 0),
    fieldsPerNode: integer(r.fieldsPerNode, `${path}.fieldsPerNode`, 1, 1000, C.WRITE_FIELDS_PER_NODE_DEFAULT),
    valueBytes: integer(r.valueBytes, `${path}.valueBytes`, 0, 60_000, C.WRITE_VALUE_BYTES_DEFAULT)
  }
}

function parseChurn (x: unknown): Churn {
  const path = `${P}.churn`
  const r = object(x, path, ['ratePerMin', 'leaveFraction', 'downtimeS'])
  return {
    ratePerMin: number(r.ratePerMin, `${path}.ratePerMin`, 0, 10, 0),
    leaveFraction: number(r.leaveFraction, `${path}.leaveFraction`, 0, 1, 0.5),
    downtimeS: range(r.downtimeS, `${path}.downtimeS`, 0, C.DURATION_S_MAX, [10, 60])
  }
}

function parseStalls (x: unknown): Stalls {
  const path = `${P}.stalls`
  const r = object(x, path, ['fraction', 'durationMs', 'meanIntervalS'])
  return {
    fraction: number(r.fraction, `${path}.fraction`, 0, 1, 0),
    durationMs: integer(r.durationMs, `${path}.durationMs`, 1, 600_000, 2000),
    meanIntervalS: number(r.meanIntervalS, `${path}.meanIntervalS`, 0.1, C.DURATION_S_MAX, 30)
  }
}

function parseSkew (x: unknown): ClockSkew {
  const path = `${P}.clockSkew`
  const r = object(x, path, ['fraction', 'maxMs'])
  return {
    fraction: number(r.fraction, `${path}.fraction`, 0, 1, 0),
    maxMs: integer(r.maxMs, `${path}.maxMs`, 0, 3_600_000, 0)
  }
}

function parseEvent (x: unknown, path: string, durationS: number): ScheduledEvent {
  const r = object(x, path, ['atS', 'kind', 'count', 'nodes', 'fraction', 'durationS', 'oneWay'])
  if (r.kind === undefined) throw new ScenarioError(`${path}.kind`, `is required (one of ${EVENT_KINDS.join(', ')})`)
  const kind = oneOf(r.kind, `${path}.kind`, EVENT_KINDS, 'crash')
  if (r.atS === undefined) throw new ScenarioError(`${path}.atS`, 'is required')
  const nodes = list(r.nodes, `${path}.nodes`, C.NODES_MAX).map((n, i) => text(n, `${path}.nodes[${i}]`, '', 63))
  const ev: ScheduledEvent = {
    atS: number(r.atS, `${path}.atS`, 0, durationS, 0),
    kind,
    count: integer(r.count, `${path}.count`, 0, C.NODES_MAX, nodes.length > 0 ? 0 : 1),
    nodes,
    fraction: number(r.fraction, `${path}.fraction`, 0, 1, 0),
    durationS: number(r.durationS, `${path}.durationS`, 0, C.DURATION_S_MAX, kind === 'stall' ? 2 : 0),
    oneWay: boolean(r.oneWay, `${path}.oneWay`, false)
  }
  if (kind === 'partition' && (ev.fraction <= 0 || ev.fraction >= 1)) throw new ScenarioError(`${path}.fraction`, 'a partition needs a fraction between 0 and 1 (exclusive)')
  if ((kind === 'partition' || kind === 'stall') && ev.durationS <= 0) throw new ScenarioError(`${path}.durationS`, `a ${kind} needs a positive duration`)
  return ev
}

/** Check a parsed scenario file and fill in every default. Throws ScenarioError. */
export function parseScenario (x: unknown, fallbackName = 'scenario'): Scenario {
  if (x === undefined || x === null) throw new ScenarioError(P, 'must be a mapping of fields')
  const r: Raw = object(x, P, TOP)
  if (r.nodes === undefined) throw new ScenarioError(`${P}.nodes`, `is required (an integer between 1 and ${C.NODES_MAX})`)
  const nodes = integer(r.nodes, `${P}.nodes`, 1, C.NODES_MAX, 1)
  if (r.durationS === undefined) throw new ScenarioError(`${P}.durationS`, 'is required (seconds of the fault phase)')
  const durationS = number(r.durationS, `${P}.durationS`, 1, C.DURATION_S_MAX, 1)
  const warmupS = number(r.warmupS, `${P}.warmupS`, 0, C.DURATION_S_MAX, Math.min(C.WARMUP_S_DEFAULT, durationS / 2))
  if (warmupS >= durationS) throw new ScenarioError(`${P}.warmupS`, `must be shorter than durationS (${durationS})`)
  const events = list(r.events, `${P}.events`, 100_000).map((e, i) => parseEvent(e, `${P}.events[${i}]`, durationS))
  return {
    name: text(r.name, `${P}.name`, fallbackName, 100),
    description: text(r.description, `${P}.description`, '', 2000),
    seed: integer(r.seed, `${P}.seed`, 0, C.SEED_MAX, 1),
    nodes,
    durationS,
    warmupS,
    boot: oneOf(r.boot, `${P}.boot`, BOOT_MODES, 'cold'),
    startSpreadS: number(r.startSpreadS, `${P}.startSpreadS`, 0, C.DURATION_S_MAX, Math.min(C.START_SPREAD_S_DEFAULT, warmupS)),
    livenessTimeoutS: number(r.livenessTimeoutS, `${P}.livenessTimeoutS`, 1, C.DURATION_S_MAX, C.LIVENESS_TIMEOUT_S_DEFAULT),
    heartbeatMs: integer(r.heartbeatMs, `${P}.heartbeatMs`, 10, 3_600_000, 1000),
    sampleMs: integer(r.sampleMs, `${P}.sampleMs`, 10, 3_600_000, C.SAMPLE_MS_DEFAULT),
    bootstrapPeers: integer(r.bootstrapPeers, `${P}.bootstrapPeers`, 1, 100, C.BOOTSTRAP_PEERS_DEFAULT),
    syncConcurrentMax: integer(r.syncConcurrentMax, `${P}.syncConcurrentMax`, 1, 1000, C.SYNC_CONCURRENT_MAX_DEFAULT),
    core: parseCore(r.core),
    network: parseNetwork(r.network),
    gossip: parseGossip(r.gossip, nodes),
    workload: parseWorkload(r.workload),
    churn: parseChurn(r.churn),
    stalls: parseStalls(r.stalls),
    clockSkew: parseSkew(r.clockSkew),
    events
  }
}
