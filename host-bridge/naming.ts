/**
 * Pre-flight snapshot names, in the field's habit:
 * `<dataset>@PRE_<node>_<intent-slug>_<YYYYMMDD_HHMMSS>` (UTC). Two requests
 * in the same second get `_2`, `_3`, ... appended, so a name is never reused.
 */
import { INTENT_SLUG_LENGTH_MAX, NAME_SUFFIX_MAX, PREFLIGHT_PREFIX } from './constants.js'
import { ConflictError } from './errors.js'
import { checkSnapshot } from './names.js'
import type { DatasetName, SnapshotName } from './names.js'

/** `Upgrade nginx to 1.27!` -> `upgrade-nginx-to-1.27`; empty intent -> `preflight`. */
export function intentSlug (intent: string): string {
  const slug = intent.toLowerCase().normalize('NFKD').replace(/[^a-z0-9.]+/g, '-').replace(/\.{2,}/g, '.')
    .replace(/^[-.]+/, '').slice(0, INTENT_SLUG_LENGTH_MAX).replace(/[-.]+$/, '')
  return slug === '' ? 'preflight' : slug
}

/** `20261125_184800` in UTC. */
export function utcStamp (wallMs: number): string {
  const iso = new Date(wallMs).toISOString()
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`
}

/** The base name, without a same-second suffix. Validated. */
export function preflightName (dataset: DatasetName, node: string, intent: string, wallMs: number): SnapshotName {
  return checkSnapshot(`${dataset}@${PREFLIGHT_PREFIX}${node}_${intentSlug(intent)}_${utcStamp(wallMs)}`).snapshot
}

/**
 * The first of `base`, `base_2`, `base_3`, ... that `taken` does not hold.
 * @throws ConflictError after NAME_SUFFIX_MAX tries
 */
export function uniqueName (base: SnapshotName, taken: (name: SnapshotName) => boolean): SnapshotName {
  if (!taken(base)) return base
  for (let i = 2; i <= NAME_SUFFIX_MAX; i++) {
    const candidate = `${base}_${i}`
    if (!taken(candidate)) return checkSnapshot(candidate).snapshot
  }
  throw new ConflictError(`more than ${NAME_SUFFIX_MAX} snapshots named ${base} in one second`)
}

/** True for snapshots the bridge took (the part after `@` starts with PRE_). */
export function isOurs (snapshot: SnapshotName): boolean {
  const at = snapshot.indexOf('@')
  return at >= 0 && snapshot.startsWith(PREFLIGHT_PREFIX, at + 1)
}

/**
 * The replicated key id of a snapshot: `/` becomes `+`, which ZFS names cannot
 * hold, so the mapping is reversible and fits the core's key grammar.
 */
export function snapshotId (snapshot: SnapshotName): string {
  return snapshot.replaceAll('/', '+')
}

export function snapshotOfId (id: string): SnapshotName {
  return id.replaceAll('+', '/')
}
