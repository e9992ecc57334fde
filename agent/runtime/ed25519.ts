/**
 * Ed25519 signature checks with Node's native crypto, for the core's admin
 * events (AgentCoreInit.verifyEd25519). @noble/curves, which the pure core
 * uses by default, takes about 2.5 ms per check in JavaScript; with 20
 * agents on one host every admin event cost the host about 50 ms of CPU.
 */
import { createPublicKey, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import type { Ed25519Verify } from '../core/index.js'

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32-byte raw key follows. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
/** Admin keys are few; bound the cache anyway, since keys arrive in untrusted events. */
const KEYS_CACHED_MAX = 64

const keys = new Map<string, KeyObject>()

function keyObject (publicKey: Uint8Array): KeyObject {
  const hex = Buffer.from(publicKey).toString('hex')
  let key = keys.get(hex)
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' })
    if (keys.size >= KEYS_CACHED_MAX) keys.delete(keys.keys().next().value as string)
    keys.set(hex, key)
  }
  return key
}

export const nativeEd25519Verify: Ed25519Verify = (sig, message, publicKey) => {
  if (publicKey.length !== 32 || sig.length !== 64) return false
  try {
    return verify(null, message, keyObject(publicKey), sig)
  } catch {
    return false
  }
}
