/** Small helpers shared by the mesh benchmarks (bench/mesh*.ts). */
import { performance } from 'node:perf_hooks'

/** Wait for a condition with a deadline; throws naming what it waited for. */
export async function waitFor (what: string, cond: () => boolean | Promise<boolean>, deadlineMs: number, pollMs = 50): Promise<void> {
  const until = performance.now() + deadlineMs
  for (;;) {
    if (await cond()) return
    if (performance.now() > until) throw new Error(`timed out after ${deadlineMs} ms waiting for: ${what}`)
    await sleep(pollMs)
  }
}

/** Pacing (never synchronisation): wait this long. */
export async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
}

/** Nearest-rank percentile of `values` (p in 0..100); NaN if empty. */
export function percentile (values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] as number
}

export function mean (values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length
}

export function round (v: number, digits = 1): number {
  return Number.isFinite(v) ? +v.toFixed(digits) : v
}
