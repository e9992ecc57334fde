/**
 * `meshctl`: talks to the local agent's HTTP API. This file is the runner:
 * global flags, command lookup, `--help`, `--json`, and the one place errors
 * become exit codes and messages. Commands live in their own files and are
 * listed in `COMMANDS`.
 *
 * Global flags may come before or after the command; a command's own flags
 * come after it.
 */
import { agentClient } from './agent-client.js'
import { recorderCommand } from './recorder.js'
import { flagValue, parseFlags } from './argv.js'
import type { FlagSpec } from './argv.js'
import type { Command } from './command.js'
import { AGENT_URL_DEFAULT, AGENT_URL_ENV, EXIT_OK } from './constants.js'
import { CliError, errorCodeOf, exitCodeOf, UsageError } from './errors.js'
import { statusCommand } from './status.js'
import { ADMIN_COMMANDS } from './admin.js'
import { eventsCommand } from './events.js'
import { keygenCommand } from './keygen.js'
import { whereCommand } from './where.js'
import { BRIDGE_COMMANDS } from './bridge.js'

export interface MeshctlIo {
  readonly env: NodeJS.ProcessEnv
  /** Receives whole chunks of output, each ending in a newline. */
  readonly stdout: (s: string) => void
  readonly stderr: (s: string) => void
  readonly fetch: typeof fetch
  /**
   * Deadline for each request to the agent.
   * @default REQUEST_TIMEOUT_MS_DEFAULT (5000)
   */
  readonly timeoutMs?: number
  /** Aborted on SIGINT/SIGTERM, so streaming commands stop cleanly. */
  readonly signal?: AbortSignal
}

export const COMMANDS: readonly Command[] = [statusCommand, recorderCommand, keygenCommand, ...ADMIN_COMMANDS, eventsCommand, whereCommand, ...BRIDGE_COMMANDS]

const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'agent', kind: 'string' },
  { name: 'json', kind: 'boolean' },
  { name: 'help', kind: 'boolean' }
]

export const MESHCTL_USAGE = [
  'usage: meshctl [--agent URL] [--json] <command> [flags]',
  '',
  'commands:',
  ...COMMANDS.map((c) => `  ${c.name.padEnd(12)}${c.summary}`),
  '',
  'global flags:',
  `  --agent URL   the agent's API (default: $${AGENT_URL_ENV}, else ${AGENT_URL_DEFAULT})`,
  '  --json        print JSON; errors as {"error": {"code", "message"}}',
  '  --help, -h    print help; `meshctl <command> --help` for a command',
  ''
].join('\n')

/** Runs one meshctl invocation and returns its exit code: 0 ok, 1 error, 2 usage, 3 denied. */
export async function runMeshctl (argv: string[], io: MeshctlIo): Promise<number> {
  const json = wantsJson(argv)
  let usage = MESHCTL_USAGE
  try {
    const { command, rest } = splitCommand(argv)
    if (command === undefined) {
      const args = parseFlags(rest, GLOBAL_FLAGS)
      if (args.booleans.has('help')) return print(io, MESHCTL_USAGE)
      throw new UsageError('missing command')
    }
    const cmd = COMMANDS.find((c) => c.name === command)
    if (cmd === undefined) throw new UsageError(`unknown command "${command}"`)
    usage = commandUsage(cmd)
    const args = parseFlags(rest, [...GLOBAL_FLAGS, ...cmd.flags])
    if (args.booleans.has('help')) return print(io, usage)
    const extra = args.positionals[cmd.positionalsMax ?? 0]
    if (extra !== undefined) throw new UsageError(`${cmd.name}: unexpected argument "${extra}"`)
    const agentUrl = resolveAgentUrl(flagValue(args, 'agent'), io.env)
    const agent = agentClient({ baseUrl: agentUrl, fetch: io.fetch, timeoutMs: cmd.timeoutMs ?? io.timeoutMs })
    const result = await cmd.run({ agent, agentUrl, args, env: io.env, json, print: io.stdout, signal: io.signal })
    if (result.streamed !== true) print(io, json ? `${JSON.stringify(result.data, null, 2)}\n` : result.text)
    if (result.stderr !== undefined) io.stderr(result.stderr)
    return result.exitCode ?? EXIT_OK
  } catch (err) {
    return report(err, json, usage, io)
  }
}

function print (io: MeshctlIo, text: string): number {
  io.stdout(text)
  return EXIT_OK
}

/** Decided before parsing, so that even a usage error is reported as JSON when `--json` was asked for. */
function wantsJson (argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json')
}

/** The first positional is the command; values of global string flags before it are skipped. */
function splitCommand (argv: readonly string[]): { command: string | undefined, rest: string[] } {
  const valued = new Set(GLOBAL_FLAGS.filter((f) => f.kind === 'string').map((f) => `--${f.name}`))
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string
    if (token === '--') break
    if (token.startsWith('-') && token !== '-') {
      if (valued.has(token)) i++
      continue
    }
    return { command: token, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] }
  }
  return { command: undefined, rest: [...argv] }
}

function commandUsage (cmd: Command): string {
  const own = cmd.flags.map((f) => ` [--${f.name}${f.kind === 'string' ? ' VALUE' : ''}]`).join('')
  return `usage: meshctl [--agent URL] [--json] ${cmd.synopsis}${own}\n\n  ${cmd.summary}\n`
}

/** `--agent`, else `MESH_AGENT`, else the default; an http(s) URL without query or fragment, returned without a trailing slash. */
export function resolveAgentUrl (fromFlag: string | undefined, env: NodeJS.ProcessEnv): string {
  const fromEnv = env[AGENT_URL_ENV]
  const [label, raw] = fromFlag !== undefined
    ? ['--agent', fromFlag]
    : fromEnv !== undefined && fromEnv !== '' ? [AGENT_URL_ENV, fromEnv] : ['default', AGENT_URL_DEFAULT]
  let url: URL | undefined
  try {
    url = new URL(raw)
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw new UsageError(`${label}: must be an http:// or https:// URL such as ${AGENT_URL_DEFAULT}, got ${JSON.stringify(raw)}`)
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

function report (err: unknown, json: boolean, usage: string, io: MeshctlIo): number {
  const message = err instanceof CliError ? err.message : `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`
  const code = errorCodeOf(err)
  if (json) io.stdout(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`)
  io.stderr(`meshctl: ${message}\n`)
  if (err instanceof UsageError) io.stderr(`\n${usage}`)
  return exitCodeOf(err)
}
