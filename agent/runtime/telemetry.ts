/** Samples this machine's heartbeat telemetry (cheap: no I/O beyond os calls). */
import os from 'node:os'
import type { TelemetrySample } from '../core/index.js'

export function sampleTelemetry (): TelemetrySample {
  const [l1 = 0, l5 = 0, l15 = 0] = os.loadavg()
  const total = os.totalmem()
  return {
    uptimeS: Math.round(process.uptime()),
    load: [round2(l1), round2(l5), round2(l15)],
    memory: { usedBytes: total - os.freemem(), totalBytes: total }
  }
}

function round2 (x: number): number {
  return Math.round(x * 100) / 100
}
