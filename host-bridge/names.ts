/**
 * Name rules, checked before any process exists. They are stricter than ZFS
 * and LXC themselves: a name reaches `execa` as one argv element, so a shell
 * metacharacter could not do harm there, but a name that looks like an option
 * (`-o`), climbs (`..`) or carries characters a human would misread in a log
 * is refused anyway, with a reason that says which rule it broke.
 *
 * ZFS: components of `[A-Za-z0-9][A-Za-z0-9_.:-]*` joined by `/`, a snapshot
 * part after one `@` of the same characters, 255 characters at most
 * (zfs(8) "naming"; we leave out the space ZFS also allows).
 */
import { LXC_NAME_LENGTH_MAX, ZFS_COMPONENT_LENGTH_MAX, ZFS_DEPTH_MAX, ZFS_NAME_LENGTH_MAX } from './constants.js'
import { InvalidNameError, NotAllowedError } from './errors.js'

/** A dataset such as `tank/containers/crm`. */
export type DatasetName = string
/** A full snapshot name such as `tank/containers/crm@PRE_crm_upgrade_20261125_184800`. */
export type SnapshotName = string
/** An LXC container name. */
export type ContainerName = string

const COMPONENT_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/
const LXC_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

function shown (x: string): string {
  return JSON.stringify(x.length > 80 ? `${x.slice(0, 80)}...` : x)
}

function checkCommon (x: unknown, what: string): string {
  if (typeof x !== 'string') throw new InvalidNameError(`${what}: must be a string`)
  if (x.length === 0) throw new InvalidNameError(`${what}: must not be empty`)
  if (x.length > ZFS_NAME_LENGTH_MAX) throw new InvalidNameError(`${what} ${shown(x)}: longer than ${ZFS_NAME_LENGTH_MAX} characters`)
  if (x.startsWith('-')) throw new InvalidNameError(`${what} ${shown(x)}: must not start with "-" (it would read as an option)`)
  if (x.includes('..')) throw new InvalidNameError(`${what} ${shown(x)}: must not contain ".."`)
  return x
}

/** @throws InvalidNameError */
export function checkDataset (x: unknown, what = 'dataset'): DatasetName {
  const ds = checkCommon(x, what)
  if (ds.includes('@')) throw new InvalidNameError(`${what} ${shown(ds)}: must not contain "@" (that is a snapshot)`)
  const parts = ds.split('/')
  if (parts.length > ZFS_DEPTH_MAX) throw new InvalidNameError(`${what} ${shown(ds)}: deeper than ${ZFS_DEPTH_MAX} levels`)
  for (const p of parts) {
    if (p.length === 0) throw new InvalidNameError(`${what} ${shown(ds)}: empty path component (leading, trailing or double "/")`)
    if (p.length > ZFS_COMPONENT_LENGTH_MAX || !COMPONENT_RE.test(p)) {
      throw new InvalidNameError(`${what} ${shown(ds)}: component ${shown(p)} must be letters, digits, "_", ".", ":" or "-", starting with a letter or digit`)
    }
  }
  return ds
}

/** The short part after `@`. @throws InvalidNameError */
export function checkSnapshotPart (x: unknown, what = 'snapshot name'): string {
  const s = checkCommon(x, what)
  if (!COMPONENT_RE.test(s)) throw new InvalidNameError(`${what} ${shown(s)}: must be letters, digits, "_", ".", ":" or "-", starting with a letter or digit`)
  return s
}

/** A full `dataset@snap`; returns both parts. @throws InvalidNameError */
export function checkSnapshot (x: unknown, what = 'snapshot'): { snapshot: SnapshotName, dataset: DatasetName, snap: string } {
  const s = checkCommon(x, what)
  const at = s.indexOf('@')
  if (at < 0 || s.indexOf('@', at + 1) >= 0) throw new InvalidNameError(`${what} ${shown(s)}: must be DATASET@NAME with exactly one "@"`)
  const dataset = checkDataset(s.slice(0, at), what)
  const snap = checkSnapshotPart(s.slice(at + 1), what)
  return { snapshot: s, dataset, snap }
}

/** @throws InvalidNameError */
export function checkContainerName (x: unknown, what = 'container name'): ContainerName {
  if (typeof x !== 'string') throw new InvalidNameError(`${what}: must be a string`)
  if (x.startsWith('-')) throw new InvalidNameError(`${what} ${shown(x)}: must not start with "-" (it would read as an option)`)
  if (x.includes('..')) throw new InvalidNameError(`${what} ${shown(x)}: must not contain ".."`)
  if (x.length === 0 || x.length > LXC_NAME_LENGTH_MAX || !LXC_NAME_RE.test(x)) {
    throw new InvalidNameError(`${what} ${shown(x)}: must be 1..${LXC_NAME_LENGTH_MAX} letters, digits, "_", "." or "-", starting with a letter or digit`)
  }
  return x
}

/** True when `dataset` is `root` or lies below it. */
export function isUnder (dataset: DatasetName, root: DatasetName): boolean {
  return dataset === root || dataset.startsWith(`${root}/`)
}

/** @throws NotAllowedError unless `dataset` lies under one of `roots`. */
export function checkUnder (dataset: DatasetName, roots: readonly DatasetName[], who: string): void {
  if (roots.some((r) => isUnder(dataset, r))) return
  const allowed = roots.length === 0 ? 'no dataset' : roots.join(', ')
  throw new NotAllowedError(`${who} may not use dataset ${shown(dataset)} on this host (allowed: ${allowed})`)
}
