/**
 * The production backend: real `zfs` commands through the runner.
 */
import type { Backend, Signal } from './backend.js'
import { DESTROY_BUSY_BACKOFF_MS, DESTROY_BUSY_TRIES_MAX, ZFS_BIN_DEFAULT, ZFS_TIMEOUT_MS_DEFAULT } from './constants.js'
import { CommandFailedError } from './errors.js'
import { okOrThrow } from './runner.js'
import type { CommandResult, Runner } from './runner.js'
import * as zfs from './zfs-args.js'

export interface ZfsBackendInit {
  runner: Runner
  /** The zfs program. @default ZFS_BIN_DEFAULT ('zfs') */
  zfsBin?: string
  /** Deadline of one zfs command. @default ZFS_TIMEOUT_MS_DEFAULT */
  timeoutMs?: number
}

export function zfsBackend (init: ZfsBackendInit): Backend {
  const bin = init.zfsBin ?? ZFS_BIN_DEFAULT
  const timeoutMs = init.timeoutMs ?? ZFS_TIMEOUT_MS_DEFAULT
  const run = async (args: string[], options?: Signal): Promise<CommandResult> =>
    await init.runner.run(bin, args, { timeoutMs, signal: options?.signal })
  const must = async (args: string[], options?: Signal): Promise<CommandResult> => okOrThrow(await run(args, options))
  return {
    kind: 'zfs',
    exists: async (dataset, options) => (await run(zfs.getArgs(dataset, 'type'), options)).exitCode === 0,
    mountpoint: async (dataset, options) => (await must(zfs.getArgs(dataset, 'mountpoint'), options)).stdout.trim(),
    snapshot: async (snapshot, flags, options) => { await must(zfs.snapshotArgs(snapshot, flags), options) },
    hold: async (snapshot, flags, options) => { await must(zfs.holdArgs(snapshot, flags), options) },
    release: async (snapshot, flags, options) => { await must(zfs.releaseArgs(snapshot, flags), options) },
    list: async (dataset, flags, options) => zfs.parseSnapshotList((await must(zfs.listSnapshotsArgs(dataset, flags), options)).stdout),
    rollback: async (snapshot, flags, options) => { await must(zfs.rollbackArgs(snapshot, flags), options) },
    destroySnapshot: async (snapshot, flags, options) => { await must(zfs.destroySnapshotArgs(snapshot, flags), options) },
    clone: async (snapshot, target, options) => { await must(zfs.cloneArgs(snapshot, target), options) },
    destroyDataset: async (dataset, options) => { await destroyWhenNotBusy(async () => await run(zfs.destroyDatasetArgs(dataset), options), options) }
  }
}

/** zfs-fuse reports "busy" for a moment after the last file on a dataset closes: retry that, bounded. */
async function destroyWhenNotBusy (attempt: () => Promise<CommandResult>, options?: Signal): Promise<void> {
  let last: CommandResult | undefined
  for (let i = 0; i < DESTROY_BUSY_TRIES_MAX; i++) {
    last = await attempt()
    if (last.exitCode === 0 || !last.stderr.includes('busy') || options?.signal?.aborted === true) break
    await new Promise((resolve) => setTimeout(resolve, DESTROY_BUSY_BACKOFF_MS))
  }
  if (last === undefined) throw new CommandFailedError('zfs destroy was not attempted', { command: [], exitCode: undefined, stderr: '', durationMs: 0, timedOut: false })
  okOrThrow(last)
}
