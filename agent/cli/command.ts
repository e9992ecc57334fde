/**
 * The shape of a `meshctl` command. Each command lives in its own file and is
 * listed once in `COMMANDS` (meshctl.ts); the runner gives every command
 * global flags, `--help` and `--json` output for free.
 */
import type { AgentClient } from './agent-client.js'
import type { FlagSpec, ParsedArgs } from './argv.js'

export interface CommandContext {
  /** Client for the agent's HTTP API, with the request deadline applied. */
  readonly agent: AgentClient
  /** The agent's base URL, for messages. */
  readonly agentUrl: string
  /** Parsed flags (global and the command's own) and positionals. */
  readonly args: ParsedArgs
  /** The environment (for `$MESH_ADMIN_KEY` and the like). */
  readonly env: NodeJS.ProcessEnv
  /** Whether `--json` was given. */
  readonly json: boolean
  /** Write output now (commands that stream, such as `events --follow`). */
  readonly print: (s: string) => void
  /** Aborted when the user interrupts (Ctrl-C): streaming commands end cleanly. */
  readonly signal?: AbortSignal
}

export interface CommandResult {
  /** Printed as JSON (2-space indent) under `--json`. */
  readonly data: unknown
  /** Printed otherwise; ends with a newline. */
  readonly text: string
  /**
   * An outcome that is not an error but not a success either (a pre-flight
   * that was not cleared exits 3 and still prints its result).
   * @default 0
   */
  readonly exitCode?: number
  /** The command printed its output itself (through `print`); the runner prints nothing more. */
  readonly streamed?: boolean
  /** Written to stderr after the output (a denied pre-flight's reason). */
  readonly stderr?: string
}

export interface Command {
  readonly name: string
  /** One line for `meshctl --help`. */
  readonly summary: string
  /** Synopsis without the global flags, e.g. `status`. */
  readonly synopsis: string
  /** The command's own flags; global flags are added by the runner. */
  readonly flags: readonly FlagSpec[]
  /** How many positional arguments the command takes. @default 0 */
  readonly positionalsMax?: number
  /** Deadline of each request to the agent, for commands that wait on slow work (a clone). @default the runner's */
  readonly timeoutMs?: number
  readonly run: (ctx: CommandContext) => Promise<CommandResult>
}
