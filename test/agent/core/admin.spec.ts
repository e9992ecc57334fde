/**
 * Signed admin events and the maintenance fold, on the pure core: every
 * agent that holds the same events folds them into the same states whatever
 * the order, duplication or partial delivery; forged events change nothing;
 * the target node walks the lifecycle only through work it actually did.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  AgentCore, adminEventId, foldMaintenance, generateAdminKey, hlcFromWall, parseKeyFile, formatSecretKeyFile, formatPublicKeyFile,
  seededRng, signAdminEvent
} from '../../../agent/core/index.js'
import type { AdminAction, AdminEvent, Effect, Entry, Instant, MaintenanceView } from '../../../agent/core/index.js'

const T0 = Date.UTC(2026, 10, 25, 12)
const ADMIN = generateAdminKey(new Uint8Array(32).fill(7))
const OTHER_ADMIN = generateAdminKey(new Uint8Array(32).fill(9))
const STRANGER = generateAdminKey(new Uint8Array(32).fill(3))
const TRUSTED = [ADMIN.publicKey, OTHER_ADMIN.publicKey]
const CAPS = { role: 'container' as const, labels: {}, services: [] }

function at (ms: number): Instant {
  return { monoMs: ms, wallMs: T0 + ms }
}

function sign (action: AdminAction, target: string, offsetMs: number, key = ADMIN.secretKey, params = {}): AdminEvent {
  return signAdminEvent({ action, target, hlc: hlcFromWall(T0 + offsetMs), params }, key)
}

/** Views without the history's signer detail, for comparing agents. */
function viewOf (core: AgentCore, node: string): MaintenanceView {
  return core.maintenanceOf(node)
}

function startCore (name: string, init: Partial<ConstructorParameters<typeof AgentCore>[0]> = {}): AgentCore {
  const core = new AgentCore({ name, rng: seededRng(name.length * 31 + 7), adminKeys: TRUSTED, ...init })
  core.step({ kind: 'start', capabilities: CAPS }, at(0))
  return core
}

/** The entries an operator's agent writes for these events (what it gossips). */
function adminEntries (events: AdminEvent[]): Entry[] {
  const op = startCore('operator')
  const out: Entry[] = []
  events.forEach((e, i) => {
    for (const eff of op.step({ kind: 'admin-event', event: e }, at(10 + i))) {
      if (eff.kind === 'publish') out.push(...eff.entries.filter((w) => w.key.startsWith('admin/')))
    }
  })
  return out
}

/**
 * A tiny lossless network for a few cores: every published entry reaches
 * every other core, maintenance work is done at once. Steps until quiet.
 */
function settle (cores: AgentCore[], startMs: number, untilMs: number, first: Entry[][] = []): void {
  const inbox = new Map<AgentCore, Entry[]>(cores.map((c, i) => [c, [...(first[i] ?? [])]]))
  const done = new Map<AgentCore, string[]>(cores.map((c) => [c, []]))
  const carry = (from: AgentCore, effects: Effect[]): void => {
    for (const e of effects) {
      if (e.kind === 'publish') for (const c of cores) if (c !== from) inbox.get(c)!.push(...e.entries)
      if (e.kind === 'maintenance') done.get(from)!.push(e.eventId)
    }
  }
  for (let t = startMs; t <= untilMs; t += 100) {
    for (const c of cores) {
      const entries = inbox.get(c)!.splice(0)
      carry(c, c.step(entries.length > 0 ? { kind: 'entries', source: 'gossip', entries } : { kind: 'tick' }, at(t)))
      for (const id of done.get(c)!.splice(0)) carry(c, c.step({ kind: 'maintenance-done', eventId: id, ok: true }, at(t)))
    }
  }
}

