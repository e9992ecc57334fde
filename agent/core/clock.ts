/**
 * The clock interface drivers of the core implement: the runtime with the
 * system clock and timers, the simulator with a virtual clock. The core
 * itself only receives `Instant`s; it never holds a Clock.
 */
import type { Instant } from './types.js'

export interface Clock {
  /** The current time, monotonic and wall. */
  now(): Instant
  /** Run `fn` once at (or after) monotonic time `atMonoMs`; returns a canceller. */
  schedule(atMonoMs: number, fn: () => void): () => void
}
