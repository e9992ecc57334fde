/**
 * Who may use which datasets on this host. A rule maps a node name, a PeerId
 * or `*` (any member) to a dataset root; a caller may use a dataset that lies
 * at or below one of the roots mapped to it. Node names come from the mesh's
 * identity entries, PeerIds from the Noise-authenticated connection, so a
 * rule by PeerId is the stronger one.
 */
import { BridgeConfigError } from './errors.js'
import { checkDataset } from './names.js'
import type { DatasetName } from './names.js'

export interface AllowRule {
  /** A node name, a PeerId, or `*` for every caller. */
  who: string
  root: DatasetName
}

export interface Caller {
  node: string
  peerId?: string
}

const WHO_RE = /^(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,127})$/

/** `NODE=DATASET_ROOT` -> a rule. @throws BridgeConfigError naming the rule it broke */
export function parseAllowRule (s: string): AllowRule {
  const eq = s.indexOf('=')
  if (eq <= 0) throw new BridgeConfigError(`zfs-allow ${JSON.stringify(s)}: must be NODE=DATASET_ROOT`)
  const who = s.slice(0, eq)
  if (!WHO_RE.test(who)) throw new BridgeConfigError(`zfs-allow ${JSON.stringify(s)}: NODE must be a node name, a PeerId or *`)
  try {
    return { who, root: checkDataset(s.slice(eq + 1), 'zfs-allow root') }
  } catch (err) {
    throw new BridgeConfigError(`zfs-allow ${JSON.stringify(s)}: ${(err as Error).message}`, { cause: err })
  }
}

/** The dataset roots a caller may use, in rule order, without repeats. */
export function rootsFor (rules: readonly AllowRule[], caller: Caller): DatasetName[] {
  const out: DatasetName[] = []
  for (const r of rules) {
    if ((r.who === '*' || r.who === caller.node || r.who === caller.peerId) && !out.includes(r.root)) out.push(r.root)
  }
  return out
}

/** `node=root,...` for the host's advertised capabilities. */
export function formatAllowRules (rules: readonly AllowRule[]): string {
  return rules.map((r) => `${r.who}=${r.root}`).join(',')
}

/** The inverse of formatAllowRules; unparsable pairs are dropped (they came from a peer). */
export function parseAdvertisedRules (s: string): AllowRule[] {
  const out: AllowRule[] = []
  for (const pair of s.split(',')) {
    try {
      out.push(parseAllowRule(pair))
    } catch {
      // A peer's label we cannot read is not ours to trust.
    }
  }
  return out
}
