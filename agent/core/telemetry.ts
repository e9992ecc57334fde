/**
 * Heartbeat telemetry and its rate rule.
 *
 * Liveness does not depend on heartbeats (probes carry it), so heartbeats
 * only need to be fresh enough for dashboards and placement. Every heartbeat
 * is delivered to every node, so a fixed per-node interval would make each
 * node receive N messages per interval: O(N) per second. Instead, as Nomad
 * sizes heartbeat TTLs (TTL = N / max rate), the interval grows with the
 * cluster so the whole mesh publishes at most `meshRatePerS` heartbeats per
 * second:
 *
 *     intervalMs = max(baseMs, 1000 * N / meshRatePerS)
 *
 * With the defaults (1 s base, 10/s mesh-wide) a 10-node cluster beats every
 * second, 100 nodes every 10 s, 10,000 nodes every 1,000 s; every node then
 * receives about 10 heartbeats per second whatever N is. A ±10 % jitter drawn
 * from the seeded generator keeps nodes from beating in lockstep.
 */
import type { Rng } from './rng.js'
import type { Value } from './types.js'

export function heartbeatIntervalMs (clusterSize: number, baseMs: number, meshRatePerS: number): number {
  return Math.max(baseMs, Math.ceil((1000 * Math.max(1, clusterSize)) / meshRatePerS))
}

export function jittered (ms: number, rng: Rng): number {
  return Math.round(ms * (0.9 + 0.2 * rng.next()))
}

/** What the runtime measures about its node; the core stamps and publishes it. */
export interface TelemetrySample {
  uptimeS: number
  /** 1, 5 and 15 minute load averages. */
  load: [number, number, number]
  memory: { usedBytes: number, totalBytes: number }
}

export interface HeartbeatValue {
  uptimeS: number
  load: [number, number, number]
  memory: { usedBytes: number, totalBytes: number }
  incarnation: number
  seq: number
  /** This node's current heartbeat interval, so readers can judge staleness. */
  intervalMs: number
}

export function heartbeatValue (s: TelemetrySample, incarnation: number, seq: number, intervalMs: number): Value {
  const v: HeartbeatValue = { uptimeS: s.uptimeS, load: s.load, memory: { ...s.memory }, incarnation, seq, intervalMs }
  return v as unknown as Value
}

/** Capabilities a node advertises. */
export interface Capabilities {
  role: 'container' | 'host'
  labels: Record<string, string>
  services: string[]
}
