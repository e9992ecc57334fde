/**
 * Pure argument builders for `zfs`. Each validates its names first and
 * returns the argv after the program name; nothing here runs anything.
 * Written for the oldest zfs we test on (Debian's zfs-fuse 0.7): no
 * `zfs list -p`, no `zfs holds`, so holds are read from `userrefs`.
 */
import { HOLD_TAG } from './constants.js'
import { checkDataset, checkSnapshot } from './names.js'
import type { DatasetName, SnapshotName } from './names.js'

export function snapshotArgs (snapshot: SnapshotName, options: { recursive?: boolean } = {}): string[] {
  const { snapshot: s } = checkSnapshot(snapshot)
  return options.recursive === true ? ['snapshot', '-r', s] : ['snapshot', s]
}

export function cloneArgs (snapshot: SnapshotName, target: DatasetName): string[] {
  return ['clone', checkSnapshot(snapshot).snapshot, checkDataset(target, 'clone target')]
}

/** `-r` destroys the snapshots newer than the target (zfs refuses otherwise). */
export function rollbackArgs (snapshot: SnapshotName, options: { destroyNewer?: boolean } = {}): string[] {
  const { snapshot: s } = checkSnapshot(snapshot)
  return options.destroyNewer === true ? ['rollback', '-r', s] : ['rollback', s]
}

/** Destroy a snapshot; `deferred` (-d) marks a held one for destruction when its last hold goes. */
export function destroySnapshotArgs (snapshot: SnapshotName, options: { deferred?: boolean } = {}): string[] {
  const { snapshot: s } = checkSnapshot(snapshot)
  return options.deferred === true ? ['destroy', '-d', s] : ['destroy', s]
}

/** Destroy a dataset (a clone); never recursive, so a slip cannot take a subtree. */
export function destroyDatasetArgs (dataset: DatasetName): string[] {
  return ['destroy', checkDataset(dataset)]
}

/**
 * Snapshots of a dataset (`recursive`: and of its descendants), one
 * `name<TAB>userrefs` line each, oldest first (zfs lists by creation txg).
 */
export function listSnapshotsArgs (dataset: DatasetName, options: { recursive?: boolean } = {}): string[] {
  const ds = checkDataset(dataset)
  const depth = options.recursive === true ? ['-r'] : ['-d', '1']
  return ['list', '-H', '-t', 'snapshot', '-o', 'name,userrefs', ...depth, ds]
}

export function holdArgs (snapshot: SnapshotName, options: { recursive?: boolean, tag?: string } = {}): string[] {
  const { snapshot: s } = checkSnapshot(snapshot)
  return ['hold', ...(options.recursive === true ? ['-r'] : []), options.tag ?? HOLD_TAG, s]
}

export function releaseArgs (snapshot: SnapshotName, options: { recursive?: boolean, tag?: string } = {}): string[] {
  const { snapshot: s } = checkSnapshot(snapshot)
  return ['release', ...(options.recursive === true ? ['-r'] : []), options.tag ?? HOLD_TAG, s]
}

/** One property's raw value: `zfs get -H -o value PROP NAME`. */
export function getArgs (name: string, property: 'mountpoint' | 'origin' | 'type'): string[] {
  const n = name.includes('@') ? checkSnapshot(name).snapshot : checkDataset(name)
  return ['get', '-H', '-o', 'value', property, n]
}

/** One parsed line of `zfs list` output from listSnapshotsArgs. */
export interface ListedSnapshot {
  snapshot: SnapshotName
  dataset: DatasetName
  /** Number of holds (userrefs). */
  holds: number
}

/** Parse listSnapshotsArgs output; lines that do not parse are skipped, not trusted. */
export function parseSnapshotList (stdout: string): ListedSnapshot[] {
  const out: ListedSnapshot[] = []
  for (const line of stdout.split('\n')) {
    const [name, refs] = line.split('\t')
    if (name === undefined || name === '' || refs === undefined) continue
    try {
      const { snapshot, dataset } = checkSnapshot(name)
      const holds = Number(refs)
      out.push({ snapshot, dataset, holds: Number.isSafeInteger(holds) && holds >= 0 ? holds : 0 })
    } catch {
      // A foreign snapshot whose name we would not produce: listed by zfs, invisible to us.
    }
  }
  return out
}
