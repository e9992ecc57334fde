/**
 * Typed errors of the wire layer. Callers match on `name` (as libp2p 2.x
 * does) or on the stable `code`, never on the message text. Decoders do not
 * throw: a malformed message from a peer is an expected outcome and comes
 * back as `{ ok: false, reason }`. These errors are for the sending side,
 * where an invalid or oversized message is a bug or a batch to split.
 */

/** Which codec a message belongs to. */
export type MessageKind = 'gossip' | 'sync' | 'probe' | 'bridge'

/** An encoded message would exceed its kind's byte limit; peers would drop it. */
export class MessageTooLargeError extends Error {
  static readonly code = 'ERR_MESSAGE_TOO_LARGE'
  override readonly name = 'MessageTooLargeError'
  readonly code = MessageTooLargeError.code
  readonly kind: MessageKind
  readonly bytes: number
  readonly bytesMax: number

  constructor (kind: MessageKind, bytes: number, bytesMax: number, options?: { cause?: unknown }) {
    super(`${kind} message of ${bytes} bytes exceeds the limit of ${bytesMax} bytes`, options)
    this.kind = kind
    this.bytes = bytes
    this.bytesMax = bytesMax
  }
}

/** A message given to an encoder breaks the schema; `reason` names the field and the rule. */
export class InvalidMessageError extends Error {
  static readonly code = 'ERR_INVALID_MESSAGE'
  override readonly name = 'InvalidMessageError'
  readonly code = InvalidMessageError.code
  readonly kind: MessageKind
  readonly reason: string

  constructor (kind: MessageKind, reason: string, options?: { cause?: unknown }) {
    super(`invalid ${kind} message: ${reason}`, options)
    this.kind = kind
    this.reason = reason
  }
}
