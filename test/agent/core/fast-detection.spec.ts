/**
 * The paths that make a crash fast to detect without making a stall fatal:
 * out-of-turn probes on a lost connection, suspicion as soon as every helper
 * says no, and no redundant accusations once a suspicion is confirmed.
 */
import { describe, expect, it } from 'vitest'
import { PEER_LOST_PROBE_SPREAD_MS, PROBE_INTERVAL_MS_DEFAULT } from '../../../agent/core/constants.js'
import { AgentCore, seededRng } from '../../../agent/core/index.js'
import type { Effect, Entry, Liveness } from '../../../agent/core/index.js'

const WALL0 = Date.UTC(2026, 0, 1)
const OTHERS = ['b', 'c', 'd', 'e', 'f', 'g']

function member (target: string, origin: string, incarnation: number, status: Liveness, hlc: number): Entry {
  return { key: `member/${target}`, value: { incarnation, status }, hlc, origin, prev: 0 }
}

/** A started core `a` that knows OTHERS alive, and a clock to step it with. */
function coreWithMembers (seed = 1): { core: AgentCore, step: (input: Parameters<AgentCore['step']>[0], monoMs: number) => Effect[] } {
  const core = new AgentCore({ name: 'a', rng: seededRng(seed) })
  const step = (input: Parameters<AgentCore['step']>[0], monoMs: number): Effect[] => core.step(input, { monoMs, wallMs: WALL0 + monoMs })
  step({ kind: 'start' }, 0)
  step({ kind: 'entries', source: 'gossip', entries: OTHERS.map((n, i) => member(n, n, 1, 'alive', 100 + i)) }, 0)
  return { core, step }
}

type ProbeEffect = Extract<Effect, { kind: 'probe' }>
type IndirectEffect = Extract<Effect, { kind: 'probe-indirect' }>

const probes = (effects: Effect[]): ProbeEffect[] => effects.filter((e): e is ProbeEffect => e.kind === 'probe')
const published = (effects: Effect[]): Entry[] => effects.flatMap((e) => e.kind === 'publish' ? e.entries : [])

/** Tick every millisecond from `from` to `to`, answering nothing, and collect the effects. */
function tickThrough (step: (input: Parameters<AgentCore['step']>[0], monoMs: number) => Effect[], from: number, to: number): Array<{ at: number, effects: Effect[] }> {
  const out: Array<{ at: number, effects: Effect[] }> = []
  for (let t = from; t <= to; t++) out.push({ at: t, effects: step({ kind: 'tick' }, t) })
  return out
}

describe('fast detection: a lost connection', () => {
  it('should probe the member out of turn, within the spread, before its turn would come', () => {
    const { step } = coreWithMembers()
    // Let the scheduled prober settle into its rhythm, answering every probe.
    for (let t = 0; t < 5_000; t += 10) {
      for (const p of probes(step({ kind: 'tick' }, t))) step({ kind: 'probe-ack', probeId: p.probeId, rttMs: 1 }, t)
    }
    const lostAt = 5_000
    step({ kind: 'peer-lost', name: 'd' }, lostAt)
    const seen = tickThrough(step, lostAt, lostAt + PEER_LOST_PROBE_SPREAD_MS + PROBE_INTERVAL_MS_DEFAULT)
    const first = seen.find((s) => probes(s.effects).some((p) => p.target === 'd'))
    expect(first, 'd was probed').toBeDefined()
    // Out of turn: before the scheduled probe in flight could end and the next begin.
    expect((first as { at: number }).at - lostAt).toBeLessThanOrEqual(PEER_LOST_PROBE_SPREAD_MS + PROBE_INTERVAL_MS_DEFAULT)
  })

  it('should ignore a lost connection to a member it believes dead, or does not know', () => {
    const { step } = coreWithMembers()
    step({ kind: 'entries', source: 'gossip', entries: [member('d', 'b', 1, 'dead', 500)] }, 10)
    step({ kind: 'peer-lost', name: 'd' }, 20)
    step({ kind: 'peer-lost', name: 'nobody' }, 20)
    const seen = tickThrough(step, 20, 20 + 5 * PROBE_INTERVAL_MS_DEFAULT)
    expect(seen.flatMap((s) => probes(s.effects)).filter((p) => p.target === 'd' || p.target === 'nobody')).toEqual([])
  })

  it('should suspect as soon as the direct probe failed and every helper said nack', () => {
    const { step } = coreWithMembers()
    step({ kind: 'peer-lost', name: 'e' }, 1_000)
    let probe: ProbeEffect | undefined
    let t = 1_000
    for (; probe === undefined && t < 3_000; t++) probe = probes(step({ kind: 'tick' }, t)).find((p) => p.target === 'e')
    expect(probe).toBeDefined()
    const p = probe as ProbeEffect
    const indirect = step({ kind: 'probe-failed', probeId: p.probeId }, t).find((e): e is IndirectEffect => e.kind === 'probe-indirect')
    expect(indirect?.helpers.length).toBe(3)
    const i = indirect as IndirectEffect
    expect(published(step({ kind: 'indirect-nack', probeId: i.probeId }, t + 1))).toEqual([])
    expect(published(step({ kind: 'indirect-nack', probeId: i.probeId }, t + 2))).toEqual([])
    const last = published(step({ kind: 'indirect-nack', probeId: i.probeId }, t + 3))
    expect(last.map((e) => [e.key, e.value])).toEqual([['member/e', { incarnation: 1, status: 'suspect' }]])
  })
})

