/**
 * The paths that make a crash fast to detect without making a stall fatal:
 * out-of-turn probes on a lost connection, suspicion as soon as every helper
 * says no, and no redundant accusations once a suspicion is confirmed.
 */
import { describe, expect, it } from 'vitest'
import { PEER_LOST_PROBE_SPREAD_MS, PROBE_INTERVAL_MS_DEFAULT, PROBE_TIMEOUT_MS_DEFAULT, SUSPICION_HOLD_PERIODS, SUSPICION_DEADLINE_SPREAD_MS, SUSPICION_MIN_PERIODS } from '../../../agent/core/constants.js'
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

const CONFIRM_DELAY_MS = SUSPICION_HOLD_PERIODS * PROBE_INTERVAL_MS_DEFAULT

type Step = (input: Parameters<AgentCore['step']>[0], monoMs: number) => Effect[]

/**
 * Tick every millisecond from `from` to `to`, answering every probe except
 * those of `silent` (and no indirect probe), and collect what was published
 * when and the probes sent to `silent`.
 */
function tickAcking (step: Step, from: number, to: number, silent?: string): Array<{ at: number, entries: Entry[], silentProbes: ProbeEffect[] }> {
  const out: Array<{ at: number, entries: Entry[], silentProbes: ProbeEffect[] }> = []
  for (let t = from; t <= to; t++) {
    const effects = step({ kind: 'tick' }, t)
    const silentProbes: ProbeEffect[] = []
    for (const p of probes(effects)) {
      if (p.target === silent) silentProbes.push(p)
      else effects.push(...step({ kind: 'probe-ack', probeId: p.probeId, rttMs: 1 }, t))
    }
    const entries = published(effects)
    if (entries.length > 0 || silentProbes.length > 0) out.push({ at: t, entries, silentProbes })
  }
  return out
}

/**
 * Answer every probe from `from` on until `target` is probed; fail that one
 * (refused, then every helper says nack). Returns the time of the last nack
 * and what the failing steps published.
 */
