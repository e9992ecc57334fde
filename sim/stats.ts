/** Small deterministic statistics helpers for the simulator's results. */

export interface Summary { count: number, p50: number | null, p99: number | null, max: number | null }

/** Round to 3 decimals so results print the same everywhere. */
export function r3 (x: number): number {
  return Math.round(x * 1000) / 1000
}

/** Nearest-rank percentile of an ascending list. */
export function percentile (sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i] as number
}

/** count, p50, p99, max of values given in ms, reported in seconds. */
export function summarizeMs (values: readonly number[]): Summary {
  const s = [...values].sort((a, b) => a - b)
  const sec = (x: number | null): number | null => x === null ? null : r3(x / 1000)
  return { count: s.length, p50: sec(percentile(s, 50)), p99: sec(percentile(s, 99)), max: sec(s.length === 0 ? null : s[s.length - 1] as number) }
}

/** Counts per bucket of `widthMs`, as [bucketStartS, count] pairs (empty buckets included up to the last). */
export function histogram (values: readonly number[], widthMs: number): [number, number][] {
  if (values.length === 0) return []
  const counts: number[] = []
  for (const v of values) {
    const b = Math.floor(v / widthMs)
    while (counts.length <= b) counts.push(0)
    counts[b] = (counts[b] as number) + 1
  }
  return counts.map((c, i) => [r3((i * widthMs) / 1000), c])
}
