/**
 * A seeded pseudo-random generator (sfc32, from PractRand). The core takes one
 * as an argument and never calls Math.random, so a run is a function of its
 * seed: the simulator replays any run from the printed seed.
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [0, n). */
  int(n: number): number
}

class Sfc32 implements Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor (seed: number) {
    // Split one 32-bit seed over the four words, then discard the first outputs as PractRand advises.
    this.a = 0x9e3779b9
    this.b = 0x243f6a88
    this.c = 0xb7e15162
    this.d = seed >>> 0
    for (let i = 0; i < 12; i++) this.nextU32()
  }

  nextU32 (): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  next (): number {
    return this.nextU32() / 4294967296
  }

  int (n: number): number {
    return Math.floor(this.next() * n)
  }
}

/** A generator seeded with a 32-bit integer. */
export function seededRng (seed: number): Rng {
  return new Sfc32(seed)
}

/** Fisher-Yates shuffle in place, driven by the given generator. */
export function shuffleInPlace<T> (items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const tmp = items[i] as T
    items[i] = items[j] as T
    items[j] = tmp
  }
  return items
}

/** Up to `count` distinct items drawn from `items` (not modified). */
export function sample<T> (items: readonly T[], count: number, rng: Rng): T[] {
  if (count >= items.length) return shuffleInPlace([...items], rng)
  const picked = new Set<number>()
  const out: T[] = []
  while (out.length < count) {
    const i = rng.int(items.length)
    if (picked.has(i)) continue
    picked.add(i)
    out.push(items[i] as T)
  }
  return out
}
