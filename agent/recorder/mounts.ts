/**
 * What the recorder folder is mounted on, and which write guarantees hold
 * there. Read from /proc/self/mounts (longest mount point that contains the
 * folder).
 */
import { readFile, realpath } from 'node:fs/promises'

export interface MountInfo {
  mountPoint: string
  fsType: string
  /** Whether rename() replaces the target atomically. */
  atomicRename: 'yes' | 'only with the server\'s posix-rename extension' | 'unknown'
  /** Whether fsync() of a directory makes a rename durable. */
  dirFsync: 'yes' | 'no-op' | 'unknown'
  note: string
}

/** /proc/mounts escapes spaces and a few other characters as octal. */
function unescapeMount (s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}

export function classifyMount (mountPoint: string, fsType: string): MountInfo {
  if (fsType === 'fuse.sshfs') {
    return { mountPoint, fsType, atomicRename: 'only with the server\'s posix-rename extension', dirFsync: 'no-op', note: 'sshfs: replacing a file is atomic only when the server offers posix-rename@openssh.com (OpenSSH does); do not mount with -o workaround=rename (it removes the target first); directory fsync is a no-op, so a rename is durable only when the server flushes' }
  }
  if (fsType === 'nfs' || fsType === 'nfs4') {
    return { mountPoint, fsType, atomicRename: 'yes', dirFsync: 'yes', note: 'NFS: rename is atomic on the server; use hard mounts (not soft) so a stalled server delays writes instead of failing them' }
  }
  if (fsType === 'fuse.zfs' || fsType === 'zfs') {
    return { mountPoint, fsType, atomicRename: 'yes', dirFsync: 'yes', note: 'ZFS: rename is atomic and fsync is honoured (zfs-fuse through FUSE)' }
  }
  if (fsType.startsWith('fuse')) {
    return { mountPoint, fsType, atomicRename: 'unknown', dirFsync: 'unknown', note: 'FUSE filesystem: rename atomicity and directory fsync depend on the filesystem; check its documentation' }
  }
  return { mountPoint, fsType, atomicRename: 'yes', dirFsync: 'yes', note: 'local POSIX filesystem' }
}

export async function detectMount (dir: string, mountsText?: string): Promise<MountInfo> {
  const real = await realpath(dir).catch(() => dir)
  const text = mountsText ?? await readFile('/proc/self/mounts', 'utf8').catch(() => '')
  let best: { mountPoint: string, fsType: string } = { mountPoint: '/', fsType: 'unknown' }
  for (const line of text.split('\n')) {
    const [, rawPoint, fsType] = line.split(' ')
    if (rawPoint === undefined || fsType === undefined) continue
    const mountPoint = unescapeMount(rawPoint)
    const inside = real === mountPoint || real.startsWith(mountPoint.endsWith('/') ? mountPoint : `${mountPoint}/`)
    if (inside && mountPoint.length >= best.mountPoint.length) best = { mountPoint, fsType }
  }
  return classifyMount(best.mountPoint, best.fsType)
}
