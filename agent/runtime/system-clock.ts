/**
 * The real clock: the only runtime file that reads time or sets timers for
 * the core. Monotonic time comes from performance.now(), wall time from
 * Date.now(); the two are deliberately separate (see core/types.ts Instant).
 */
import { performance } from 'node:perf_hooks'
import type { Clock, Instant } from '../core/index.js'

export function systemClock (): Clock {
  return {
    now (): Instant {
      return { monoMs: performance.now(), wallMs: Date.now() }
    },
    schedule (atMonoMs: number, fn: () => void): () => void {
      const timer = setTimeout(fn, Math.max(0, atMonoMs - performance.now()))
      timer.unref?.()
      return () => clearTimeout(timer)
    }
  }
}
