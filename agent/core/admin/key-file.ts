/**
 * Admin key files: what `meshctl keygen` writes and what `--admin-key` and
 * the recorder's `bootstrap/admin-keys/` hold. Small JSON documents, so a
 * human can tell a secret key from a public one at a glance:
 *
 *   {"kind":"hauki-mesh/admin-public-key","version":1,"publicKey":"<64 hex>"}
 *   {"kind":"hauki-mesh/admin-secret-key","version":1,"secretKey":"<64 hex>","publicKey":"<64 hex>"}
 *
 * A file holding only 64 hex digits (and whitespace) is read as a public key,
 * for operators who paste a key. Parsing is pure; reading files is the
 * caller's business.
 */
import { publicKeyOf } from './event.js'

export const PUBLIC_KEY_KIND = 'hauki-mesh/admin-public-key'
export const SECRET_KEY_KIND = 'hauki-mesh/admin-secret-key'
export const KEY_FILE_VERSION = 1
/** Key files are tiny; anything larger is not one. */
export const KEY_FILE_BYTES_MAX = 4096

const KEY_HEX_RE = /^[0-9a-f]{64}$/

export type KeyFile =
  | { kind: 'public', publicKey: string }
  | { kind: 'secret', publicKey: string, secretKey: string }

export function formatSecretKeyFile (secretKey: string, publicKey: string): string {
  return `${JSON.stringify({ kind: SECRET_KEY_KIND, version: KEY_FILE_VERSION, secretKey, publicKey })}\n`
}

export function formatPublicKeyFile (publicKey: string): string {
  return `${JSON.stringify({ kind: PUBLIC_KEY_KIND, version: KEY_FILE_VERSION, publicKey })}\n`
}

/** Parse a key file's text: the key, or a reason it is not a key file. */
export function parseKeyFile (text: string): { ok: true, key: KeyFile } | { ok: false, reason: string } {
  if (text.length > KEY_FILE_BYTES_MAX) return { ok: false, reason: `larger than ${KEY_FILE_BYTES_MAX} bytes: not a key file` }
  const bare = text.trim().toLowerCase()
  if (KEY_HEX_RE.test(bare)) return { ok: true, key: { kind: 'public', publicKey: bare } }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'neither JSON nor 64 hex digits' }
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, reason: 'not a JSON object' }
  const d = doc as Record<string, unknown>
  if (d.version !== KEY_FILE_VERSION) return { ok: false, reason: `version must be ${KEY_FILE_VERSION}, got ${JSON.stringify(d.version)}` }
  if (typeof d.publicKey !== 'string' || !KEY_HEX_RE.test(d.publicKey)) return { ok: false, reason: 'publicKey must be 64 lowercase hex digits' }
  if (d.kind === PUBLIC_KEY_KIND) return { ok: true, key: { kind: 'public', publicKey: d.publicKey } }
  if (d.kind !== SECRET_KEY_KIND) return { ok: false, reason: `kind must be "${PUBLIC_KEY_KIND}" or "${SECRET_KEY_KIND}"` }
  if (typeof d.secretKey !== 'string' || !KEY_HEX_RE.test(d.secretKey)) return { ok: false, reason: 'secretKey must be 64 lowercase hex digits' }
  if (publicKeyOf(d.secretKey) !== d.publicKey) return { ok: false, reason: 'publicKey does not belong to secretKey' }
  return { ok: true, key: { kind: 'secret', publicKey: d.publicKey, secretKey: d.secretKey } }
}
