/**
 * Defaults and limits of the command-line layer (`mesh-agent run` and
 * `meshctl`), applied once where a setting is resolved. Durations end in `Ms`.
 */

// Process exit codes (DESIGN.md "Interfaces"), mapped from error codes in one place: `exitCodeOf`.
export const EXIT_OK = 0
export const EXIT_ERROR = 1
export const EXIT_USAGE = 2
/** A pre-flight that was not cleared. */
export const EXIT_DENIED = 3

// mesh-agent run.
export const LISTEN_DEFAULT: readonly string[] = ['/ip4/0.0.0.0/tcp/7400']
export const API_HOST_DEFAULT = '127.0.0.1'
export const API_PORT_DEFAULT = 7401
/** Data directories default to `<cwd>/<DATA_DIR_PARENT_DEFAULT>/<name>`. */
export const DATA_DIR_PARENT_DEFAULT = 'mesh-data'
export const ROLE_DEFAULT = 'container'
export const HEARTBEAT_MS_DEFAULT = 1_000
export const HEARTBEAT_MS_MIN = 100
export const HEARTBEAT_MS_MAX = 600_000
/** Bounds of --heartbeat-mesh-rate (heartbeats per second, mesh-wide); the default is the core's. */
export const HEARTBEAT_MESH_RATE_MIN = 0.01
export const HEARTBEAT_MESH_RATE_MAX = 100
export const LOG_LEVEL_DEFAULT = 'info'
/** Longest node name; the same bound the core enforces on replicated names. */
export const NAME_LENGTH_MAX = 63
export const LISTEN_ADDRS_MAX = 16
export const BOOTSTRAP_ADDRS_MAX = 64
export const MULTIADDR_LENGTH_MAX = 1_024
export const CAPS_MAX = 64
export const CAP_VALUE_LENGTH_MAX = 256
export const DATA_DIR_LENGTH_MAX = 4_096
/** A config file larger than this is refused before it is parsed. */
export const CONFIG_FILE_CHARS_MAX = 1024 * 1024
/** Environment variable naming a config file when `--config` is not given. */
export const CONFIG_ENV = 'MESH_CONFIG'

// meshctl.
export const AGENT_URL_DEFAULT = 'http://127.0.0.1:7401'
/** Environment variable naming the agent URL when `--agent` is not given. */
export const AGENT_URL_ENV = 'MESH_AGENT'
/** Deadline for one request to the agent, connection and body included. */
export const REQUEST_TIMEOUT_MS_DEFAULT = 5_000
/** A response body larger than this is refused while it streams in. */
export const RESPONSE_BYTES_MAX = 16 * 1024 * 1024
/** Error bodies and values are quoted in messages up to this many characters. */
export const QUOTE_CHARS_MAX = 200
/** Recorder flush interval: default and range (`--flush-ms`). */
export const FLUSH_MS_DEFAULT = 2000
export const FLUSH_MS_MIN = 100
export const FLUSH_MS_MAX = 600_000

/** `--admin-key` files an agent reads at most. */
export const ADMIN_KEYS_MAX = 64
/** Environment variable naming the admin secret key file when `--key` is not given. */
export const ADMIN_KEY_ENV = 'MESH_ADMIN_KEY'
/** `meshctl events --follow` asks the agent this often. */
export const EVENTS_POLL_MS = 1_000
/** Longest `--reason` an operator may attach to an admin event. */
export const REASON_CHARS_MAX = 200
