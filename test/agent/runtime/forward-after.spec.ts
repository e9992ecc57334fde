/**
 * Deliver first, forward after: the reports and their order. That a relayed
 * write still arrives is tested on real agents in mesh.spec.ts.
 */
import { TopicValidatorResult } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { ForwardAfterDelivery } from '../../../agent/runtime/forward-after.js'
import { waitFor } from '../../helpers/wait.js'

function recorder (): { reports: Array<[string, string, TopicValidatorResult]>, pubsub: { reportMessageValidationResult: (id: string, from: string, r: TopicValidatorResult) => void } } {
  const reports: Array<[string, string, TopicValidatorResult]> = []
  return { reports, pubsub: { reportMessageValidationResult: (id, from, r) => { reports.push([id, from, r]) } } }
}

describe('runtime: forward after delivery', () => {
  it('should report every accepted message as accepted, in order, once the current turn is over', async () => {
    const { reports, pubsub } = recorder()
    const f = new ForwardAfterDelivery(pubsub)
    f.accept('m1', 'p1')
    f.accept('m2', 'p2')
    expect(reports).toEqual([])
    await waitFor('forwarded', () => reports.length === 2, 2_000, 1)
    expect(reports).toEqual([['m1', 'p1', TopicValidatorResult.Accept], ['m2', 'p2', TopicValidatorResult.Accept]])
  })

  it('should forward at once on flush, and never after clear', async () => {
    const { reports, pubsub } = recorder()
    const f = new ForwardAfterDelivery(pubsub)
    f.accept('m1', 'p')
    f.flush()
    expect(reports.map((r) => r[0])).toEqual(['m1'])
    f.accept('m2', 'p')
    f.clear()
    f.accept('m3', 'p')
    await waitFor('m3 forwarded', () => reports.length === 2, 2_000, 1)
    expect(reports.map((r) => r[0])).toEqual(['m1', 'm3'])
  })
})
