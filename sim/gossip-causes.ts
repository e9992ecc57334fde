/**
 * What the gossip traffic is for: every published message is put down to one
 * cause, read from its entries, and what it cost the mesh (every copy sent,
 * duplicates included) is added to that cause. Operators asking "why does each
 * node send 10 KB/s?" want this more than a total: a stall costs a suspicion,
 * confirmations and a refutation; a workload write costs one message.
 *
 * Causes, from the first entry of the message that decides one:
 * - `start`: a node's start writes (member record, caps, identity);
 * - `suspect`: the first accusation of a member at an incarnation;
 * - `confirm`: a further accusation at the same incarnation (Lifeguard's confirmations);
 * - `refute`: a running node declaring itself alive at a raised incarnation;
 * - `dead`, `left`: those verdicts;
 * - `heartbeat` (telemetry, with or without the RTT map), `rtt` (the RTT map alone);
 * - `workload`: the scenario's writes (`node/<name>/app<k>`);
 * - `other`.
 */
import type { Entry, NodeName } from '../agent/core/index.js'
import { r3 } from './stats.js'

export type GossipCause = 'start' | 'suspect' | 'confirm' | 'refute' | 'dead' | 'left' | 'heartbeat' | 'rtt' | 'workload' | 'other'

export interface CauseCount {
  /** Messages published. */
  published: number
  /** Entries in them. */
  entries: number
  /** Copies sent (every node's forwards, duplicates included). */
  messages: number
  bytes: number
}

export interface CauseRate {
  /** Messages published per second, fleet-wide. */
  publishedPerS: number
  /** Entries per published message. */
  entriesPerMessage: number
  messagesPerNodePerS: number
  bytesPerNodePerS: number
  /** Copies each node sent per published message (about the copies each node received). */
  copiesPerNode: number
}

export type CauseCounts = Partial<Record<GossipCause, CauseCount>>

interface Accusation { incarnation: number, suspected: boolean }

export class GossipCauses {
  private readonly counts: CauseCounts = {}
  /** The last published member record per member, to tell a first accusation from a confirmation. */
  private readonly members = new Map<NodeName, Accusation>()
  /** Nodes whose start writes are still to come. */
  private readonly starting = new Set<NodeName>()

  /** Node `name` is about to run its core's `start`: its next `alive` record is a start, not a refutation. */
  started (name: NodeName): void {
    this.starting.add(name)
  }

  /** Put one published message down to its cause. */
  classify (entries: readonly Entry[]): GossipCause {
    let cause: GossipCause | undefined
    for (const e of entries) {
      const c = this.causeOf(e)
      cause ??= c
    }
    return cause ?? 'other'
  }

  private causeOf (e: Entry): GossipCause {
    const key = e.key
    if (key.startsWith('member/')) return this.memberCause(key.slice(7), e)
    if (!key.startsWith('node/')) return 'other'
    const field = key.slice(key.indexOf('/', 5) + 1)
    if (field === 'heartbeat') return 'heartbeat'
    if (field === 'rtt') return 'rtt'
    if (field.startsWith('app')) return 'workload'
    if (field === 'caps' || field === 'identity') return 'start'
    return 'other'
  }

  private memberCause (member: NodeName, e: Entry): GossipCause {
    const v = e.value as { incarnation?: number, status?: string } | null
    const incarnation = v?.incarnation ?? 0
    const status = v?.status
    const last = this.members.get(member)
    switch (status) {
      case 'suspect': {
        const confirm = last !== undefined && last.suspected && last.incarnation === incarnation
        this.members.set(member, { incarnation, suspected: true })
        return confirm ? 'confirm' : 'suspect'
      }
      case 'alive':
        this.members.set(member, { incarnation, suspected: false })
        if (this.starting.delete(member)) return 'start'
        return 'refute'
      case 'dead':
        this.members.set(member, { incarnation, suspected: false })
        return 'dead'
      case 'left':
        this.members.delete(member)
        return 'left'
      default:
        return 'other'
    }
  }

  /** Count one published message of `entries` entries that cost `messages` copies and `bytes`. */
  add (cause: GossipCause, entries: number, messages: number, bytes: number): void {
    let c = this.counts[cause]
    if (c === undefined) this.counts[cause] = c = { published: 0, entries: 0, messages: 0, bytes: 0 }
    c.published++
    c.entries += entries
    c.messages += messages
    c.bytes += bytes
  }

  snapshot (): CauseCounts {
    const out: CauseCounts = {}
    for (const [k, v] of Object.entries(this.counts)) out[k as GossipCause] = { ...v }
    return out
  }
}

/** Rates between two snapshots over `seconds` and `nodeSeconds`, causes in name order. */
export function causeRates (from: CauseCounts, to: CauseCounts, seconds: number, nodeSeconds: number): Partial<Record<GossipCause, CauseRate>> {
  const out: Partial<Record<GossipCause, CauseRate>> = {}
  const s = Math.max(1e-9, seconds)
  const ns = Math.max(1e-9, nodeSeconds)
  const nodes = ns / s
  for (const cause of (Object.keys(to) as GossipCause[]).sort()) {
    const a = from[cause] ?? { published: 0, entries: 0, messages: 0, bytes: 0 }
    const b = to[cause] as CauseCount
    const published = b.published - a.published
    if (published === 0) continue
    out[cause] = {
      publishedPerS: r3(published / s),
      entriesPerMessage: r3((b.entries - a.entries) / published),
      messagesPerNodePerS: r3((b.messages - a.messages) / ns),
      bytesPerNodePerS: r3((b.bytes - a.bytes) / ns),
      copiesPerNode: r3((b.messages - a.messages) / published / nodes)
    }
  }
  return out
}
