/**
 * Atomic file replacement: write a temp file in the same folder, fsync it,
 * rename it over the target, fsync the folder. A reader sees the old file or
 * the new one, never a mix. An fsync error fails the write (the temp file is
 * removed) and the caller redoes it from memory with a fresh temp file.
 *
 * A per-target lock (mkdir of `<target>.lock`, atomic on every filesystem
 * we meet, sshfs included) makes "newer facts win" hold when several agents
 * share a recorder: the check of the current file's HLC and the rename
 * happen under it.
 */
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import path from 'node:path'
import { LOCK_STALE_MS, RECORD_BYTES_MAX, TEMP_MARKER } from './constants.js'

let tempCounter = 0

export function tempPathFor (target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}${TEMP_MARKER}${process.pid}-${++tempCounter}`)
}

export function isTempName (name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARKER)
}

export async function fsyncDir (dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } catch (err) {
    // Some FUSE filesystems (sshfs) do not implement directory fsync; that is a known, logged limit.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'ENOTSUP') throw err
  } finally {
    await fh.close()
  }
}

/**
 * Write `data` to `target` atomically. With `syncDir: false` the caller
 * fsyncs the folder itself (once for many files, before it reports them written).
 */
export async function writeAtomic (target: string, data: string, options: { syncDir?: boolean } = {}): Promise<void> {
  const tmp = tempPathFor(target)
  const fh = await open(tmp, 'wx', 0o644)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } catch (err) {
    await fh.close().catch(() => {})
    await unlink(tmp).catch(() => {})
    throw err
  }
  await fh.close()
  try {
    await rename(tmp, target)
  } catch (err) {
    await unlink(tmp).catch(() => {})
    throw err
  }
  if (options.syncDir !== false) await fsyncDir(path.dirname(target))
}

/** The HLC recorded in an existing record file, or -1 when there is none or it is unreadable. */
export async function currentHlc (target: string): Promise<number> {
  try {
    const text = await readFile(target, 'utf8')
    if (text.length > RECORD_BYTES_MAX) return -1
    const hlc = (JSON.parse(text) as { hlc?: unknown }).hlc
    return typeof hlc === 'number' ? hlc : -1
  } catch {
    return -1
  }
}

/** True when the lock was left by a process of this host that no longer runs. */
async function lockOwnerIsGone (lock: string): Promise<boolean> {
  const [owner] = await readdir(lock).catch(() => [] as string[])
  const m = owner === undefined ? undefined : /^(.+)-(\d+)$/.exec(owner)
  if (m === null || m === undefined || m[1] !== hostname()) return false
  try {
    process.kill(Number(m[2]), 0)
    return false
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/**
 * Run `fn` holding the lock of `target`. The lock is a directory holding one
 * entry `<host>-<pid>`, so a lock of a dead local writer is broken at once
 * and one of a writer elsewhere after LOCK_STALE_MS.
 */
export async function withFileLock<T> (target: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${target}.lock`
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(lock)
      await mkdir(path.join(lock, `${hostname()}-${process.pid}`))
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0)
      if (age > LOCK_STALE_MS || await lockOwnerIsGone(lock)) await rm(lock, { recursive: true, force: true })
      else if (attempt >= 50) throw new Error(`lock ${lock} is held by another writer`)
      else await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  try {
    return await fn()
  } finally {
    await rm(lock, { recursive: true, force: true }).catch(() => {})
  }
}

/**
 * Replace `target` with a record of `hlc` unless the file already holds a
 * newer fact (another agent sharing the folder wrote it). Returns whether it wrote.
 */
export async function writeRecordIfNewer (target: string, hlc: number, data: string, options: { syncDir?: boolean } = {}): Promise<boolean> {
  return await withFileLock(target, async () => {
    if (await currentHlc(target) > hlc) return false
    await writeAtomic(target, data, options)
    return true
  })
}
