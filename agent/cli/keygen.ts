/**
 * `meshctl keygen --out FILE [--force]`: write a new Ed25519 admin key pair.
 * FILE gets the secret key (mode 0600), FILE.pub the public key (0644), which
 * is what agents trust (`mesh-agent run --admin-key FILE.pub`, or a copy in
 * the recorder's `bootstrap/admin-keys/`). Existing files are never
 * overwritten without `--force`. Needs no agent.
 */
import { randomBytes } from 'node:crypto'
import { chmodSync, writeFileSync } from 'node:fs'
import { formatPublicKeyFile, formatSecretKeyFile, generateAdminKey } from '../core/index.js'
import { flagValue } from './argv.js'
import type { Command, CommandResult } from './command.js'
import { CliError, UsageError } from './errors.js'

/** A file could not be written. */
export class FileWriteError extends CliError {
  override name = 'FileWriteError'
  readonly code = 'FILE_WRITE'
}

export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'write a new admin key pair: FILE (secret, 0600) and FILE.pub (public, for agents)',
  synopsis: 'keygen --out FILE',
  flags: [{ name: 'out', kind: 'string' }, { name: 'force', kind: 'boolean' }],
  run: async (ctx): Promise<CommandResult> => {
    const out = flagValue(ctx.args, 'out')
    if (out === undefined || out === '') throw new UsageError('keygen: --out FILE is required')
    const force = ctx.args.booleans.has('force')
    const key = generateAdminKey(new Uint8Array(randomBytes(32)))
    const flag = force ? 'w' : 'wx'
    const pub = `${out}.pub`
    write(out, formatSecretKeyFile(key.secretKey, key.publicKey), 0o600, flag)
    write(pub, formatPublicKeyFile(key.publicKey), 0o644, flag)
    const data = { secretKeyFile: out, publicKeyFile: pub, publicKey: key.publicKey }
    return { data, text: `secret key: ${out} (keep it private)\npublic key: ${pub}\n  ${key.publicKey}\ntrust it: mesh-agent run --admin-key ${pub}, or copy it into <recorder>/bootstrap/admin-keys/\n` }
  }
}

function write (file: string, text: string, mode: number, flag: string): void {
  try {
    writeFileSync(file, text, { mode, flag })
    // The mode passed to open is filtered by the umask; a forced overwrite keeps the old mode. Set it.
    chmodSync(file, mode)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const hint = e.code === 'EEXIST' ? ' (it exists; pass --force to overwrite)' : ''
    throw new FileWriteError(`keygen: cannot write ${file}: ${e.message}${hint}`, { cause: err })
  }
}
