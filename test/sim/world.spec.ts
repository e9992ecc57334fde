import { describe, expect, it } from 'vitest'
import { hlcFromWall } from '../../agent/core/index.js'
import type { Entry } from '../../agent/core/index.js'
import { STORE_BATCH_DELAY_MS, WALL_START_MS } from '../../sim/constants.js'
import { World } from '../../sim/world.js'
import { small } from './helpers.js'

// The store's write-behind rule as the world carries it out: a batch is written
// STORE_BATCH_DELAY_MS after its first write, and a crash loses what was not
// written yet. Most batches are written lazily (when the node next runs, is
// stalled, crashes or leaves), so these tests let nothing else happen at the
// node in between.

const NAMES = ['n1', 'n2', 'n3']

function formed (): World {
  const w = new World(small({ nodes: NAMES.length, boot: 'formed' }), 1)
  w.at(0, () => w.formFleet(NAMES.map((name) => ({ name, skewMs: 0 }))))
  w.runUntil(0)
  return w
}

/** A write by a node outside the fleet, stamped at virtual time `atMs`. */
function foreignWrite (atMs: number, field: string): Entry {
  return { key: `node/zz9/${field}`, value: 1, hlc: hlcFromWall(WALL_START_MS + atMs), origin: 'zz9', prev: 0 }
}

function storedKeys (w: World, idx: number): string[] {
  return w.node(idx).store.load().entries.map((e) => e.key)
}

describe('sim: world store batches', () => {
  it('a crash keeps a batch whose time has come, even when the node did nothing since', () => {
    const w = formed()
    const e = foreignWrite(2_000, 'kept')
    w.at(2_000, () => w.step(1, { kind: 'entries', source: 'gossip', entries: [e] }))
    w.at(2_000 + STORE_BATCH_DELAY_MS + 0.5, () => w.crash(1))
    w.runUntil(2_100)
    expect(w.node(1).status).toBe('down')
    expect(storedKeys(w, 1)).toContain(e.key)
  })

  it('a crash loses a batch whose time has not come', () => {
    const w = formed()
    const e = foreignWrite(2_000, 'lost')
    w.at(2_000, () => w.step(1, { kind: 'entries', source: 'gossip', entries: [e] }))
    w.at(2_000 + STORE_BATCH_DELAY_MS - 0.5, () => w.crash(1))
    w.runUntil(2_100)
    expect(w.node(1).status).toBe('down')
    expect(storedKeys(w, 1)).not.toContain(e.key)
  })

  it('a stalled node writes its batch only when the stall ends: a crash during the stall loses it', () => {
    const lost = formed()
    const e = foreignWrite(2_000, 'stalled')
    lost.at(2_000, () => lost.step(1, { kind: 'entries', source: 'gossip', entries: [e] }))
    lost.at(2_001, () => lost.stall(1, 1_000))
    lost.at(2_500, () => lost.crash(1))
    lost.runUntil(3_000)
    expect(storedKeys(lost, 1)).not.toContain(e.key)

    const kept = formed()
    kept.at(2_000, () => kept.step(1, { kind: 'entries', source: 'gossip', entries: [e] }))
    kept.at(2_001, () => kept.stall(1, 1_000))
    kept.at(3_100, () => kept.crash(1))
    kept.runUntil(3_200)
    expect(storedKeys(kept, 1)).toContain(e.key)
  })

  it('a node\'s own write is acknowledged when its batch is written, at the batch\'s time', () => {
    const w = formed()
    const acks: { node: number, keys: string[], atMs: number }[] = []
    w.observer = { onDurable: (node, entries, atMs) => { if (entries.some((x) => x.key === 'node/n1/app7')) acks.push({ node, keys: entries.map((x) => x.key), atMs }) } }
    w.at(2_000, () => w.step(0, { kind: 'write-own', field: 'app7', value: 'v' }))
    w.runUntil(2_000 + STORE_BATCH_DELAY_MS - 0.5)
    expect(acks.filter((a) => a.node === 0)).toEqual([])
    w.runUntil(3_000)
    const mine = acks.filter((a) => a.node === 0)
    expect(mine).toHaveLength(1)
    expect(mine[0]?.atMs).toBe(2_000 + STORE_BATCH_DELAY_MS)
  })
})

describe('sim: a world whose nodes never crash', () => {
  /** Three formed nodes write in each other's batch windows, one stalls with a batch pending; what is acknowledged, when, and the end state. */
  function drive (crashes: boolean): { acks: string[], states: Entry[][] } {
    const w = new World(small({ nodes: NAMES.length, boot: 'formed' }), 1, { crashes })
    const acks: string[] = []
    w.observer = {
      onDurable: (node, entries, atMs) => {
        for (const e of entries) if (e.origin === w.node(node).name) acks.push(`${node} ${e.key} ${e.hlc} at ${atMs}`)
      }
    }
    w.at(0, () => w.formFleet(NAMES.map((name) => ({ name, skewMs: 0 }))))
    for (let i = 0; i < 40; i++) w.at(1_000 + i * 1.7, () => w.step(i % 3, { kind: 'write-own', field: `app${i % 5}`, value: i }))
    w.at(1_030, () => w.stall(2, 300))
    w.runUntil(6_000)
    return { acks, states: NAMES.map((_, i) => [...(w.node(i).core?.replica.all() ?? [])]) }
  }

  it('acknowledges the same own writes at the same times and ends in the same state as one that keeps crash logs', () => {
    const logged = drive(true)
    const unlogged = drive(false)
    // Every write-own of the drive is acknowledged (and the start writes before them).
    expect(logged.acks.filter((a) => a.includes('/app')).length).toBe(40)
    expect(unlogged.acks).toEqual(logged.acks)
    expect(unlogged.states).toEqual(logged.states)
  })

  it('refuses to crash a node, having kept nothing a crash would roll back to', () => {
    const w = new World(small({ nodes: NAMES.length, boot: 'formed' }), 1, { crashes: false })
    w.at(0, () => w.formFleet(NAMES.map((name) => ({ name, skewMs: 0 }))))
    w.runUntil(0)
    expect(() => w.crash(1)).toThrow(/crashes: false/)
    expect(w.node(1).status).toBe('up')
  })
})
