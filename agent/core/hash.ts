/**
 * Small non-cryptographic hashes for digests. Collisions only delay repair
 * (a differing bucket that hashes equal is found different after its next
 * change), they never lose data.
 */

/** FNV-1a over the UTF-16 code units of a string, finished with murmur3's fmix32. */
export function hashString (s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return fmix32(h)
}

export function fmix32 (h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Mix a safe integer (up to 2^53) into a running 32-bit hash. */
export function mixSafeInt (h: number, x: number): number {
  const lo = x >>> 0
  const hi = Math.floor(x / 4294967296) >>> 0
  return fmix32(fmix32(h ^ lo) ^ Math.imul(hi, 0x9e3779b1))
}
