/**
 * Real ZFS and LXC for the host bridge tests: a file-backed zfs-fuse pool
 * with a `ct` root, a busybox template dataset with a `base` snapshot, and an
 * lxcpath of its own. Tests skip with the reason when zfs-fuse, lxc or a
 * static busybox is missing, and fail instead under CI=true.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { destroyPool, zfsUnavailable } from './zfs.js'

export function sh (cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

function lxcUnavailable (): string | undefined {
  try {
    sh('lxc-start', ['--version'])
  } catch {
    return 'lxc is not installed (apt-get install lxc; .ci/run does)'
  }
  if (!existsSync('/bin/busybox')) return 'no static busybox at /bin/busybox (apt-get install busybox-static)'
  return undefined
}

/** Skip reason for tests that need real ZFS and LXC; under CI=true a missing piece throws. */
export function bridgeSkipReason (): string | undefined {
  const why = zfsUnavailable() ?? lxcUnavailable()
  if (why !== undefined && process.env.CI === 'true') throw new Error(`CI requires real ZFS and LXC: ${why}`)
  return why
}

export interface BridgePool {
  pool: string
  /** `<pool>/ct`: the root the tests allow. */
  root: string
  /** `<pool>/ct/tmpl` with snapshot `base`: a busybox rootfs. */
  template: string
  lxcPath: string
  dir: string
  mountpointOf(dataset: string): string
  snapshots(dataset: string): string[]
  holds(snapshot: string): number
  destroy(): void
}

/** A busybox rootfs whose init only sleeps: enough for a RUNNING container. */
export function writeBusyboxRootfs (dir: string): void {
  for (const d of ['bin', 'sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'var/run']) mkdirSync(path.join(dir, d), { recursive: true })
  copyFileSync('/bin/busybox', path.join(dir, 'bin/busybox'))
  chmodSync(path.join(dir, 'bin/busybox'), 0o755)
  symlinkSync('busybox', path.join(dir, 'bin/sh'))
  symlinkSync('../bin/busybox', path.join(dir, 'sbin/init'))
  writeFileSync(path.join(dir, 'etc/inittab'), '::respawn:/bin/busybox sleep 3600\n')
  writeFileSync(path.join(dir, 'etc/fstab'), '')
  writeFileSync(path.join(dir, 'etc/hostname'), 'template\n')
}

export function createBridgePool (label: string): BridgePool {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bridge-${label}-`))
  const pool = `hb${label}${process.pid}`
  sh('truncate', ['-s', '256M', path.join(dir, 'pool.img')])
  sh('zpool', ['create', '-f', '-m', path.join(dir, 'mnt'), pool, path.join(dir, 'pool.img')])
  sh('zfs', ['create', `${pool}/ct`])
  sh('zfs', ['create', `${pool}/ct/tmpl`])
  const mountpointOf = (ds: string): string => sh('zfs', ['get', '-H', '-o', 'value', 'mountpoint', ds]).trim()
  writeBusyboxRootfs(mountpointOf(`${pool}/ct/tmpl`))
  sh('zfs', ['snapshot', `${pool}/ct/tmpl@base`])
  const lxcPath = path.join(dir, 'lxc')
  mkdirSync(lxcPath)
  return {
    pool,
    root: `${pool}/ct`,
    template: `${pool}/ct/tmpl`,
    lxcPath,
    dir,
    mountpointOf,
    snapshots: (ds) => sh('zfs', ['list', '-H', '-t', 'snapshot', '-o', 'name', '-r', ds]).split('\n').filter((l) => l !== ''),
    holds: (snap) => Number(sh('zfs', ['get', '-H', '-o', 'value', 'userrefs', snap]).trim()),
    destroy () {
      for (const name of existsSync(lxcPath) ? sh('lxc-ls', ['-P', lxcPath, '--running']).split(/\s+/).filter((n) => n !== '') : []) {
        try { sh('lxc-stop', ['-P', lxcPath, '-n', name, '-k']) } catch { /* already stopped */ }
      }
      destroyPool(pool)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
