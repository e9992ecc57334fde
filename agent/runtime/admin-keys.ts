/**
 * Trusted admin public keys from the recorder's `bootstrap/admin-keys/`
 * folder, read once at start. A file that is not a public key file is
 * skipped with a warning (an operator's stray file must not stop an agent);
 * a secret key there is refused loudly, since the folder is shared and
 * readable by every node.
 */
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from 'pino'
import { parseKeyFile } from '../core/index.js'

/** At most this many key files are read from the folder. */
export const RECORDER_ADMIN_KEYS_MAX = 256

export async function readRecorderAdminKeys (recorderDir: string, log: Logger): Promise<string[]> {
  const dir = path.join(recorderDir, 'bootstrap', 'admin-keys')
  const names = await readdir(dir).catch(() => [] as string[])
  const keys: string[] = []
  for (const name of names.filter((n) => !n.startsWith('.')).sort().slice(0, RECORDER_ADMIN_KEYS_MAX)) {
    const file = path.join(dir, name)
    const text = await readFile(file, 'utf8').catch((err: Error) => { log.warn({ file, err: err.message }, 'cannot read admin key file; skipped'); return undefined })
    if (text === undefined) continue
    const parsed = parseKeyFile(text)
    if (!parsed.ok) {
      log.warn({ file, reason: parsed.reason }, 'not an admin key file; skipped')
      continue
    }
    if (parsed.key.kind === 'secret') {
      log.error({ file }, 'a SECRET admin key lies in the shared recorder folder: move it away; not trusted')
      continue
    }
    keys.push(parsed.key.publicKey)
  }
  return keys
}
