/**
 * The runtime's native Ed25519 check must judge admin events exactly as the
 * core's default (@noble/curves) does.
 */
import { ed25519 } from '@noble/curves/ed25519'
import { describe, expect, it } from 'vitest'
import { adminEventRejection, generateAdminKey, hlcFromWall, signAdminEvent } from '../../../agent/core/index.js'
import type { AdminEvent } from '../../../agent/core/index.js'
import { nativeEd25519Verify } from '../../../agent/runtime/ed25519.js'

const ADMIN = generateAdminKey(new Uint8Array(32).fill(5))
const OTHER = generateAdminKey(new Uint8Array(32).fill(6))
const TRUSTED = new Set([ADMIN.publicKey, OTHER.publicKey])

function flipHex (hex: string, at: number): string {
  const c = hex[at] === '0' ? '1' : '0'
  return hex.slice(0, at) + c + hex.slice(at + 1)
}

describe('runtime: native Ed25519 for admin events', () => {
  it('should accept and refuse exactly what the core default does', () => {
    const good = signAdminEvent({ action: 'drain', target: 'n1', hlc: hlcFromWall(Date.UTC(2026, 10, 25)), params: { reason: 'kernel' } }, ADMIN.secretKey)
    const cases: Array<[string, AdminEvent]> = [
      ['good', good],
      ['signature bit flipped', { ...good, sig: flipHex(good.sig, 10) }],
      ['signature of the other half flipped', { ...good, sig: flipHex(good.sig, 100) }],
      ['other trusted signer named', { ...good, signer: OTHER.publicKey }],
      ['another event signed by the other key', signAdminEvent({ action: 'cordon', target: 'n2', hlc: good.hlc, params: {} }, OTHER.secretKey)]
    ]
    for (const [name, ev] of cases) {
      expect(adminEventRejection(ev, TRUSTED, undefined, nativeEd25519Verify), name).toBe(adminEventRejection(ev, TRUSTED))
    }
    expect(adminEventRejection(good, TRUSTED, undefined, nativeEd25519Verify)).toBeUndefined()
    expect(adminEventRejection({ ...good, sig: flipHex(good.sig, 10) }, TRUSTED, undefined, nativeEd25519Verify)).toBe('admin event: signature does not verify')
  })

  it('should refuse keys and signatures of the wrong length instead of throwing', () => {
    expect(nativeEd25519Verify(new Uint8Array(64), new Uint8Array(3), new Uint8Array(31))).toBe(false)
    expect(nativeEd25519Verify(new Uint8Array(63), new Uint8Array(3), new Uint8Array(32))).toBe(false)
    // An all-zero (small-order) key with an all-zero signature passes both checks alike, as
    // ZIP-215 verification allows; only configured, trusted keys can sign admin events at all.
    expect(nativeEd25519Verify(new Uint8Array(64), new Uint8Array(3), new Uint8Array(32))).toBe(ed25519.verify(new Uint8Array(64), new Uint8Array(3), new Uint8Array(32)))
  })
})
