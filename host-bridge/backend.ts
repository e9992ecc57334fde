/**
 * What the executor needs from a storage backend. `zfs` is production;
 * `dir` (plain folder copies) implements the same contract for machines
 * without ZFS and for demos. Methods throw BridgeError subclasses; names are
 * validated by the caller and again by the builders.
 */
import type { DatasetName, SnapshotName } from './names.js'
import type { ListedSnapshot } from './zfs-args.js'

export type BackendKind = 'zfs' | 'dir'
export interface Signal { signal?: AbortSignal }

export interface Backend {
  readonly kind: BackendKind
  /** Whether the dataset exists. */
  exists: (dataset: DatasetName, options?: Signal) => Promise<boolean>
  /** Where the dataset's files are. */
  mountpoint: (dataset: DatasetName, options?: Signal) => Promise<string>
  snapshot: (snapshot: SnapshotName, flags: { recursive: boolean }, options?: Signal) => Promise<void>
  hold: (snapshot: SnapshotName, flags: { recursive: boolean }, options?: Signal) => Promise<void>
  release: (snapshot: SnapshotName, flags: { recursive: boolean }, options?: Signal) => Promise<void>
  /** Snapshots of the dataset (and its descendants with `recursive`), oldest first. */
  list: (dataset: DatasetName, flags: { recursive: boolean }, options?: Signal) => Promise<ListedSnapshot[]>
  rollback: (snapshot: SnapshotName, flags: { destroyNewer: boolean }, options?: Signal) => Promise<void>
  destroySnapshot: (snapshot: SnapshotName, flags: { deferred: boolean }, options?: Signal) => Promise<void>
  clone: (snapshot: SnapshotName, target: DatasetName, options?: Signal) => Promise<void>
  destroyDataset: (dataset: DatasetName, options?: Signal) => Promise<void>
}
