/**
 * Periodic world work that is not any one node's: the gossipsub heartbeat
 * (mesh repair and the IHAVE traffic it causes) and the timeline the report
 * charts (live nodes, agreement on versions, bandwidth per node), plus the
 * peak state size per node.
 */
import { CHANNELS, topicFor } from '../protocols/index.js'
import type { Traffic } from './gossip.js'
import { causeRates } from './gossip-causes.js'
import type { CauseCounts, CauseRate, GossipCause } from './gossip-causes.js'
import { agreement } from './convergence.js'
import { entryBytes } from './sizes.js'
import { r3 } from './stats.js'
import type { TrafficKind, World } from './world.js'

export interface TimelinePoint {
  tS: number
  up: number
  stalled: number
  /** Share of live nodes holding the most common versions. */
  agreement: number
  bytesPerNodePerS: number
  messagesPerNodePerS: number
}

const KINDS: TrafficKind[] = ['gossip', 'ihave', 'probe', 'sync']
/** The gossipsub topics the channels are published on, each once. */
const GOSSIP_TOPICS: readonly string[] = [...new Set(CHANNELS.map(topicFor))]

function total (w: World): Traffic {
  let messages = 0
  let bytes = 0
  for (const k of KINDS) {
    messages += w.traffic[k].messages
    bytes += w.traffic[k].bytes
  }
  return { messages, bytes }
}

export class Sampler {
  private readonly w: World
  readonly timeline: TimelinePoint[] = []
  /** A shared value for workload writes: one string object, however many nodes hold it. */
  readonly pad: string
  private readonly recent = new Map<string, number[]>(GOSSIP_TOPICS.map((t) => [t, []]))
  private last: Traffic = { messages: 0, bytes: 0 }
  private lastMs = 0
  /** Traffic and node-seconds over the measured part of the fault phase. */
  private measureFrom: Record<TrafficKind, Traffic> | undefined
  private measureTo: Record<TrafficKind, Traffic> | undefined
  private causesFrom: CauseCounts = {}
  private causesTo: CauseCounts | undefined
  nodeSeconds = 0
  /** Virtual seconds measured (the fault phase after warm-up). */
  seconds = 0
  private measuring = false
  peakEntries = 0
  peakBytes = 0

  constructor (w: World) {
    this.w = w
    this.pad = 'x'.repeat(w.scenario.workload.valueBytes)
  }

  start (sampleMs: number, heartbeatMs: number): void {
    const beat = (): void => {
      this.gossipHeartbeat()
      this.w.at(this.w.now + heartbeatMs, beat)
    }
    const sample = (): void => {
      this.sample()
      this.w.at(this.w.now + sampleMs, sample)
    }
    this.w.at(heartbeatMs, beat)
    this.w.at(sampleMs, sample)
  }

  private snapshot (): Record<TrafficKind, Traffic> {
    const out = {} as Record<TrafficKind, Traffic>
    for (const k of KINDS) out[k] = { ...this.w.traffic[k] }
    return out
  }

  startMeasuring (): void {
    this.measuring = true
    this.measureFrom = this.snapshot()
    this.causesFrom = this.w.causes.snapshot()
  }

  endFaultPhase (): void {
    this.measureTo = this.snapshot()
    this.causesTo = this.w.causes.snapshot()
    this.measuring = false
  }

  /** Gossip per cause over the measured fault phase. */
  causeRates (): Partial<Record<GossipCause, CauseRate>> {
    return causeRates(this.causesFrom, this.causesTo ?? this.w.causes.snapshot(), this.seconds, this.nodeSeconds)
  }

  /** Per node per second over the measured fault phase, by kind and in total. */
  rates (): { total: Traffic, byKind: Record<TrafficKind, Traffic> } {
    const byKind = {} as Record<TrafficKind, Traffic>
    let messages = 0
    let bytes = 0
    for (const k of KINDS) {
      const from = this.measureFrom?.[k] ?? { messages: 0, bytes: 0 }
      const to = this.measureTo?.[k] ?? this.w.traffic[k]
      const ns = Math.max(1e-9, this.nodeSeconds)
      byKind[k] = { messages: r3((to.messages - from.messages) / ns), bytes: r3((to.bytes - from.bytes) / ns) }
      messages += to.messages - from.messages
      bytes += to.bytes - from.bytes
    }
    const ns = Math.max(1e-9, this.nodeSeconds)
    return { total: { messages: r3(messages / ns), bytes: r3(bytes / ns) }, byKind }
  }

  private gossipHeartbeat (): void {
    this.w.gossip.repair(this.w)
    const h = this.w.scenario.gossip.historyGossip
    // gossipsub advertises each topic's ids on their own (emitGossip): per topic, the ids of its last `h` heartbeats.
    const idsPerTopic: [string, number][] = []
    for (const topic of GOSSIP_TOPICS) {
      const recent = this.recent.get(topic) as number[]
      recent.push(this.w.publishedSinceHeartbeat.get(topic) ?? 0)
      this.w.publishedSinceHeartbeat.set(topic, 0)
      while (recent.length > h) recent.shift()
      idsPerTopic.push([topic, recent.reduce((a, b) => a + b, 0)])
    }
    const per = this.w.gossip.ihavePerNode(idsPerTopic)
    const up = this.w.upNodes().length
    this.w.traffic.ihave.messages += per.messages * up
    this.w.traffic.ihave.bytes += per.bytes * up
  }

  private sample (): void {
    const w = this.w
    const now = w.now
    const dtS = (now - this.lastMs) / 1000
    const up = w.upNodes()
    if (this.measuring) {
      this.nodeSeconds += up.length * dtS
      this.seconds += dtS
    }
    const t = total(w)
    let stalled = 0
    let peakNode = -1
    for (const n of up) {
      const node = w.node(n)
      if (node.stalledUntilMs > now) stalled++
      const size = node.core?.replica.size ?? 0
      if (size > this.peakEntries) {
        this.peakEntries = size
        peakNode = n
      }
    }
    if (peakNode >= 0) {
      let bytes = 0
      w.node(peakNode).core?.replica.forEach((e) => { bytes += entryBytes(e) })
      this.peakBytes = Math.max(this.peakBytes, bytes)
    }
    const perNode = Math.max(1, up.length) * Math.max(1e-9, dtS)
    this.timeline.push({
      tS: r3(now / 1000),
      up: up.length,
      stalled,
      agreement: r3(agreement(w).share),
      bytesPerNodePerS: r3((t.bytes - this.last.bytes) / perNode),
      messagesPerNodePerS: r3((t.messages - this.last.messages) / perNode)
    })
    this.last = t
    this.lastMs = now
  }
}