describe('admin: the fold', () => {
  const actions: AdminAction[] = ['maintenance-enter', 'maintenance-exit', 'drain', 'cordon', 'uncordon', 'restart-daemons', 'clear-avoid']
  // Unsigned events are enough for the fold itself: it never looks at signatures.
  const eventArb = fc.record({ action: fc.constantFrom(...actions), hlc: fc.integer({ min: 1, max: 40 }), signer: fc.constantFrom('a'.repeat(64), 'b'.repeat(64)) })
    .map(({ action, hlc, signer }): AdminEvent => {
      const p = { action, target: 'n1', hlc, params: { by: signer.slice(0, 1) } }
      return { ...p, id: adminEventId(p), signer, sig: '0'.repeat(128) }
    })
  const reportsArb = fc.dictionary(fc.string(), fc.constantFrom('drained' as const, 'drain-failed' as const, 'resumed' as const, 'recovered' as const, 'done' as const))

  it('fold is independent of order and duplication', () => {
    fc.assert(fc.property(fc.array(eventArb, { maxLength: 25 }), fc.integer(), (events, seed) => {
      const rng = seededRng(seed)
      const shuffled = [...events, ...events.filter(() => rng.next() < 0.5)]
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rng.int(i + 1)
        ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
      }
      const reports = new Map([[events[0]?.id ?? 'x', 'drained' as const]])
      expect(foldMaintenance(shuffled, reports)).toEqual(foldMaintenance(events, reports))
    }))
  })

  it('fold of the same events and reports gives the same view, whatever reports look like', () => {
    fc.assert(fc.property(fc.array(eventArb, { maxLength: 20 }), reportsArb, (events, r) => {
      const reports = new Map(Object.entries(r))
      const a = foldMaintenance(events, reports)
      const b = foldMaintenance([...events].reverse(), new Map([...reports].reverse()))
      expect(a).toEqual(b)
      expect(['Active', 'EnteringMaintenance', 'Maintenance', 'ExitingMaintenance', 'Recovery', 'DrainFailed']).toContain(a.state)
    }))
  })

  it('should resolve concurrent enter and exit from two admins by (hlc, id), the same everywhere', () => {
    const enter = sign('maintenance-enter', 'n1', 5_000, ADMIN.secretKey)
    const exit = sign('maintenance-exit', 'n1', 5_000, OTHER_ADMIN.secretKey)
    const first = enter.id < exit.id ? enter : exit
    const a = foldMaintenance([enter, exit], new Map())
    const b = foldMaintenance([exit, enter], new Map())
    expect(a).toEqual(b)
    // Whichever sorts first applies; an exit while Active is a no-op, an exit after an enter applies.
    expect(a.history.map((s) => s.id)).toEqual(first === enter ? [enter.id, exit.id] : [exit.id, enter.id])
    expect(a.state).toBe(first === enter ? 'ExitingMaintenance' : 'EnteringMaintenance')
  })

  it('should treat cordon as a flag beside the maintenance state', () => {
    const v = foldMaintenance([sign('cordon', 'n1', 1), sign('maintenance-enter', 'n1', 2), sign('uncordon', 'n1', 3), sign('cordon', 'n1', 4)], new Map())
    expect(v.state).toBe('EnteringMaintenance')
    expect(v.cordoned).toBe(true)
    expect(v.history.map((s) => s.outcome)).toEqual(['applied', 'applied', 'applied', 'applied'])
  })
})

