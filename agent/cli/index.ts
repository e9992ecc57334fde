/**
 * The command-line layer of hauki-mesh: parsing and validating
 * `mesh-agent run` settings, and the `meshctl` commands. It parses,
 * validates, talks to the agent's HTTP API and renders; starting an agent is
 * the runtime's job.
 *
 * ```ts
 * import { readFileSync } from 'node:fs'
 * import { AGENT_RUN_USAGE, exitCodeOf, parseAgentArgs, wantsHelp } from '../cli/index.js'
 *
 * const argv = process.argv.slice(3) // after `mesh-agent run`
 * if (wantsHelp(argv)) process.stdout.write(AGENT_RUN_USAGE)
 * else {
 *   try {
 *     const config = await parseAgentArgs(argv, process.env, (p) => readFileSync(p, 'utf8'))
 *     // start the agent with config ...
 *   } catch (err) {
 *     process.stderr.write(`mesh-agent: ${(err as Error).message}\n`)
 *     process.exitCode = exitCodeOf(err) // 2 for a UsageError
 *   }
 * }
 * ```
 */
export { AGENT_RUN_USAGE, parseAgentArgs, wantsHelp } from './agent-config.js'
export type { AgentConfig } from './agent-config.js'
export { agentClient } from './agent-client.js'
export type { AgentClient, AgentClientInit } from './agent-client.js'
export type { Command, CommandContext, CommandResult } from './command.js'
export * as constants from './constants.js'
export { AgentHttpError, AgentTimeoutError, AgentUnreachableError, BadResponseError, CliError, errorCodeOf, exitCodeOf, UsageError } from './errors.js'
export { COMMANDS, MESHCTL_USAGE, resolveAgentUrl, runMeshctl } from './meshctl.js'
export type { MeshctlIo } from './meshctl.js'
export { checkStatus, renderStatus } from './status.js'
export type { StatusMember, StatusResponse } from './status.js'
