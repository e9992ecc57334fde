/**
 * Where the bytes go at rest: 20 in-process agents (real libp2p on loopback,
 * default core periods), a quiet window with no writes, and the bytes each
 * agent sends per second, by protocol (the runtime's wire meter) and, inside
 * gossipsub, by RPC part (messages, IHAVE, IWANT, GRAFT/PRUNE, IDONTWANT).
 * The gossipsub split encodes each part of every sent RPC on its own, so the
 * parts add up to slightly more than the stream's payload.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { RPC } from '@chainsafe/libp2p-gossipsub/message'
import type { RunningAgent } from '../agent/runtime/index.js'
import { WIRE_RAW } from '../agent/runtime/wire-meter.js'
import type { Figure } from './core.js'
import { startInProcessAgents } from './mesh-inprocess.js'
import { round, sleep, waitFor } from './mesh-util.js'

export interface WireOptions {
  agents: number
  settleMs: number
  quietMs: number
}

export const WIRE_DEFAULTS: WireOptions = { agents: 20, settleMs: 30_000, quietMs: 120_000 }

type Part = 'messages' | 'ihave' | 'iwant' | 'graft+prune' | 'idontwant' | 'subscriptions'
const PARTS: Part[] = ['messages', 'ihave', 'iwant', 'graft+prune', 'idontwant', 'subscriptions']

/** Count, per RPC part, the bytes one gossipsub instance sends. */
function tallyGossipsub (pubsub: unknown, tally: Map<Part, number>, counts: { messages: number, ihaveIds: number, messageBytes: number, byTopic: Map<string, number> }): void {
  const gs = pubsub as { sendRpc: (id: string, rpc: RPC) => boolean, sendRpcInBatch: (tosend: Set<string>, rpc: RPC) => void }
  const add = (part: Part, rpc: Partial<RPC>, times: number): void => {
    tally.set(part, (tally.get(part) ?? 0) + RPC.encode({ subscriptions: [], messages: [], ...rpc }).length * times)
  }
  const account = (rpc: RPC, times: number): void => {
    if (rpc.messages.length > 0) {
      add('messages', { messages: rpc.messages }, times)
      counts.messages += rpc.messages.length * times
      for (const m of rpc.messages) {
        counts.messageBytes += (m.data?.length ?? 0) * times
        counts.byTopic.set(m.topic, (counts.byTopic.get(m.topic) ?? 0) + RPC.encode({ subscriptions: [], messages: [m] }).length * times)
      }
    }
    if (rpc.subscriptions.length > 0) add('subscriptions', { subscriptions: rpc.subscriptions }, times)
    const c = rpc.control
    if (c === undefined) return
    if (c.ihave.length > 0) {
      add('ihave', { control: { ihave: c.ihave, iwant: [], graft: [], prune: [], idontwant: [] } }, times)
      for (const i of c.ihave) counts.ihaveIds += i.messageIDs.length * times
    }
    if (c.iwant.length > 0) add('iwant', { control: { ihave: [], iwant: c.iwant, graft: [], prune: [], idontwant: [] } }, times)
    if (c.graft.length + c.prune.length > 0) add('graft+prune', { control: { ihave: [], iwant: [], graft: c.graft, prune: c.prune, idontwant: [] } }, times)
    if ((c.idontwant?.length ?? 0) > 0) add('idontwant', { control: { ihave: [], iwant: [], graft: [], prune: [], idontwant: c.idontwant } }, times)
  }
  const sendRpc = gs.sendRpc.bind(gs)
  gs.sendRpc = (id, rpc) => {
    const sent = sendRpc(id, rpc)
    if (sent) account(rpc, 1)
    return sent
  }
  const sendRpcInBatch = gs.sendRpcInBatch.bind(gs)
  gs.sendRpcInBatch = (tosend, rpc) => {
    sendRpcInBatch(tosend, rpc)
    account(rpc, tosend.size)
  }
}

export async function benchWire (opt: WireOptions = WIRE_DEFAULTS): Promise<Figure[]> {
  const root = await mkdtemp(join(tmpdir(), 'hauki-bench-wire-'))
  const agents: RunningAgent[] = []
  try {
    await startInProcessAgents(root, opt.agents, 'wire', agents)
    await waitFor(`all ${opt.agents} agents see all alive`, () => agents.every((a) => {
      const members = [...a.runtime.core.members.all()]
      return members.length === agents.length && members.every((m) => m.status === 'alive')
    }), 90_000, 20)
    await sleep(opt.settleMs)

    const tally = new Map<Part, number>()
    const counts = { messages: 0, ihaveIds: 0, messageBytes: 0, byTopic: new Map<string, number>() }
    for (const a of agents) tallyGossipsub(a.runtime.node.services.pubsub, tally, counts)
    const before = agents.map((a) => new Map(a.runtime.wire.totals().map((t) => [`${t.dir} ${t.protocol}`, t.bytes])))
    const suspectsBefore = agents.reduce((s, a) => s + a.runtime.counters.get('member_transitions_total{to="suspect"}'), 0)
    const t0 = performance.now()
    await sleep(opt.quietMs)
    const seconds = (performance.now() - t0) / 1000
    const after = agents.map((a) => new Map(a.runtime.wire.totals().map((t) => [`${t.dir} ${t.protocol}`, t.bytes])))

    const perAgent = (key: string): number => {
      let sum = 0
      for (let i = 0; i < agents.length; i++) sum += ((after[i] as Map<string, number>).get(key) ?? 0) - ((before[i] as Map<string, number>).get(key) ?? 0)
      return sum / agents.length / seconds
    }
    const protocols = new Set<string>()
    for (const m of after) for (const k of m.keys()) if (k.startsWith('out ') && k !== `out ${WIRE_RAW}`) protocols.add(k.slice(4))
    const figures: Figure[] = [
      { name: `wire: TCP bytes sent per agent at rest (${opt.agents} agents, ${Math.round(seconds)} s)`, value: Math.round(perAgent(`out ${WIRE_RAW}`)), unit: 'B/s' }
    ]
    for (const p of [...protocols].sort()) {
      figures.push({ name: `wire:   payload sent on ${p}`, value: Math.round(perAgent(`out ${p}`)), unit: 'B/s' })
    }
    for (const part of PARTS) {
      figures.push({ name: `wire:     gossipsub ${part}`, value: Math.round((tally.get(part) ?? 0) / agents.length / seconds), unit: 'B/s' })
      if (part !== 'messages') continue
      for (const [topic, bytes] of [...counts.byTopic].sort()) {
        figures.push({ name: `wire:       on topic ${topic}`, value: Math.round(bytes / agents.length / seconds), unit: 'B/s' })
      }
    }
    figures.push(
      { name: 'wire: gossip messages sent per agent', value: round(counts.messages / agents.length / seconds, 1), unit: 'msg/s' },
      { name: 'wire: mean gossip message data size', value: counts.messages === 0 ? 0 : Math.round(counts.messageBytes / counts.messages), unit: 'B' },
      { name: 'wire: IHAVE message ids sent per agent', value: round(counts.ihaveIds / agents.length / seconds, 1), unit: 'ids/s' },
      { name: 'wire: members seen turning suspect in the window (all agents)', value: agents.reduce((s, a) => s + a.runtime.counters.get('member_transitions_total{to="suspect"}'), 0) - suspectsBefore, unit: 'suspicions' }
    )
    return figures
  } finally {
    await Promise.all(agents.map(async (a) => await a.stop().catch(() => {})))
    await rm(root, { recursive: true, force: true })
  }
}
