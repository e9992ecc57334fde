import { describe, expect, it } from 'vitest'
import type { Entry, Liveness } from '../../agent/core/index.js'
import { runScenario } from '../../sim/index.js'
import { GossipCauses, causeRates } from '../../sim/gossip-causes.js'
import { small } from './helpers.js'

function member (target: string, origin: string, incarnation: number, status: Liveness): Entry {
  return { key: `member/${target}`, value: { incarnation, status }, hlc: 100, origin, prev: 0 }
}

function own (origin: string, field: string): Entry {
  return { key: `node/${origin}/${field}`, value: 1, hlc: 100, origin, prev: 0 }
}

describe('sim: gossip causes', () => {
  it('should tell a first accusation from its confirmations, and a start from a refutation', () => {
    const c = new GossipCauses()
    c.started('b')
    expect([
      c.classify([member('b', 'b', 1, 'alive'), own('b', 'caps')]),
      c.classify([member('b', 'a', 1, 'suspect')]),
      c.classify([member('b', 'c', 1, 'suspect')]),
      c.classify([member('b', 'b', 2, 'alive')]),
      c.classify([member('b', 'a', 2, 'suspect')]),
      c.classify([member('b', 'a', 2, 'dead')]),
      c.classify([member('b', 'b', 2, 'left')])
    ]).toEqual(['start', 'suspect', 'confirm', 'refute', 'suspect', 'dead', 'left'])
  })

  it.each([
    ['heartbeat', [own('a', 'heartbeat'), own('a', 'rtt')]],
    ['rtt', [own('a', 'rtt')]],
    ['workload', [own('a', 'app3')]],
    ['start', [own('a', 'identity')]],
    ['other', [{ key: 'snapshot/x', value: 1, hlc: 100, origin: 'a', prev: 0 }]]
  ])('should put %s writes down to that cause', (cause, entries) => {
    expect(new GossipCauses().classify(entries)).toBe(cause)
  })

  it('should give rates per second, per node and per published message between two snapshots', () => {
    const c = new GossipCauses()
    const from = c.snapshot()
    c.add('workload', 1, 60, 6_000)
    c.add('workload', 3, 40, 4_000)
    // 10 s with 10 nodes up.
    expect(causeRates(from, c.snapshot(), 10, 100)).toEqual({
      workload: { publishedPerS: 0.2, entriesPerMessage: 2, messagesPerNodePerS: 1, bytesPerNodePerS: 100, copiesPerNode: 5 }
    })
  })

  it('should add up, over the causes, to the gossip traffic of a run', () => {
    const r = runScenario(small({ events: [{ atS: 20, kind: 'crash', count: 1 }] }), { seed: 2 })
    const causes = Object.values(r.traffic.gossipByCause)
    expect(Object.keys(r.traffic.gossipByCause)).toContain('workload')
    const bytes = causes.reduce((s, x) => s + x.bytesPerNodePerS, 0)
    expect(bytes).toBeCloseTo(r.traffic.byKind.gossip.bytes, 0)
  })

  it('should send the writes of one step on every channel as one message, as the runtime does', () => {
    // A restart writes its member record (membership), caps and identity (delta) and a heartbeat
    // (heartbeat) in one step; the channels share one topic, so they leave together.
    const r = runScenario(small({ churn: { ratePerMin: 0.5, leaveFraction: 0, downtimeS: [3, 5] } }), { seed: 1 })
    expect(r.traffic.gossipByCause.start?.entriesPerMessage).toBe(4)
  })
})
