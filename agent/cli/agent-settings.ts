/**
 * The settings of `mesh-agent run`: for each field of `AgentConfig`, its flag,
 * the keys a config file may use for it, and its validator. Flags and config
 * keys share one validator, so a rule cannot differ between the two.
 */
import { isIP } from 'node:net'
import { resolve } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { AgentConfig } from './agent-config.js'
import { BRIDGE_SETTINGS } from './bridge-settings.js'
import { HEARTBEAT_MESH_RATE_PER_S_DEFAULT } from '../core/constants.js'
import {
  ADMIN_KEYS_MAX, BOOTSTRAP_ADDRS_MAX, CAP_VALUE_LENGTH_MAX, CAPS_MAX, DATA_DIR_LENGTH_MAX, FLUSH_MS_MAX, FLUSH_MS_MIN, HEARTBEAT_MESH_RATE_MAX, HEARTBEAT_MESH_RATE_MIN, HEARTBEAT_MS_MAX, HEARTBEAT_MS_MIN,
  LISTEN_ADDRS_MAX, MULTIADDR_LENGTH_MAX, NAME_LENGTH_MAX
} from './constants.js'
import { fail, isPlainObject, requireIntegerIn, requireNumberIn, requireOneOf, requireString, requireStringList } from './values.js'
import type { Where } from './values.js'

export interface Setting<T> {
  /** Flag name without dashes. */
  readonly flag: string
  /** Keys a config file may use, camelCase and kebab-case spellings. */
  readonly fileKeys: readonly string[]
  /** Whether the flag may be repeated; its values then arrive as a list. */
  readonly repeatable: boolean
  /** A flag without a value (`--drain-on-shutdown`); it arrives as `true`, a config file gives a boolean. */
  readonly boolean?: boolean
  /** One line for the usage text. */
  readonly help: string
  /** Validates a raw value; relative paths resolve against `baseDir` (cwd for flags, the file's folder for a file). */
  readonly parse: (raw: unknown, at: Where, baseDir: string) => T
}

export type Settings = { readonly [K in keyof AgentConfig]: Setting<AgentConfig[K]> }

