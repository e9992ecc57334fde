/**
 * Counters for /metrics and /v1/status: plain numbers keyed by Prometheus
 * series names. Rejections carry their reason as a label, so an operator sees
 * why messages were dropped, not just how many.
 */
export class Counters {
  private readonly values = new Map<string, number>()

  inc (series: string, by = 1): void {
    this.values.set(series, (this.values.get(series) ?? 0) + by)
  }

  rejected (surface: string, reason: string): void {
    const label = reason.replace(/["\\\n]/g, ' ').slice(0, 120)
    this.inc(`mesh_rejected_messages_total{surface="${surface}",reason="${label}"}`)
  }

  get (series: string): number {
    return this.values.get(series) ?? 0
  }

  /** Total rejections on one surface (gossip, sync, probe), whatever the reason. */
  rejectedOn (surface: string): number {
    let sum = 0
    for (const [k, v] of this.values) if (k.startsWith(`mesh_rejected_messages_total{surface="${surface}"`)) sum += v
    return sum
  }

  snapshot (): Record<string, number> {
    return Object.fromEntries(this.values)
  }

  /** Prometheus text exposition format. */
  render (extra: Record<string, number> = {}): string {
    const lines: string[] = []
    for (const [k, v] of [...this.values, ...Object.entries(extra)]) {
      const name = k.includes('{') ? k : k
      lines.push(`${name.startsWith('mesh_') ? name : `mesh_${name}`} ${v}`)
    }
    return `${lines.sort().join('\n')}\n`
  }
}