function failProbeOf (step: Step, target: string, from: number): { t: number, published: Entry[] } {
  let probe: ProbeEffect | undefined
  let t = from
  for (; probe === undefined && t < from + 20_000; t++) {
    for (const p of probes(step({ kind: 'tick' }, t))) {
      if (p.target === target) probe = p
      else step({ kind: 'probe-ack', probeId: p.probeId, rttMs: 1 }, t)
    }
  }
  expect(probe, `${target} was probed`).toBeDefined()
  const p = probe as ProbeEffect
  const failed = step({ kind: 'probe-failed', probeId: p.probeId }, t)
  const indirect = failed.find((e): e is IndirectEffect => e.kind === 'probe-indirect') as IndirectEffect
  const effects = [...failed]
  let last = t
  for (let n = 0; n < indirect.helpers.length; n++) {
    last = t + 1 + n
    effects.push(...step({ kind: 'indirect-nack', probeId: indirect.probeId }, last))
  }
  return { t: last, published: published(effects) }
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

  it('should hold its confirmation back, then publish it while the suspicion still lacks confirmations', () => {
    const { step } = coreWithMembers(4)
    step({ kind: 'entries', source: 'gossip', entries: [member('f', 'b', 1, 'suspect', 600)] }, 100)
    const failedAt = failProbeOf(step, 'f', 100)
    expect(failedAt.published.filter((e) => e.key === 'member/f')).toEqual([])
    const seen = tickAcking(step, failedAt.t + 1, failedAt.t + CONFIRM_DELAY_MS)
    const mine = seen.filter((s) => s.entries.some((e) => e.key === 'member/f'))
    expect(mine.map((s) => s.at)).toEqual([failedAt.t + CONFIRM_DELAY_MS])
    expect(mine[0]?.entries.map((e) => [e.key, e.origin, e.value])).toEqual([['member/f', 'a', { incarnation: 1, status: 'suspect' }]])
  })

  it('should never send a held confirmation when the member refutes first', () => {
    const { step } = coreWithMembers(4)
    step({ kind: 'entries', source: 'gossip', entries: [member('f', 'b', 1, 'suspect', 600)] }, 100)
    const failedAt = failProbeOf(step, 'f', 100)
    step({ kind: 'entries', source: 'gossip', entries: [member('f', 'f', 2, 'alive', 900)] }, failedAt.t + 10)
    const seen = tickAcking(step, failedAt.t + 11, failedAt.t + 2 * CONFIRM_DELAY_MS)
    expect(seen.flatMap((s) => s.entries).filter((e) => e.key === 'member/f')).toEqual([])
  })

  it('should drop held confirmations when its own loop stalled, before the refutation queued behind the stall is read', () => {
    const { step } = coreWithMembers(4)
    step({ kind: 'entries', source: 'gossip', entries: [member('f', 'b', 1, 'suspect', 600)] }, 100)
    const failedAt = failProbeOf(step, 'f', 100)
    // The loop wakes 2 s late: the timers run first, and the held confirmation is due by then.
    const late = published(step({ kind: 'tick' }, failedAt.t + CONFIRM_DELAY_MS + 2_000))
    expect(late.filter((e) => e.key === 'member/f')).toEqual([])
  })

  it('should not accuse again a member whose suspicion it started itself', () => {
    const { step } = coreWithMembers(5)
    const first = failProbeOf(step, 'f', 0)
    expect(first.published.filter((e) => e.key === 'member/f').map((e) => e.origin)).toEqual(['a'])
    step({ kind: 'peer-lost', name: 'f' }, first.t + 1)
    const again = failProbeOf(step, 'f', first.t + 1)
    const after = tickAcking(step, again.t + 1, again.t + 2 * CONFIRM_DELAY_MS)
    expect([...again.published, ...after.flatMap((s) => s.entries)].filter((e) => e.key === 'member/f')).toEqual([])
  })

  it('should hold back an accusation whose probe timed out, and drop it when the verification ping is answered', () => {
    const { step } = coreWithMembers(7)
    // f is silent (a stalled loop) until the verification ping.
    const seen: ReturnType<typeof tickAcking> = []
    for (let t = 0; t < 3 * PROBE_INTERVAL_MS_DEFAULT * OTHERS.length && !seen.some((s) => s.silentProbes.some((p) => p.probeId < 0)); t++) seen.push(...tickAcking(step, t, t, 'f'))
    const first = seen.find((s) => s.silentProbes.length > 0) as { at: number, silentProbes: ProbeEffect[] }
    expect(first.silentProbes[0]?.probeId).toBeGreaterThan(0)
    const periodEnd = first.at + PROBE_INTERVAL_MS_DEFAULT
    const verification = seen.find((s) => s.silentProbes.some((p) => p.probeId < 0))
    expect(verification?.at).toBe(periodEnd + CONFIRM_DELAY_MS)
    // Now f answers: the held accusation is dropped, and nothing about f was ever published.
    const v = (verification as { silentProbes: ProbeEffect[] }).silentProbes.find((p) => p.probeId < 0) as ProbeEffect
    const answered = published(step({ kind: 'probe-ack', probeId: v.probeId, rttMs: 1 }, periodEnd + CONFIRM_DELAY_MS + 1))
    const later = tickAcking(step, periodEnd + CONFIRM_DELAY_MS + 2, periodEnd + 10_000)
    expect([...answered, ...seen.flatMap((s) => s.entries), ...later.flatMap((s) => s.entries)].filter((e) => e.key === 'member/f')).toEqual([])
  })

  it('should publish a held accusation, saying how long it held it, when the verification ping fails too', () => {
    const { step } = coreWithMembers(7)
    const seen = tickAcking(step, 0, 3 * PROBE_INTERVAL_MS_DEFAULT * OTHERS.length, 'f')
    const first = seen.find((s) => s.silentProbes.length > 0) as { at: number }
    const periodEnd = first.at + PROBE_INTERVAL_MS_DEFAULT
    const accused = seen.filter((s) => s.entries.some((e) => e.key === 'member/f'))
    expect(accused.map((s) => s.at)).toEqual([periodEnd + CONFIRM_DELAY_MS + PROBE_TIMEOUT_MS_DEFAULT])
    expect(accused[0]?.entries.map((e) => e.value)).toEqual([{ incarnation: 1, status: 'suspect', heldMs: CONFIRM_DELAY_MS + PROBE_TIMEOUT_MS_DEFAULT }])
  })

  it('should start a held accusation\'s suspicion when the accuser\'s probe failed, bounded by what an accuser can hold', () => {
    const deathAt = (value: Entry['value']): number => {
      const { step } = coreWithMembers(6)
      step({ kind: 'entries', source: 'gossip', entries: [{ ...member('f', 'b', 1, 'suspect', 600), value }] }, 5_000)
      step({ kind: 'entries', source: 'gossip', entries: ['c', 'd', 'e'].map((o, i) => member('f', o, 1, 'suspect', 700 + i)) }, 5_001)
      const seen = tickAcking(step, 5_002, 5_000 + 10 * PROBE_INTERVAL_MS_DEFAULT)
      const dead = seen.find((s) => s.entries.some((e) => e.key === 'member/f' && (e.value as { status: string }).status === 'dead'))
      return (dead as { at: number }).at
    }
    const now = deathAt({ incarnation: 1, status: 'suspect' })
    expect(deathAt({ incarnation: 1, status: 'suspect', heldMs: 2_000 })).toBe(now - 2_000)
    const heldMsMax = CONFIRM_DELAY_MS + PROBE_TIMEOUT_MS_DEFAULT + PROBE_INTERVAL_MS_DEFAULT
    expect(deathAt({ incarnation: 1, status: 'suspect', heldMs: 1e9 })).toBe(now - heldMsMax)
    expect(deathAt({ incarnation: 1, status: 'suspect', heldMs: -5 })).toBe(now)
  })

  it('should declare a death as early when the confirmations arrive held back as when they arrive at once', () => {
    const deathAt = (confirmAt: number): number => {
      const { step } = coreWithMembers(6)
      step({ kind: 'entries', source: 'gossip', entries: [member('f', 'b', 1, 'suspect', 600)] }, 1_000)
      step({ kind: 'entries', source: 'gossip', entries: ['c', 'd', 'e'].map((o, i) => member('f', o, 1, 'suspect', 700 + i)) }, confirmAt)
      const seen = tickAcking(step, confirmAt + 1, 1_000 + 10 * PROBE_INTERVAL_MS_DEFAULT)
      const dead = seen.find((s) => s.entries.some((e) => e.key === 'member/f' && (e.value as { status: string }).status === 'dead'))
      return (dead as { at: number }).at
    }
    const minMs = SUSPICION_MIN_PERIODS * PROBE_INTERVAL_MS_DEFAULT
    const early = deathAt(1_001)
    const held = deathAt(1_000 + CONFIRM_DELAY_MS + PEER_LOST_PROBE_SPREAD_MS)
    expect(early).toBeLessThanOrEqual(1_000 + minMs + SUSPICION_DEADLINE_SPREAD_MS)
    expect(held).toBe(early)
  })
})