describe('fast detection: confirmations', () => {
  it('should keep its own accusation to itself once others confirmed the suspicion enough', () => {
    const { core, step } = coreWithMembers(3)
    // b accuses f, and c, d, e confirm: k = 3 confirmations, the shortest timeout.
    step({ kind: 'entries', source: 'gossip', entries: [member('f', 'b', 1, 'suspect', 600)] }, 100)
    step({ kind: 'entries', source: 'gossip', entries: [member('f', 'c', 1, 'suspect', 601), member('f', 'd', 1, 'suspect', 602), member('f', 'e', 1, 'suspect', 603)] }, 110)
    expect(core.members.get('f')?.status).toBe('suspect')
    // Our own probe of f fails too (its connection just closed), and all helpers say nack.
    step({ kind: 'peer-lost', name: 'f' }, 120)
    let probe: ProbeEffect | undefined
    let t = 120
    for (; probe === undefined && t < 120 + PEER_LOST_PROBE_SPREAD_MS + PROBE_INTERVAL_MS_DEFAULT; t++) {
      for (const p of probes(step({ kind: 'tick' }, t))) {
        if (p.target === 'f') probe = p
        else step({ kind: 'probe-ack', probeId: p.probeId, rttMs: 1 }, t)
      }
    }
    expect(probe).toBeDefined()
    if (probe === undefined) return
    const indirect = step({ kind: 'probe-failed', probeId: probe.probeId }, t).find((e): e is IndirectEffect => e.kind === 'probe-indirect') as IndirectEffect
    const effects = indirect.helpers.flatMap((_h, n) => step({ kind: 'indirect-nack', probeId: indirect.probeId }, t + 1 + n))
    expect(published(effects).filter((e) => e.key === 'member/f')).toEqual([])
  })

  it('should still publish its accusation while the suspicion lacks confirmations', () => {
    const { step } = coreWithMembers(4)
    step({ kind: 'entries', source: 'gossip', entries: [member('f', 'b', 1, 'suspect', 600)] }, 100)
    let probe: ProbeEffect | undefined
    let t = 100
    for (; probe === undefined && t < 20_000; t++) {
      for (const p of probes(step({ kind: 'tick' }, t))) {
        if (p.target === 'f') probe = p
        else step({ kind: 'probe-ack', probeId: p.probeId, rttMs: 1 }, t)
      }
    }
    expect(probe).toBeDefined()
    const p = probe as ProbeEffect
    const indirect = step({ kind: 'probe-failed', probeId: p.probeId }, t).find((e): e is IndirectEffect => e.kind === 'probe-indirect') as IndirectEffect
    const effects = indirect.helpers.flatMap((_h, n) => step({ kind: 'indirect-nack', probeId: indirect.probeId }, t + 1 + n))
    expect(published(effects).map((e) => [e.key, e.origin, e.value])).toEqual([['member/f', 'a', { incarnation: 1, status: 'suspect' }]])
  })
})
