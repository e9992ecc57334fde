/**
 * `mesh-agent run` flags and config file -> a validated `AgentConfig`.
 *
 * Precedence: flags, then the config file (`--config FILE`, or the file named
 * by `MESH_CONFIG`), then defaults. Repeatable list flags (`--listen`,
 * `--bootstrap`) replace the file's list as a whole; `--cap` entries are merged
 * into the file's capabilities key by key, flags winning. Every value is
 * validated, including file values a flag overrides, so a broken file is
 * reported even while a flag papers over it.
 */
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { flagValue, parseFlags } from './argv.js'
import type { FlagSpec, ParsedArgs } from './argv.js'
import { parseName, SETTINGS } from './agent-settings.js'
import type { LOG_LEVELS, ROLES, Setting } from './agent-settings.js'
import { loadConfigFile } from './config-file.js'
import { KEEP_PREFLIGHT_DEFAULT, LXC_PATH_DEFAULT } from './bridge-settings.js'
import { HEARTBEAT_MESH_RATE_PER_S_DEFAULT } from '../core/constants.js'
import type { BridgeConfig } from './bridge-settings.js'
import type { ConfigFile } from './config-file.js'
import {
  API_HOST_DEFAULT, API_PORT_DEFAULT, CONFIG_ENV, DATA_DIR_PARENT_DEFAULT, HEARTBEAT_MS_DEFAULT, LISTEN_DEFAULT,
  FLUSH_MS_DEFAULT, LOG_LEVEL_DEFAULT, ROLE_DEFAULT
} from './constants.js'
import { UsageError } from './errors.js'
import { parseKeyFile } from '../core/index.js'

export interface AgentConfig extends BridgeConfig {
  /** Node name, unique in the mesh. */
  name: string
  /** Absolute path of the agent's data directory. */
  dataDir: string
  /** libp2p listen multiaddrs. */
  listen: string[]
  /** Multiaddrs, each with `/p2p/<peerId>`, of peers to join through. */
  bootstrap: string[]
  /** Where the local HTTP API listens; port 0 picks an ephemeral port. `host` carries no IPv6 brackets. */
  api: { host: string, port: number }
  role: typeof ROLES[number]
  /** Base heartbeat interval; the core stretches it as the mesh grows. */
  heartbeatMs: number
  /** Heartbeats per second the whole mesh may publish: each node beats every N / rate seconds. */
  heartbeatMeshRate: number
  /** Capabilities this node advertises. */
  caps: Record<string, string>
  logLevel: typeof LOG_LEVELS[number]
  /** Absolute path of the meshfs flight recorder folder, or null for none. */
  recorder: string | null
  /** Recorder flushes happen at most this often. */
  flushMs: number
  /**
   * Trusted admin public keys (hex). The setting names key files; parsing
   * reads them, so a missing or malformed file is a usage error naming it.
   */
  adminKeys: string[]
  /** Drain this node's daemons before leaving on SIGTERM/SIGINT. */
  drainOnShutdown: boolean
}

const SETTING_KEYS = Object.keys(SETTINGS) as Array<keyof AgentConfig>

const AGENT_FLAGS: readonly FlagSpec[] = [
  ...SETTING_KEYS.map((k): FlagSpec => ({ name: SETTINGS[k].flag, kind: SETTINGS[k].boolean === true ? 'boolean' : 'string', repeatable: SETTINGS[k].repeatable })),
  { name: 'config', kind: 'string' },
  { name: 'help', kind: 'boolean' }
]

export const AGENT_RUN_USAGE = [
  'usage: mesh-agent run [flags]',
  '',
  'flags:',
  ...SETTING_KEYS.map((k) => `  --${SETTINGS[k].flag.padEnd(14)}${SETTINGS[k].help}`),
  `  --${'config'.padEnd(14)}JSON or YAML file with the same settings (default: $${CONFIG_ENV}); flags win`,
  `  --${'help'.padEnd(14)}print this text`,
  ''
].join('\n')

/** True when argv asks for help; print `AGENT_RUN_USAGE` and exit 0 instead of parsing. */
export function wantsHelp (argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h')
}

/**
 * @param argv - the arguments after `mesh-agent run` (a leading `run` is skipped too)
 * @param env - read for `MESH_CONFIG` only
 * @param readFile - reads the config file as UTF-8 text
 * @throws UsageError naming the flag or config key and the rule it broke (the promise rejects with it)
 */
