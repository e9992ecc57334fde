/**
 * Real ZFS for tests, through Debian's zfs-fuse: a pool on a file in a temp
 * folder, one dataset per test file. CI (.ci/run) installs and starts
 * zfs-fuse; on a machine without it these tests are skipped and say why, and
 * under CI=true a missing zfs-fuse fails instead (CI forbids skipping).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export interface ZfsPool {
  pool: string
  /** Mount point of a fresh dataset for this test file. */
  mountpoint: string
  /** PID of the zfs-fuse daemon (to pause it with SIGSTOP). */
  daemonPid: number
  destroy(): void
}

function run (cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

/** Why real ZFS is not available here, or undefined when it is. */
export function zfsUnavailable (): string | undefined {
  try {
    run('zpool', ['list', '-H'])
  } catch (err) {
    return `zfs-fuse is not usable here (zpool list: ${(err as Error).message.split('\n')[0]}); install zfs-fuse and start the daemon (.ci/run does)`
  }
  if (daemonPid() === undefined) return 'the zfs-fuse daemon is not running'
  return undefined
}

function daemonPid (): number | undefined {
  try {
    const out = run('pgrep', ['-x', 'zfs-fuse']).trim().split('\n')[0]
    return out === undefined || out === '' ? undefined : Number(out)
  } catch {
    return undefined
  }
}

/** Fail under CI, skip elsewhere: returns the reason to skip, or undefined to run. */
export function zfsSkipReason (): string | undefined {
  const why = zfsUnavailable()
  if (why !== undefined && process.env.CI === 'true') throw new Error(`CI requires real ZFS: ${why}`)
  return why
}

/** `zpool destroy` answers "busy" for a moment after the last file closes on zfs-fuse: retry, bounded. */
export function destroyPool (pool: string): void {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      run('zpool', ['destroy', '-f', pool])
      return
    } catch (err) {
      if (!String((err as { stderr?: string }).stderr ?? err).includes('busy')) return
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100)
    }
  }
}

export function createPool (label: string): ZfsPool {
  const dir = mkdtempSync(path.join(os.tmpdir(), `zpool-${label}-`))
  const file = path.join(dir, 'pool.img')
  const pool = `hauki${label}${process.pid}`
  run('truncate', ['-s', '256M', file])
  run('zpool', ['create', '-f', '-m', path.join(dir, 'mnt'), pool, file])
  run('zfs', ['create', `${pool}/rec`])
  const mountpoint = path.join(dir, 'mnt', 'rec')
  return {
    pool,
    mountpoint,
    daemonPid: daemonPid() as number,
    destroy () {
      destroyPool(pool)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
