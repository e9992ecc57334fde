/**
 * Which pre-flight snapshots to let go: per dataset, all of ours (the PRE_
 * prefix) beyond the newest `keep`. Foreign snapshots are never candidates,
 * whatever their age. Pure: the executor feeds it `zfs list` output, which is
 * oldest first.
 */
import { isOurs } from './naming.js'
import type { SnapshotName } from './names.js'
import type { ListedSnapshot } from './zfs-args.js'

export function pruneCandidates (listed: readonly ListedSnapshot[], keep: number): SnapshotName[] {
  const byDataset = new Map<string, SnapshotName[]>()
  for (const s of listed) {
    if (!isOurs(s.snapshot)) continue
    byDataset.set(s.dataset, [...(byDataset.get(s.dataset) ?? []), s.snapshot])
  }
  const out: SnapshotName[] = []
  for (const names of byDataset.values()) out.push(...names.slice(0, Math.max(0, names.length - keep)))
  return out
}