export async function parseAgentArgs (argv: string[], env: NodeJS.ProcessEnv, readFile: (path: string) => string): Promise<AgentConfig> {
  const args = parseFlags(argv[0] === 'run' ? argv.slice(1) : argv, AGENT_FLAGS)
  if (args.booleans.has('help')) throw new UsageError(AGENT_RUN_USAGE.trimEnd())
  const [extra] = args.positionals
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}": mesh-agent run takes only flags`)
  const file = await configFile(args, env, readFile)
  checkFileKeys(file)
  const cwd = process.cwd()
  const pick = <K extends keyof AgentConfig>(key: K): Layers<AgentConfig[K]> => layers(SETTINGS[key], args, file, cwd)

  const name = winner(pick('name')) ?? defaultName()
  const caps = pick('caps')
  return {
    name,
    dataDir: winner(pick('dataDir')) ?? resolve(cwd, join(DATA_DIR_PARENT_DEFAULT, name)),
    listen: winner(pick('listen')) ?? [...LISTEN_DEFAULT],
    bootstrap: winner(pick('bootstrap')) ?? [],
    api: winner(pick('api')) ?? { host: API_HOST_DEFAULT, port: API_PORT_DEFAULT },
    role: winner(pick('role')) ?? ROLE_DEFAULT,
    heartbeatMs: winner(pick('heartbeatMs')) ?? HEARTBEAT_MS_DEFAULT,
    heartbeatMeshRate: winner(pick('heartbeatMeshRate')) ?? HEARTBEAT_MESH_RATE_PER_S_DEFAULT,
    caps: { ...caps.file, ...caps.flag },
    logLevel: winner(pick('logLevel')) ?? LOG_LEVEL_DEFAULT,
    recorder: winner(pick('recorder')) ?? null,
    flushMs: winner(pick('flushMs')) ?? FLUSH_MS_DEFAULT,
    adminKeys: readAdminKeyFiles(winner(pick('adminKeys')) ?? [], readFile),
    drainOnShutdown: winner(pick('drainOnShutdown')) ?? false,
    zfsAllow: winner(pick('zfsAllow')) ?? [],
    snapshotBackend: winner(pick('snapshotBackend')) ?? 'zfs',
    lxcPath: winner(pick('lxcPath')) ?? LXC_PATH_DEFAULT,
    keepPreflight: winner(pick('keepPreflight')) ?? KEEP_PREFLIGHT_DEFAULT
  }
}

/** Read `--admin-key` files: each must hold a public key (a secret key is refused: agents never need one). */
function readAdminKeyFiles (files: readonly string[], readFile: (path: string) => string): string[] {
  return files.map((file) => {
    let text: string
    try {
      text = readFile(file)
    } catch (err) {
      throw new UsageError(`--admin-key: cannot read ${file}: ${(err as Error).message}`)
    }
    const parsed = parseKeyFile(text)
    if (!parsed.ok) throw new UsageError(`--admin-key: ${file}: ${parsed.reason}`)
    if (parsed.key.kind === 'secret') throw new UsageError(`--admin-key: ${file} holds a SECRET key; give the agent the public key file (${file}.pub from meshctl keygen)`)
    return parsed.key.publicKey
  })
}

/** A setting's validated value from each source that gave one. */
interface Layers<T> { flag: T | undefined, file: T | undefined }

function layers<T> (setting: Setting<T>, args: ParsedArgs, file: ConfigFile | undefined, cwd: string): Layers<T> {
  const given = setting.boolean === true ? (args.booleans.has(setting.flag) ? [true] : undefined) : args.strings.get(setting.flag)
  const flagRaw = given === undefined ? undefined : setting.repeatable ? given : given[0]
  const flag = flagRaw === undefined ? undefined : setting.parse(flagRaw, { kind: 'flag', flag: setting.flag }, cwd)
  if (file === undefined) return { flag, file: undefined }
  const keys = setting.fileKeys.filter((k) => Object.hasOwn(file.values, k))
  if (keys.length > 1) {
    throw new UsageError(`config keys ${keys.map((k) => `"${k}"`).join(' and ')} (in ${file.file}) set the same setting; keep one`)
  }
  const [key] = keys
  if (key === undefined) return { flag, file: undefined }
  return { flag, file: setting.parse(file.values[key], { kind: 'file', key, file: file.file }, file.dir) }
}

function winner<T> (l: Layers<T>): T | undefined {
  return l.flag ?? l.file
}

async function configFile (args: ParsedArgs, env: NodeJS.ProcessEnv, readFile: (path: string) => string): Promise<ConfigFile | undefined> {
  const fromFlag = flagValue(args, 'config')
  if (fromFlag !== undefined) {
    if (fromFlag === '') throw new UsageError('--config: must be a file path, got ""')
    return await loadConfigFile(fromFlag, readFile, '--config')
  }
  const fromEnv = env[CONFIG_ENV]
  return fromEnv === undefined || fromEnv === '' ? undefined : await loadConfigFile(fromEnv, readFile, CONFIG_ENV)
}

function checkFileKeys (file: ConfigFile | undefined): void {
  if (file === undefined) return
  const known = SETTING_KEYS.flatMap((k) => SETTINGS[k].fileKeys)
  for (const key of Object.keys(file.values)) {
    if (!known.includes(key)) {
      throw new UsageError(`config key "${key}" (in ${file.file}): unknown key; known keys are ${known.join(', ')}`)
    }
  }
}

/** The hostname is only a default: a hostname the mesh cannot use as a name asks for `--name`. */
function defaultName (): string {
  const host = hostname()
  try {
    return parseName(host, { kind: 'flag', flag: 'name' })
  } catch {
    throw new UsageError(`--name: not given, and the hostname "${host}" is not a valid node name; pass --name`)
  }
}
