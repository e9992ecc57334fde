/**
 * Convergence measures that need to look at many nodes at once: after a
 * partition heals (every live node sees every live node alive and all hold
 * the same versions), after a join (the newcomer sees every live node alive
 * and every live node sees it alive), and the timeline the report charts.
 *
 * Versions are compared through `replica.digest(1)`: the XOR of the 1,024
 * per-origin version buckets, a 32-bit summary that two nodes share exactly
 * when they hold the same versions (up to hash collisions; the final
 * checker compares full fingerprints).
 */
import type { World } from './world.js'

/** The share of live nodes whose version digest equals the most common one. */
export function agreement (w: World): { share: number, digest: number } {
  const counts = new Map<number, number>()
  let best = 0
  let bestDigest = 0
  for (const n of w.upNodes()) {
    const d = w.node(n).core?.replica.digest(1)[0] ?? 0
    const c = (counts.get(d) ?? 0) + 1
    counts.set(d, c)
    if (c > best || (c === best && d < bestDigest)) {
      best = c
      bestDigest = d
    }
  }
  const up = w.upNodes().length
  return { share: up === 0 ? 1 : best / up, digest: bestDigest }
}

/** Every live node holds the same versions. Stops at the first difference. */
export function versionsAgree (w: World): boolean {
  let first: number | undefined
  for (const n of w.upNodes()) {
    const d = w.node(n).core?.replica.digest(1)[0] ?? 0
    if (first === undefined) first = d
    else if (d !== first) return false
  }
  return true
}

/** Every live node sees every other live node alive. Stops at the first disagreement. */
export function membershipAgrees (w: World): boolean {
  const up = w.upNodes()
  // By name id (every core shares the world's name table): N^2 lookups without hashing a name each.
  const ids = up.map((b) => w.nameIdOf(w.node(b).name))
  for (let i = 0; i < up.length; i++) {
    const core = w.node(up[i] as number).core
    if (core === undefined) continue
    for (let j = 0; j < up.length; j++) {
      if (i !== j && core.members.statusOfId(ids[j] as number) !== 'alive') return false
    }
  }
  return true
}

/** A newcomer sees every live node alive and every live node sees it alive. */
export function joinSettled (w: World, node: number): boolean {
  const me = w.node(node)
  if (me.status !== 'up' || me.core === undefined) return true
  for (const b of w.upNodes()) {
    if (b === node) continue
    const other = w.node(b)
    if (me.core.members.statusOf(other.name) !== 'alive') return false
    if (other.core?.members.statusOf(me.name) !== 'alive') return false
  }
  return true
}