/** The same rule as the core's `isNodeName`: names are replicated, so an agent must not start with one the mesh rejects. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
const CAP_KEY_RE = /^[a-z][a-z0-9_.-]{0,62}$/
const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
const HOSTNAME_RE = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`)

export const ROLES = ['container', 'host'] as const
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const

export const SETTINGS: Settings = {
  name: { flag: 'name', fileKeys: ['name'], repeatable: false, help: 'node name (default: the hostname)', parse: parseName },
  dataDir: {
    flag: 'data', fileKeys: ['data', 'dataDir', 'data-dir'], repeatable: false, help: 'data directory (default: ./mesh-data/<name>)',
    parse: (raw, at, baseDir) => parseDir(raw, at, baseDir)
  },
  listen: {
    flag: 'listen', fileKeys: ['listen'], repeatable: true, help: 'libp2p listen multiaddr, repeatable (default: /ip4/0.0.0.0/tcp/7400)',
    parse: (raw, at) => parseMultiaddrs(raw, at, LISTEN_ADDRS_MAX, 1, () => {})
  },
  bootstrap: {
    flag: 'bootstrap', fileKeys: ['bootstrap'], repeatable: true, help: 'multiaddr of a peer to join through, with /p2p/<peerId>, repeatable',
    parse: (raw, at) => parseMultiaddrs(raw, at, BOOTSTRAP_ADDRS_MAX, 0, requirePeerId)
  },
  api: { flag: 'api', fileKeys: ['api'], repeatable: false, help: 'HTTP API address HOST:PORT, IPv6 as [::1]:7401 (default: 127.0.0.1:7401)', parse: parseHostPort },
  role: { flag: 'role', fileKeys: ['role'], repeatable: false, help: 'container or host (default: container)', parse: (raw, at) => requireOneOf(raw, at, ROLES) },
  heartbeatMs: {
    flag: 'heartbeat-ms', fileKeys: ['heartbeat-ms', 'heartbeatMs'], repeatable: false, help: `base heartbeat interval, ${HEARTBEAT_MS_MIN}..${HEARTBEAT_MS_MAX} (default: 1000)`,
    parse: (raw, at) => requireIntegerIn(raw, at, HEARTBEAT_MS_MIN, HEARTBEAT_MS_MAX)
  },
  heartbeatMeshRate: {
    flag: 'heartbeat-mesh-rate', fileKeys: ['heartbeat-mesh-rate', 'heartbeatMeshRate'], repeatable: false,
    help: `heartbeats per second the whole mesh may publish, ${HEARTBEAT_MESH_RATE_MIN}..${HEARTBEAT_MESH_RATE_MAX} (default: ${HEARTBEAT_MESH_RATE_PER_S_DEFAULT})`,
    parse: (raw, at) => requireNumberIn(raw, at, HEARTBEAT_MESH_RATE_MIN, HEARTBEAT_MESH_RATE_MAX)
  },
  caps: { flag: 'cap', fileKeys: ['cap', 'caps'], repeatable: true, help: 'capability KEY=VALUE, repeatable', parse: parseCaps },
  logLevel: {
    flag: 'log-level', fileKeys: ['log-level', 'logLevel'], repeatable: false, help: 'debug, info, warn or error (default: info)',
    parse: (raw, at) => requireOneOf(raw, at, LOG_LEVELS)
  },
  recorder: {
    flag: 'recorder', fileKeys: ['recorder'], repeatable: false, help: 'meshfs flight recorder folder (default: none)',
    parse: (raw, at, baseDir) => parseDir(raw, at, baseDir)
  },
  adminKeys: {
    flag: 'admin-key', fileKeys: ['admin-key', 'adminKey', 'admin-keys', 'adminKeys'], repeatable: true,
    help: 'file with a trusted admin public key (meshctl keygen), repeatable',
    parse: (raw, at, baseDir) => requireStringList(raw, at, ADMIN_KEYS_MAX).map((p) => parseDir(p, at, baseDir))
  },
  drainOnShutdown: {
    flag: 'drain-on-shutdown', fileKeys: ['drain-on-shutdown', 'drainOnShutdown'], repeatable: false, boolean: true,
    help: 'drain this node\'s daemons before leaving on SIGTERM/SIGINT',
    parse: (raw, at) => {
      if (typeof raw !== 'boolean') fail(at, 'must be true or false', raw)
      return raw
    }
  },
  flushMs: {
    flag: 'flush-ms', fileKeys: ['flush-ms', 'flushMs'], repeatable: false, help: `recorder flush interval, ${FLUSH_MS_MIN}..${FLUSH_MS_MAX} (default: 2000)`,
    parse: (raw, at) => requireIntegerIn(raw, at, FLUSH_MS_MIN, FLUSH_MS_MAX)
  },
  ...BRIDGE_SETTINGS
}

export function parseName (raw: unknown, at: Where): string {
  const name = requireString(raw, at)
  if (name.length === 0 || name.length > NAME_LENGTH_MAX || !NAME_RE.test(name)) {
    fail(at, `must be 1-${NAME_LENGTH_MAX} letters, digits, ".", "_" or "-", starting with a letter or digit`, raw)
  }
  return name
}

function parseDir (raw: unknown, at: Where, baseDir: string): string {
  const dir = requireString(raw, at)
  if (dir.length === 0 || dir.length > DATA_DIR_LENGTH_MAX || dir.includes('\0')) {
    fail(at, `must be a path of 1-${DATA_DIR_LENGTH_MAX} characters without NUL`, raw)
  }
  return resolve(baseDir, dir)
}

function parseMultiaddrs (raw: unknown, at: Where, max: number, min: number, check: (ma: Multiaddr, s: string, at: Where) => void): string[] {
  const list = requireStringList(raw, at, max)
  if (list.length < min) fail(at, `must list at least ${min} multiaddr`)
  return list.map((s) => {
    const ma = parseMultiaddr(s, at)
    check(ma, s, at)
    return ma.toString()
  })
}

function parseMultiaddr (s: string, at: Where): Multiaddr {
  const rule = 'must be a multiaddr such as /ip4/192.0.2.10/tcp/7400'
  if (s.length > MULTIADDR_LENGTH_MAX) fail(at, `${rule}, at most ${MULTIADDR_LENGTH_MAX} characters`, s)
  let ma: Multiaddr
  try {
    ma = multiaddr(s)
  } catch (err) {
    fail(at, `${rule} (${err instanceof Error ? err.message : String(err)})`, s)
  }
  if (ma.getComponents().length === 0) fail(at, rule, s)
  return ma
}

function requirePeerId (ma: Multiaddr, s: string, at: Where): void {
  if (ma.getPeerId() === null) fail(at, 'must end in /p2p/<peerId> with a valid peer id', s)
}

function parseHostPort (raw: unknown, at: Where): { host: string, port: number } {
  const s = requireString(raw, at)
  const rule = 'must be HOST:PORT with a port between 0 and 65535, IPv6 in brackets as [::1]:7401'
  let host: string
  let port: string
  if (s.startsWith('[')) {
    const end = s.indexOf(']')
    if (end === -1 || s[end + 1] !== ':') fail(at, rule, s)
    host = s.slice(1, end)
    port = s.slice(end + 2)
    if (isIP(host) !== 6) fail(at, `${rule}; brackets hold an IPv6 address`, s)
  } else {
    const colon = s.lastIndexOf(':')
    if (colon === -1) fail(at, rule, s)
    host = s.slice(0, colon)
    port = s.slice(colon + 1)
    if (host.includes(':')) fail(at, `${rule}; put an IPv6 address in brackets`, s)
    if (isIP(host) === 0 && (host.length > 253 || !HOSTNAME_RE.test(host))) fail(at, `${rule}; the host is not an IP address or hostname`, s)
  }
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) > 65535) fail(at, rule, s)
  return { host, port: Number(port) }
}

function parseCaps (raw: unknown, at: Where): Record<string, string> {
  const pairs = isPlainObject(raw) ? Object.entries(raw) : requireStringList(raw, at, CAPS_MAX).map((item) => splitPair(item, at))
  if (pairs.length > CAPS_MAX) fail(at, `must have at most ${CAPS_MAX} capabilities, got ${pairs.length}`)
  const caps: Record<string, string> = {}
  for (const [key, value] of pairs) {
    if (!CAP_KEY_RE.test(key)) fail(at, 'keys must be 1-63 lowercase letters, digits, "_", "." or "-", starting with a letter', key)
    if (Object.hasOwn(caps, key)) fail(at, `duplicate key "${key}"`)
    if (typeof value !== 'string') fail(at, `value of "${key}" must be a string (quote it in YAML)`, value)
    if (value.length > CAP_VALUE_LENGTH_MAX) fail(at, `value of "${key}" must be at most ${CAP_VALUE_LENGTH_MAX} characters, got ${value.length}`)
    caps[key] = value
  }
  return caps
}

function splitPair (item: string, at: Where): [string, string] {
  const eq = item.indexOf('=')
  if (eq === -1) fail(at, 'must be KEY=VALUE', item)
  return [item.slice(0, eq), item.slice(eq + 1)]
}
