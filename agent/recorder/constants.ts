/** Defaults, limits and names of the meshfs flight recorder. */

export const FLUSH_MS_DEFAULT = 2000
/** Schema versions of the records; a reader refuses a newer major than it knows. */
export const SCHEMA_VERSION = 1
/** Temp files are `.<target>.tmp-<pid>-<n>`: recognisable, hidden, and swept at start once stale. */
export const TEMP_MARKER = '.tmp-'
/** Temp files older than this are strays (their writer died); younger ones may belong to a live agent sharing the folder. */
export const TEMP_STALE_MS = 60_000
/** A per-file lock (a directory made with mkdir) older than this is broken: its holder died. */
export const LOCK_STALE_MS = 30_000
/** Events appended per flush at most; the rest wait for the next one. */
export const EVENTS_PER_FLUSH_MAX = 1000
/** Files written per flush at most, so one flush of a huge mesh does not monopolise the writer. */
export const FILES_PER_FLUSH_MAX = 5000
/** Largest record file the verifier and the emergency bootstrap read. */
export const RECORD_BYTES_MAX = 1024 * 1024

/** Folders the recorder creates if missing; operators own what is inside the last six. */
export const LAYOUT_DIRS = [
  'bootstrap', 'bootstrap/admin-keys', 'live', 'live/nodes', 'live/services', 'snapshots', 'events',
  'api_projects', 'specs', 'specs/nodes', 'queue', 'telemetry', 'archive'
] as const
