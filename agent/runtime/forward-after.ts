/**
 * Deliver first, forward after.
 *
 * gossipsub, left to itself, hands a new message to the agent and then
 * forwards it to its mesh peers within the same turn of the event loop: the
 * forwarded copies are framed, encrypted and written before the node reads
 * its next socket. When a publish reaches many peers of one process at once
 * (flood publish) every receiver's forwarding, all of it duplicates in a
 * well-connected mesh, then runs ahead of the next receiver's first copy.
 *
 * With gossipsub's `asyncValidation` on, a validated message is delivered
 * but not forwarded until the application reports it. This reports every
 * delivered message as accepted in the check phase after the current I/O
 * phase (setImmediate): the messages whose bytes have already arrived are
 * delivered first, then all of them are forwarded, in arrival order. No
 * message is held back by more than that, and validation is unchanged: the
 * topic validator still rejects a bad message before it is delivered or
 * forwarded (gossipsub does not wait for a report on a rejected one).
 */
import { clearImmediate, setImmediate } from 'node:timers'
import { TopicValidatorResult } from '@libp2p/interface'

/** What this needs of gossipsub. */
export interface ForwardingPubSub {
  reportMessageValidationResult: (msgId: string, propagationSource: string, acceptance: TopicValidatorResult) => void
}

export class ForwardAfterDelivery {
  private pending: Array<{ msgId: string, from: string }> = []
  private scheduled: NodeJS.Immediate | undefined

  constructor (private readonly pubsub: ForwardingPubSub) {}

  /** Forward `msgId` (delivered, received from `from`) once the current I/O phase is over. */
  accept (msgId: string, from: string): void {
    this.pending.push({ msgId, from })
    this.scheduled ??= setImmediate(() => this.flush())
  }

  /** Forward everything accepted so far, now. */
  flush (): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled)
    this.scheduled = undefined
    const batch = this.pending
    this.pending = []
    for (const { msgId, from } of batch) this.pubsub.reportMessageValidationResult(msgId, from, TopicValidatorResult.Accept)
  }

  /** Forget what was not forwarded yet (the node is stopping). */
  clear (): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled)
    this.scheduled = undefined
    this.pending = []
  }
}
