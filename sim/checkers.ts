/**
 * The checkers of the liveness phase (TigerBeetle's VOPR: after the faults
 * stop and the network heals, every live node must converge). They take
 * plain views of the nodes, so a test can hand them a deliberately broken
 * state and see them fail.
 */
import type { EntryKey, Hlc, Liveness, NodeName } from '../agent/core/index.js'

export interface NodeView {
  name: NodeName
  /** Order-independent fingerprint of the whole replicated state. */
  fingerprint: string
  /** The stamp this node holds for a key. */
  stampOf: (key: EntryKey) => { hlc: Hlc, origin: NodeName } | undefined
  /** This node's membership view of another node. */
  statusOf: (name: NodeName) => Liveness | undefined
}

export interface AckedWrite { key: EntryKey, hlc: Hlc, origin: NodeName }

export interface CheckResult { name: string, ok: boolean, detail: string }

/** Every live node holds the identical state. */
export function checkStateDigests (views: readonly NodeView[]): CheckResult {
  const groups = new Map<string, NodeName[]>()
  for (const v of views) {
    const g = groups.get(v.fingerprint)
    if (g === undefined) groups.set(v.fingerprint, [v.name])
    else g.push(v.name)
  }
  if (groups.size <= 1) return { name: 'identical state digests', ok: true, detail: `${views.length} live nodes hold state ${[...groups.keys()][0] ?? '-'}` }
  const parts = [...groups.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, 4)
    .map(([fp, names]) => `${names.length} node(s) at ${fp} (e.g. ${names.slice(0, 3).join(', ')})`)
  return { name: 'identical state digests', ok: false, detail: `${groups.size} different states: ${parts.join('; ')}` }
}

/**
 * No acknowledged write is missing or older anywhere. Node by node (each
 * node's state is looked at while it is in cache: thousands of nodes times
 * hundreds of writes), with the same result as write by write: the example is
 * the first lost write and the first node that lacks it.
 */
export function checkAckedWrites (views: readonly NodeView[], acked: readonly AckedWrite[]): CheckResult {
  const lostAt: string[] = new Array<string>(acked.length).fill('')
  let lost = 0
  for (const v of views) {
    for (let i = 0; i < acked.length; i++) {
      if (lostAt[i] !== '') continue
      const w = acked[i] as AckedWrite
      const held = v.stampOf(w.key)
      const ok = held !== undefined && (held.hlc > w.hlc || (held.hlc === w.hlc && held.origin >= w.origin))
      if (ok) continue
      lost++
      lostAt[i] = `${v.name} lacks ${w.key}@${w.hlc} by ${w.origin} (holds ${held === undefined ? 'nothing' : `${held.hlc} by ${held.origin}`})`
    }
  }
  if (lost === 0) return { name: 'no acknowledged write lost', ok: true, detail: `${acked.length} acknowledged writes present at all ${views.length} live nodes` }
  const example = lostAt.find((x) => x !== '') as string
  return { name: 'no acknowledged write lost', ok: false, detail: `${lost} of ${acked.length} acknowledged writes missing; e.g. ${example}` }
}

/** Every live node sees every live node alive, and no gone node as alive or suspect. */
export function checkMembership (views: readonly NodeView[], gone: readonly NodeName[]): CheckResult {
  const live = views.map((v) => v.name)
  for (const v of views) {
    for (const other of live) {
      if (other === v.name) continue
      const s = v.statusOf(other)
      if (s !== 'alive') return { name: 'membership agreement', ok: false, detail: `${v.name} sees live node ${other} as ${s ?? 'unknown'}` }
    }
    for (const g of gone) {
      const s = v.statusOf(g)
      if (s === 'alive' || s === 'suspect') return { name: 'membership agreement', ok: false, detail: `${v.name} sees stopped node ${g} as ${s}` }
    }
  }
  return { name: 'membership agreement', ok: true, detail: `${live.length} live nodes agree; ${gone.length} stopped nodes dead or left everywhere` }
}
