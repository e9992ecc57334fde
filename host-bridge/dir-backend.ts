/**
 * The `dir` backend: datasets are folders under `root`, snapshots are full
 * copies under `root/.snapshots/<dataset>/<snap>/`, holds and creation order
 * live in `root/.snapshots/<dataset>/index.json`. Slow for big trees, but the
 * same contract as `zfs`, so the executor and its tests do not care which
 * one runs. A recursive snapshot copies the whole tree in one go.
 */
import { cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Backend } from './backend.js'
import { CommandFailedError, ConflictError } from './errors.js'
import { checkDataset, checkSnapshot } from './names.js'
import type { ListedSnapshot } from './zfs-args.js'

interface SnapIndexItem { snap: string, holds: number, deferred: boolean }

export interface DirBackendInit {
  /** Folder holding the datasets; `tank/a` is `<root>/tank/a`. */
  root: string
}

function failed (what: string, err: unknown): CommandFailedError {
  const message = err instanceof Error ? err.message : String(err)
  return new CommandFailedError(`${what}: ${message}`, { command: ['dir', what], exitCode: 1, stderr: message, durationMs: 0, timedOut: false }, { cause: err })
}

export function dirBackend (init: DirBackendInit): Backend {
  const root = path.resolve(init.root)
  const dsPath = (ds: string): string => path.join(root, ...checkDataset(ds).split('/'))
  const snapRoot = (ds: string): string => path.join(root, '.snapshots', ...checkDataset(ds).split('/'))
  const indexPath = (ds: string): string => path.join(snapRoot(ds), 'index.json')
  const readIndex = async (ds: string): Promise<SnapIndexItem[]> => {
    try {
      return JSON.parse(await readFile(indexPath(ds), 'utf8')) as SnapIndexItem[]
    } catch {
      return []
    }
  }
  const writeIndex = async (ds: string, items: SnapIndexItem[]): Promise<void> => {
    await mkdir(snapRoot(ds), { recursive: true })
    const tmp = `${indexPath(ds)}.tmp`
    await writeFile(tmp, JSON.stringify(items))
    await rename(tmp, indexPath(ds))
  }
  const find = async (snapshot: string): Promise<{ dataset: string, snap: string, items: SnapIndexItem[], item: SnapIndexItem }> => {
    const { dataset, snap } = checkSnapshot(snapshot)
    const items = await readIndex(dataset)
    const item = items.find((i) => i.snap === snap)
    if (item === undefined) throw failed('snapshot', new Error(`could not find snapshot ${snapshot}: dataset does not exist`))
    return { dataset, snap, items, item }
  }
  const destroyNow = async (dataset: string, snap: string, items: SnapIndexItem[]): Promise<void> => {
    await rm(path.join(snapRoot(dataset), snap), { recursive: true, force: true })
    await writeIndex(dataset, items.filter((i) => i.snap !== snap))
  }
  const exists = async (ds: string): Promise<boolean> => await stat(dsPath(ds)).then((s) => s.isDirectory(), () => false)
  return {
    kind: 'dir',
    exists,
    mountpoint: async (ds) => dsPath(ds),
    snapshot: async (snapshot) => {
      const { dataset, snap } = checkSnapshot(snapshot)
      if (!await exists(dataset)) throw failed('snapshot', new Error(`cannot open '${dataset}': dataset does not exist`))
      const items = await readIndex(dataset)
      if (items.some((i) => i.snap === snap)) throw new ConflictError(`snapshot ${snapshot} already exists`)
      await cp(dsPath(dataset), path.join(snapRoot(dataset), snap), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true })
      await writeIndex(dataset, [...items, { snap, holds: 0, deferred: false }])
    },
    hold: async (snapshot) => {
      const { dataset, items, item } = await find(snapshot)
      item.holds++
      await writeIndex(dataset, items)
    },
    release: async (snapshot) => {
      const { dataset, snap, items, item } = await find(snapshot)
      if (item.holds === 0) throw failed('release', new Error(`no such tag on ${snapshot}`))
      item.holds--
      if (item.holds === 0 && item.deferred) await destroyNow(dataset, snap, items)
      else await writeIndex(dataset, items)
    },
    list: async (dataset) => (await readIndex(checkDataset(dataset))).map((i): ListedSnapshot => ({ snapshot: `${dataset}@${i.snap}`, dataset, holds: i.holds })),
    rollback: async (snapshot, flags) => {
      const { dataset, snap, items } = await find(snapshot)
      const newer = items.slice(items.findIndex((i) => i.snap === snap) + 1)
      if (newer.length > 0 && !flags.destroyNewer) throw new ConflictError(`cannot rollback to '${snapshot}': more recent snapshots exist`, newer.map((i) => `${dataset}@${i.snap}`))
      if (newer.some((i) => i.holds > 0)) throw failed('rollback', new Error('a newer snapshot is held'))
      for (const i of newer) await rm(path.join(snapRoot(dataset), i.snap), { recursive: true, force: true })
      await writeIndex(dataset, items.slice(0, items.length - newer.length))
      const target = dsPath(dataset)
      for (const entry of await readdir(target)) await rm(path.join(target, entry), { recursive: true, force: true })
      await cp(path.join(snapRoot(dataset), snap), target, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true })
    },
    destroySnapshot: async (snapshot, flags) => {
      const { dataset, snap, items, item } = await find(snapshot)
      if (item.holds > 0) {
        if (!flags.deferred) throw failed('destroy', new Error(`cannot destroy '${snapshot}': dataset is busy`))
        item.deferred = true
        await writeIndex(dataset, items)
        return
      }
      await destroyNow(dataset, snap, items)
    },
    clone: async (snapshot, target) => {
      const { dataset, snap } = await find(snapshot)
      if (await exists(target)) throw failed('clone', new Error(`cannot create '${target}': dataset already exists`))
      await cp(path.join(snapRoot(dataset), snap), dsPath(target), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true })
    },
    destroyDataset: async (dataset) => {
      await rm(dsPath(dataset), { recursive: true, force: true })
    }
  }
}
