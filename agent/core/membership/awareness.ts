/**
 * Lifeguard local health ("awareness" in memberlist): a score from 0 (healthy)
 * to max. Missed nacks, refuting a suspicion of ourselves and stalls of our
 * own event loop raise it; successful probes lower it. Probe intervals and
 * timeouts are multiplied by (score + 1), so a node that is itself slow probes
 * less often and waits longer before accusing anyone.
 */
export class Awareness {
  private score = 0
  private readonly max: number

  constructor (max: number) {
    this.max = max
  }

  get health (): number {
    return this.score
  }

  apply (delta: number): void {
    this.score = Math.min(this.max, Math.max(0, this.score + delta))
  }

  scale (ms: number): number {
    return ms * (this.score + 1)
  }
}
