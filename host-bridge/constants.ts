/**
 * Defaults and limits of the host bridge. Durations end in `Ms`, lengths in
 * `LengthMax`, counts in `Max`.
 */

/** Prefix of every snapshot the bridge takes; pruning touches only these. */
export const PREFLIGHT_PREFIX = 'PRE_'
/** Tag of our `zfs hold`s (and of the dir backend's holds). */
export const HOLD_TAG = 'hauki-mesh'
/** ZFS's own limit on a full dataset or snapshot name (ZFS_MAX_DATASET_NAME_LEN - 1). */
export const ZFS_NAME_LENGTH_MAX = 255
/** Longest single dataset path component (ZFS's MAXNAMELEN - 1). */
export const ZFS_COMPONENT_LENGTH_MAX = 255
/** Deepest dataset path accepted, components counted. */
export const ZFS_DEPTH_MAX = 32
/** Longest LXC container name (a hostname label). */
export const LXC_NAME_LENGTH_MAX = 63
/** Longest intent slug in a snapshot name. */
export const INTENT_SLUG_LENGTH_MAX = 32
/** Longest intent text a caller may send. */
export const INTENT_LENGTH_MAX = 256
/** Same-second suffixes tried before giving up on a unique snapshot name. */
export const NAME_SUFFIX_MAX = 99
/** Default deadline of one zfs command. */
export const ZFS_TIMEOUT_MS_DEFAULT = 30_000
/** Default deadline of one lxc command. */
export const LXC_TIMEOUT_MS_DEFAULT = 30_000
/** Longest stderr kept in a command result. */
export const STDERR_LENGTH_MAX = 4_096
/** Largest stdout read from a command (a `zfs list` of many snapshots). */
export const STDOUT_BYTES_MAX = 8 * 1024 * 1024
/** Pre-flight snapshots kept per dataset when nothing else is configured. */
export const KEEP_PREFLIGHT_DEFAULT = 20
/** A container must reach RUNNING within this after lxc-start. */
export const LXC_START_WAIT_S = 10
/** lxc-stop gives the container this long to halt before it kills it. */
export const LXC_STOP_TIMEOUT_S = 10
/** Operations queued on the executor at once; more are denied instead of piling up. */
export const EXECUTOR_QUEUE_MAX = 64
/** `zfs destroy` of a clone right after its container stopped may report "busy" on zfs-fuse: tries, bounded. */
export const DESTROY_BUSY_TRIES_MAX = 20
export const DESTROY_BUSY_BACKOFF_MS = 100
/** Snapshots returned by one list. */
export const LIST_SNAPSHOTS_MAX = 4_096
/** Default program names; `zfsBin` / `lxcBinDir` override them. */
export const ZFS_BIN_DEFAULT = 'zfs'
export const LXC_PATH_DEFAULT = '/var/lib/lxc'
/** Longest reason in a denied outcome (the wire allows 1024). */
export const REASON_LENGTH_MAX = 1_000
/** Snapshot names an executor remembers having issued (cleared when exceeded; zfs's "exists" is the backstop). */
export const ISSUED_NAMES_MAX = 10_000
