/**
 * The `dir` backend: datasets are folders under `root`, snapshots are full
 * copies under `root/.snapshots/<dataset>/<snap>/`, holds and creation order
 * live in `root/.snapshots/<dataset>/index.json`. Slow for big trees, but the
 * same contract as `zfs` (test/host-bridge/backend-compliance.spec.ts), so the
 * executor does not care which one runs. A recursive snapshot copies the
 * whole tree in one go.
 */
import { cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Backend } from './backend.js'
import { CommandFailedError, ConflictError } from './errors.js'
import { checkDataset, checkSnapshot } from './names.js'
import type { DatasetName, SnapshotName } from './names.js'
import type { ListedSnapshot } from './zfs-args.js'

interface SnapIndexItem { snap: string, holds: number, deferred: boolean }
interface Found { dataset: DatasetName, snap: string, items: SnapIndexItem[], item: SnapIndexItem }

export interface DirBackendInit {
  /** Folder holding the datasets; `tank/a` is `<root>/tank/a`. */
  root: string
}

const COPY = { recursive: true, preserveTimestamps: true, verbatimSymlinks: true } as const

/** Failures look like a failed zfs command, so reasons read the same on both backends. */
function failed (what: string, message: string): CommandFailedError {
  return new CommandFailedError(`${what}: ${message}`, { command: ['dir', what], exitCode: 1, stderr: message, durationMs: 0, timedOut: false })
}

class DirBackend implements Backend {
  readonly kind = 'dir' as const
  private readonly root: string

  constructor (init: DirBackendInit) {
    this.root = path.resolve(init.root)
  }

  private dsPath (ds: DatasetName): string { return path.join(this.root, ...checkDataset(ds).split('/')) }
  private snapRoot (ds: DatasetName): string { return path.join(this.root, '.snapshots', ...checkDataset(ds).split('/')) }
  private indexPath (ds: DatasetName): string { return path.join(this.snapRoot(ds), 'index.json') }

  private async readIndex (ds: DatasetName): Promise<SnapIndexItem[]> {
    try {
      return JSON.parse(await readFile(this.indexPath(ds), 'utf8')) as SnapIndexItem[]
    } catch {
      return []
    }
  }

  private async writeIndex (ds: DatasetName, items: SnapIndexItem[]): Promise<void> {
    await mkdir(this.snapRoot(ds), { recursive: true })
    const tmp = `${this.indexPath(ds)}.tmp`
    await writeFile(tmp, JSON.stringify(items))
    await rename(tmp, this.indexPath(ds))
  }

  private async find (snapshot: SnapshotName): Promise<Found> {
    const { dataset, snap } = checkSnapshot(snapshot)
    const items = await this.readIndex(dataset)
    const item = items.find((i) => i.snap === snap)
    if (item === undefined) throw failed('snapshot', `could not find snapshot ${snapshot}: dataset does not exist`)
    return { dataset, snap, items, item }
  }

  private async destroyNow (dataset: DatasetName, snap: string, items: SnapIndexItem[]): Promise<void> {
    await rm(path.join(this.snapRoot(dataset), snap), { recursive: true, force: true })
    await this.writeIndex(dataset, items.filter((i) => i.snap !== snap))
  }

  async exists (ds: DatasetName): Promise<boolean> {
    return await stat(this.dsPath(ds)).then((s) => s.isDirectory(), () => false)
  }

  async mountpoint (ds: DatasetName): Promise<string> {
    return this.dsPath(ds)
  }

  async snapshot (snapshot: SnapshotName): Promise<void> {
    const { dataset, snap } = checkSnapshot(snapshot)
    if (!await this.exists(dataset)) throw failed('snapshot', `cannot open '${dataset}': dataset does not exist`)
    const items = await this.readIndex(dataset)
    if (items.some((i) => i.snap === snap)) throw new ConflictError(`snapshot ${snapshot} already exists`)
    await cp(this.dsPath(dataset), path.join(this.snapRoot(dataset), snap), COPY)
    await this.writeIndex(dataset, [...items, { snap, holds: 0, deferred: false }])
  }

  async hold (snapshot: SnapshotName): Promise<void> {
    const { dataset, items, item } = await this.find(snapshot)
    item.holds++
    await this.writeIndex(dataset, items)
  }

  async release (snapshot: SnapshotName): Promise<void> {
    const { dataset, snap, items, item } = await this.find(snapshot)
    if (item.holds === 0) throw failed('release', `no such tag on ${snapshot}`)
    item.holds--
    if (item.holds === 0 && item.deferred) await this.destroyNow(dataset, snap, items)
    else await this.writeIndex(dataset, items)
  }

  async list (dataset: DatasetName): Promise<ListedSnapshot[]> {
    return (await this.readIndex(checkDataset(dataset))).map((i) => ({ snapshot: `${dataset}@${i.snap}`, dataset, holds: i.holds }))
  }

  async rollback (snapshot: SnapshotName, flags: { destroyNewer: boolean }): Promise<void> {
    const { dataset, snap, items } = await this.find(snapshot)
    const newer = items.slice(items.findIndex((i) => i.snap === snap) + 1)
    if (newer.length > 0 && !flags.destroyNewer) throw new ConflictError(`cannot rollback to '${snapshot}': more recent snapshots exist`, newer.map((i) => `${dataset}@${i.snap}`))
    if (newer.some((i) => i.holds > 0)) throw failed('rollback', 'a newer snapshot is held')
    for (const i of newer) await rm(path.join(this.snapRoot(dataset), i.snap), { recursive: true, force: true })
    await this.writeIndex(dataset, items.slice(0, items.length - newer.length))
    const target = this.dsPath(dataset)
    for (const entry of await readdir(target)) await rm(path.join(target, entry), { recursive: true, force: true })
    await cp(path.join(this.snapRoot(dataset), snap), target, COPY)
  }

  async destroySnapshot (snapshot: SnapshotName, flags: { deferred: boolean }): Promise<void> {
    const { dataset, snap, items, item } = await this.find(snapshot)
    if (item.holds === 0) return await this.destroyNow(dataset, snap, items)
    if (!flags.deferred) throw failed('destroy', `cannot destroy '${snapshot}': dataset is busy`)
    item.deferred = true
    await this.writeIndex(dataset, items)
  }

  async clone (snapshot: SnapshotName, target: DatasetName): Promise<void> {
    const { dataset, snap } = await this.find(snapshot)
    if (await this.exists(target)) throw failed('clone', `cannot create '${target}': dataset already exists`)
    await cp(path.join(this.snapRoot(dataset), snap), this.dsPath(target), COPY)
  }

  async destroyDataset (dataset: DatasetName): Promise<void> {
    await rm(this.dsPath(dataset), { recursive: true, force: true })
  }
}

export function dirBackend (init: DirBackendInit): Backend {
  return new DirBackend(init)
}