describe('admin: replicated through cores', () => {
  // A pool of really signed events about n1, from two admins, some at the same instant.
  const POOL = [
    sign('maintenance-enter', 'n1', 1_000), sign('cordon', 'n1', 1_500), sign('maintenance-exit', 'n1', 2_000, OTHER_ADMIN.secretKey),
    sign('drain', 'n1', 2_000), sign('uncordon', 'n1', 3_000, OTHER_ADMIN.secretKey), sign('maintenance-exit', 'n1', 4_000),
    sign('restart-daemons', 'n1', 4_000, OTHER_ADMIN.secretKey), sign('maintenance-enter', 'n2', 4_500)
  ]
  const ENTRIES = adminEntries(POOL)

  it('agents that receive the same events in any order, duplicated or in parts, reach the same states', () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.nat(ENTRIES.length - 1), { maxLength: 12 }), { minLength: 3, maxLength: 3 }),
      fc.array(fc.integer(), { minLength: 3, maxLength: 3 }),
      (partials, seeds) => {
        const cores = ['n1', 'n2', 'n3'].map((n) => startCore(n, { recoverySettleMs: 1_000 }))
        // Phase 1: each agent gets a different partial, duplicated, reordered delivery.
        settle(cores, 100, 1_000, partials.map((p) => p.map((k) => ENTRIES[k]!)))
        // Phase 2: everything arrives everywhere, in each agent's own order.
        settle(cores, 1_100, 12_000, seeds.map((seed) => {
          const rng = seededRng(seed)
          return [...ENTRIES, ...ENTRIES.filter(() => rng.next() < 0.3)].sort(() => rng.next() - 0.5)
        }))
        for (const node of ['n1', 'n2']) {
          const views = cores.map((c) => viewOf(c, node))
          expect(views[1]).toEqual(views[0])
          expect(views[2]).toEqual(views[0])
        }
        // The last event about n1 is an exit; n1 resumed and, after settling, recovered.
        expect(viewOf(cores[0]!, 'n1').state).toBe('Active')
      }
    ), { numRuns: 40 })
  })

  it('should apply a replayed event once', () => {
    const core = startCore('n2')
    const event = POOL[0]!
    const admins = (effects: Effect[]): number => effects.filter((e) => e.kind === 'admin').length
    expect(admins(core.step({ kind: 'admin-event', event }, at(100)))).toBe(1)
    expect(admins(core.step({ kind: 'admin-event', event }, at(200)))).toBe(0)
    expect(admins(core.step({ kind: 'entries', source: 'gossip', entries: ENTRIES.slice(0, 1) }, at(300)))).toBe(0)
    expect(viewOf(core, 'n1').history).toHaveLength(1)
  })

  it.each([
    ['an untrusted signer', (): unknown => sign('maintenance-enter', 'n1', 100, STRANGER.secretKey), 'admin event: signer is not a trusted admin key'],
    ['a flipped signature bit', (): unknown => { const e = sign('maintenance-enter', 'n1', 100); return { ...e, sig: (e.sig[0] === '0' ? '1' : '0') + e.sig.slice(1) } }, 'admin event: signature does not verify'],
    ['a payload changed after signing, id recomputed', (): unknown => {
      const e = sign('maintenance-enter', 'n1', 100)
      const p = { action: e.action, target: 'n2', hlc: e.hlc, params: e.params }
      return { ...e, target: 'n2', id: adminEventId(p) }
    }, 'admin event: signature does not verify'],
    ['a payload changed after signing', (): unknown => ({ ...sign('maintenance-enter', 'n1', 100), target: 'n2' }), 'admin event: id does not match the payload'],
    ['no signature', (): unknown => { const { sig: _sig, ...rest } = sign('maintenance-enter', 'n1', 100); return rest }, 'admin event: sig must be a 64-byte hex signature'],
    ['an unknown action', (): unknown => ({ ...sign('maintenance-enter', 'n1', 100), action: 'reboot' }), 'admin event: action must be one of maintenance-enter, maintenance-exit, drain, cordon, uncordon, restart-daemons, clear-avoid']
  ])('should drop and count an event with %s, from the API and from gossip, and change nothing', (_what, make, reason) => {
    const core = startCore('n2')
    const bad = make() as AdminEvent
    core.step({ kind: 'admin-event', event: bad }, at(100))
    // The same forgery arriving as a replicated entry from a peer.
    const id = typeof bad.id === 'string' ? bad.id : 'x'.repeat(32)
    core.step({ kind: 'entries', source: 'gossip', entries: [{ key: `admin/${id}`, value: bad as never, hlc: hlcFromWall(T0 + 50), origin: 'n3', prev: 0 }] }, at(200))
    expect(core.stats.rejectedByReason[reason]).toBe(2)
    expect([...core.replica.all()].filter((e) => e.key.startsWith('admin/'))).toEqual([])
    expect(viewOf(core, 'n1')).toEqual({ state: 'Active', cordoned: false, pending: undefined, history: [] })
  })

  it('should refuse to delete an admin event (a grow-only set)', () => {
    const core = startCore('n2')
    core.step({ kind: 'entries', source: 'gossip', entries: ENTRIES.slice(0, 1) }, at(100))
    const held = ENTRIES[0]!
    core.step({ kind: 'entries', source: 'gossip', entries: [{ ...held, value: null, hlc: held.hlc + 10 }] }, at(200))
    expect(core.replica.get(held.key)?.value).not.toBeNull()
    expect(core.stats.rejectedByReason['admin events cannot be deleted (a grow-only set)']).toBe(1)
  })
})

