/**
 * Signed admin events: how operators change the mesh. An event is a signed
 * statement "do ACTION to TARGET", stamped with an HLC by the signer. Its id
 * is the hash of what was signed, so the same statement is the same event
 * everywhere, and a replay is a no-op. Ed25519 and SHA-256 come from the
 * @noble libraries: pure JavaScript, no I/O, so the core stays pure.
 */
import { ed25519 } from '@noble/curves/ed25519'
import { sha256 } from '@noble/hashes/sha256'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils'
import { canonicalJson, isNodeName } from '../entries.js'
import { isHlc } from '../hlc.js'
import type { Hlc, NodeName, Value } from '../types.js'

export const ADMIN_ACTIONS = ['maintenance-enter', 'maintenance-exit', 'drain', 'cordon', 'uncordon', 'restart-daemons', 'clear-avoid'] as const
export type AdminAction = typeof ADMIN_ACTIONS[number]

/** Domain separation: a signature over an admin event cannot be reused as anything else. */
const SIGNING_CONTEXT = 'hauki-mesh/admin-event/1\n'
const HEX_RE = /^[0-9a-f]+$/

/** What the operator signs. */
export interface AdminPayload {
  action: AdminAction
  target: NodeName
  hlc: Hlc
  /** Free-form, small; e.g. { reason: "kernel upgrade" }. */
  params: { [key: string]: Value }
}

export interface AdminEvent extends AdminPayload {
  id: string
  /** Ed25519 public key of the signer, hex. */
  signer: string
  /** Ed25519 signature, hex. */
  sig: string
}

function payloadText (p: AdminPayload): string {
  return canonicalJson({ action: p.action, target: p.target, hlc: p.hlc, params: p.params })
}

/** The event id: the first 128 bits of SHA-256 over the signed payload, hex. */
export function adminEventId (p: AdminPayload): string {
  return bytesToHex(sha256(new TextEncoder().encode(payloadText(p)))).slice(0, 32)
}

export function generateAdminKey (randomBytes32: Uint8Array): { secretKey: string, publicKey: string } {
  return { secretKey: bytesToHex(randomBytes32), publicKey: bytesToHex(ed25519.getPublicKey(randomBytes32)) }
}

export function publicKeyOf (secretKeyHex: string): string {
  return bytesToHex(ed25519.getPublicKey(hexToBytes(secretKeyHex)))
}

export function signAdminEvent (p: AdminPayload, secretKeyHex: string): AdminEvent {
  const message = new TextEncoder().encode(SIGNING_CONTEXT + payloadText(p))
  const sk = hexToBytes(secretKeyHex)
  return { ...p, id: adminEventId(p), signer: bytesToHex(ed25519.getPublicKey(sk)), sig: bytesToHex(ed25519.sign(message, sk)) }
}

/** Shape check of an event arriving from anywhere; a reason, or undefined when it is well-formed. */
export function adminShapeProblem (v: unknown): string | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'admin event must be an object'
  const e = v as Record<string, unknown>
  if (!ADMIN_ACTIONS.includes(e.action as AdminAction)) return `action must be one of ${ADMIN_ACTIONS.join(', ')}`
  if (!isNodeName(e.target)) return 'target must be a node name'
  if (!isHlc(e.hlc) || e.hlc === 0) return 'hlc must be a positive safe integer'
  if (e.params === null || typeof e.params !== 'object' || Array.isArray(e.params)) return 'params must be an object'
  if (canonicalJson(e.params as Value).length > 1024) return 'params must encode to at most 1024 bytes'
  if (typeof e.id !== 'string' || e.id.length !== 32 || !HEX_RE.test(e.id)) return 'id must be 32 hex digits'
  if (typeof e.signer !== 'string' || e.signer.length !== 64 || !HEX_RE.test(e.signer)) return 'signer must be a 32-byte hex public key'
  if (typeof e.sig !== 'string' || e.sig.length !== 128 || !HEX_RE.test(e.sig)) return 'sig must be a 64-byte hex signature'
  return undefined
}

/**
 * Why an event must be dropped (bad shape, id, signature or an untrusted signer), or undefined.
 * `verified` holds `${id}:${signer}:${sig}` of events whose signature already verified: the id hashes the
 * payload (checked every time), so the same id, signer and signature verify the same way again,
 * and the Ed25519 check (about 2.5 ms in JavaScript) is skipped. Only good signatures are added.
 */
export function adminEventRejection (v: unknown, trusted: ReadonlySet<string>, verified?: VerifiedSignatures, verify: Ed25519Verify = nobleVerify): string | undefined {
  const shape = adminShapeProblem(v)
  if (shape !== undefined) return `admin event: ${shape}`
  const e = v as AdminEvent
  if (adminEventId(e) !== e.id) return 'admin event: id does not match the payload'
  if (!trusted.has(e.signer)) return 'admin event: signer is not a trusted admin key'
  const memo = `${e.id}:${e.signer}:${e.sig}`
  if (verified?.has(memo) === true) return undefined
  let ok = false
  try {
    ok = verify(hexToBytes(e.sig), new TextEncoder().encode(SIGNING_CONTEXT + payloadText(e)), hexToBytes(e.signer))
  } catch {
    ok = false
  }
  if (!ok) return 'admin event: signature does not verify'
  verified?.add(memo)
  return undefined
}

/**
 * An Ed25519 verifier: true when `sig` is `publicKey`'s signature of `message`.
 * The core uses @noble/curves (pure JavaScript, about 2.5 ms a check); the
 * runtime passes Node's native one (node:crypto, tens of microseconds), which
 * the core may not import.
 */
export type Ed25519Verify = (sig: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean

const nobleVerify: Ed25519Verify = (sig, message, publicKey) => ed25519.verify(sig, message, publicKey)

/** A bounded set of signatures known to verify (oldest forgotten first). */
export class VerifiedSignatures {
  private readonly max: number
  private readonly memos = new Set<string>()

  constructor (max: number) {
    this.max = max
  }

  has (memo: string): boolean {
    return this.memos.has(memo)
  }

  add (memo: string): void {
    this.memos.add(memo)
    if (this.memos.size > this.max) this.memos.delete(this.memos.values().next().value as string)
  }
}
