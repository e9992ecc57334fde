/**
 * Hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014),
 * packed into one safe integer so stamps compare with `<` and encode as one
 * unsigned varint. The wall part is milliseconds since HLC_EPOCH_MS, the low
 * HLC_LOGICAL_BITS bits are the logical counter. Packing makes the algorithm
 * short: "max(wall, last + 1)" is exactly Kulkarni's rule, and a logical
 * counter that overflows simply carries into the wall part.
 */
import { HLC_EPOCH_MS, HLC_LOGICAL_BITS } from './constants.js'
import type { Hlc } from './types.js'

const LOGICAL_SPAN = 2 ** HLC_LOGICAL_BITS

/** The packed HLC for a wall time with a zero logical counter. */
export function hlcFromWall (wallMs: number): Hlc {
  const sinceEpoch = Math.max(0, Math.floor(wallMs) - HLC_EPOCH_MS)
  return sinceEpoch * LOGICAL_SPAN
}

/** The wall-clock milliseconds an HLC stands for. */
export function hlcWallMs (hlc: Hlc): number {
  return Math.floor(hlc / LOGICAL_SPAN) + HLC_EPOCH_MS
}

export function hlcLogical (hlc: Hlc): number {
  return hlc % LOGICAL_SPAN
}

export function isHlc (x: unknown): x is Hlc {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
}

/**
 * The clock of one agent. Not a component with I/O: the caller passes the
 * wall time of every event.
 */
export class HybridClock {
  private last: Hlc

  constructor (last: Hlc = 0) {
    this.last = last
  }

  /** The latest value issued or observed. */
  get current (): Hlc {
    return this.last
  }

  /** Stamp a local event (a write). Strictly greater than anything seen before. */
  tick (wallMs: number): Hlc {
    this.last = Math.max(hlcFromWall(wallMs), this.last + 1)
    return this.last
  }

  /**
   * Take in a remote stamp so our next local stamp orders after it. The caller
   * has already checked the remote stamp for excessive drift.
   */
  observe (remote: Hlc, wallMs: number): Hlc {
    this.last = Math.max(hlcFromWall(wallMs), this.last + 1, remote + 1)
    return this.last
  }
}