describe('admin: the target node does the work', () => {
  function work (effects: Effect[]): string[] {
    return effects.flatMap((e) => (e.kind === 'maintenance' ? [`${e.work}:${e.eventId}`] : []))
  }

  it('should stay EnteringMaintenance until the drain is done, then be in Maintenance', () => {
    const n1 = startCore('n1')
    const enter = sign('maintenance-enter', 'n1', 100)
    expect(work(n1.step({ kind: 'admin-event', event: enter }, at(100)))).toEqual([`drain:${enter.id}`])
    n1.step({ kind: 'tick' }, at(5_000))
    expect(viewOf(n1, 'n1').state).toBe('EnteringMaintenance')
    n1.step({ kind: 'maintenance-done', eventId: enter.id, ok: true }, at(6_000))
    expect(viewOf(n1, 'n1').state).toBe('Maintenance')
  })

  it('should report DrainFailed when the drain misses its deadline, measured from the event', () => {
    const n1 = startCore('n1', { drainDeadlineMs: 60_000 })
    const drain = sign('drain', 'n1', 100, ADMIN.secretKey, { deadlineS: 30 })
    const effects = n1.step({ kind: 'admin-event', event: drain }, at(100))
    expect(work(effects)).toEqual([`drain:${drain.id}`])
    // The core asks to be woken at the event's deadline (30 s after its stamp), not the default.
    const wake = effects.find((e): e is Extract<Effect, { kind: 'wake' }> => e.kind === 'wake')
    expect(wake?.atMonoMs).toBeLessThanOrEqual(30_100)
    n1.step({ kind: 'tick' }, at(29_000))
    expect(viewOf(n1, 'n1').state).toBe('EnteringMaintenance')
    n1.step({ kind: 'tick' }, at(30_200))
    expect(viewOf(n1, 'n1').state).toBe('DrainFailed')
    // A late completion changes nothing; an exit brings it back.
    n1.step({ kind: 'maintenance-done', eventId: drain.id, ok: true }, at(31_000))
    expect(viewOf(n1, 'n1').state).toBe('DrainFailed')
    const exit = sign('maintenance-exit', 'n1', 32_000)
    expect(work(n1.step({ kind: 'admin-event', event: exit }, at(32_000)))).toEqual([`resume:${exit.id}`])
    n1.step({ kind: 'maintenance-done', eventId: exit.id, ok: true }, at(32_100))
    expect(viewOf(n1, 'n1').state).toBe('Recovery')
  })

  it('should report a failed drain at once', () => {
    const n1 = startCore('n1')
    const enter = sign('maintenance-enter', 'n1', 100)
    n1.step({ kind: 'admin-event', event: enter }, at(100))
    n1.step({ kind: 'maintenance-done', eventId: enter.id, ok: false }, at(200))
    expect(viewOf(n1, 'n1').state).toBe('DrainFailed')
  })

  it('should walk Exiting -> Recovery -> Active, the last step after the settle time', () => {
    const n1 = startCore('n1', { recoverySettleMs: 5_000 })
    const enter = sign('maintenance-enter', 'n1', 100)
    n1.step({ kind: 'admin-event', event: enter }, at(100))
    n1.step({ kind: 'maintenance-done', eventId: enter.id, ok: true }, at(200))
    const exit = sign('maintenance-exit', 'n1', 1_000)
    n1.step({ kind: 'admin-event', event: exit }, at(1_000))
    expect(viewOf(n1, 'n1').state).toBe('ExitingMaintenance')
    n1.step({ kind: 'maintenance-done', eventId: exit.id, ok: true }, at(1_100))
    expect(viewOf(n1, 'n1').state).toBe('Recovery')
    n1.step({ kind: 'tick' }, at(5_000))
    expect(viewOf(n1, 'n1').state).toBe('Recovery')
    n1.step({ kind: 'tick' }, at(6_200))
    expect(viewOf(n1, 'n1').state).toBe('Active')
    expect(viewOf(n1, 'n1').history.map((s) => s.state)).toEqual(['Maintenance', 'Active'])
  })

  it('should not do the work for another node', () => {
    const n2 = startCore('n2')
    expect(work(n2.step({ kind: 'admin-event', event: sign('maintenance-enter', 'n1', 100) }, at(100)))).toEqual([])
    expect(viewOf(n2, 'n1').state).toBe('EnteringMaintenance')
  })

  it('should ask again after a restart when the work was not reported', () => {
    const n1 = startCore('n1')
    const enter = sign('maintenance-enter', 'n1', 100)
    const persisted: Entry[] = []
    for (const e of n1.step({ kind: 'admin-event', event: enter }, at(100))) if (e.kind === 'persist') persisted.push(...e.entries)
    // Crash before the drain finished; restart from the persisted entries.
    const again = new AgentCore({ name: 'n1', rng: seededRng(2), adminKeys: TRUSTED, incarnation: 2 })
    again.restore(persisted, [], 0)
    expect(work(again.step({ kind: 'start', capabilities: CAPS }, at(1_000)))).toEqual([`drain:${enter.id}`])
  })
})

describe('admin: key files', () => {
  it('should read back what it writes, and tell secret from public', () => {
    const secret = parseKeyFile(formatSecretKeyFile(ADMIN.secretKey, ADMIN.publicKey))
    expect(secret).toEqual({ ok: true, key: { kind: 'secret', secretKey: ADMIN.secretKey, publicKey: ADMIN.publicKey } })
    expect(parseKeyFile(formatPublicKeyFile(ADMIN.publicKey))).toEqual({ ok: true, key: { kind: 'public', publicKey: ADMIN.publicKey } })
    expect(parseKeyFile(`${ADMIN.publicKey.toUpperCase()}\n`)).toEqual({ ok: true, key: { kind: 'public', publicKey: ADMIN.publicKey } })
  })

  it.each([
    ['garbage', 'not a key', 'neither JSON nor 64 hex digits'],
    ['a mismatched pair', formatSecretKeyFile(ADMIN.secretKey, OTHER_ADMIN.publicKey), 'publicKey does not belong to secretKey'],
    ['a wrong kind', JSON.stringify({ kind: 'x', version: 1, publicKey: ADMIN.publicKey }), 'kind must be'],
    ['a short key', JSON.stringify({ kind: 'hauki-mesh/admin-public-key', version: 1, publicKey: 'abcd' }), 'publicKey must be 64 lowercase hex digits']
  ])('should reject %s with a reason', (_what, text, reason) => {
    const r = parseKeyFile(text)
    expect(r.ok).toBe(false)
    expect(r.ok ? '' : r.reason).toContain(reason)
  })
})

describe('admin: signatures verified once', () => {
  it('should still refuse a tampered copy of an event whose signature it already verified', () => {
    const core = startCore('n1')
    const good = sign('cordon', 'n2', 10)
    const entry = (value: AdminEvent): Entry => ({ key: `admin/${value.id}`, value: value as unknown as Entry['value'], hlc: hlcFromWall(T0 + 20), origin: 'n3', prev: 0 })
    // Verified once through the API check, once more through the merge.
    expect(core.admin.check(good)).toBeUndefined()
    expect(core.admin.rejection(entry(good))).toBeUndefined()
    // Same id and signer, another signature: verified again, and refused.
    const otherSig = { ...good, sig: sign('cordon', 'n2', 11).sig }
    expect(core.admin.rejection(entry(otherSig))).toBe('admin event: signature does not verify')
    // Same id and signature, another payload: the id no longer matches.
    const otherPayload = { ...good, params: { reason: 'forged' } }
    expect(core.admin.rejection(entry(otherPayload))).toBe('admin event: id does not match the payload')
    // Same everything from an untrusted signer's point of view: trust is checked every time.
    const stranger = startCore('n4', { adminKeys: [OTHER_ADMIN.publicKey] })
    expect(stranger.admin.rejection(entry(good))).toBe('admin event: signer is not a trusted admin key')
  })
})
