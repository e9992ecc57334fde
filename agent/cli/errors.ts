/**
 * Errors of the command-line layer. Each kind has a `name` (match on it, not
 * on message text) and a stable `code` that `exitCodeOf` maps to an exit code
 * and `meshctl --json` prints as `{"error": {"code", "message"}}`.
 */
import { EXIT_DENIED, EXIT_ERROR, EXIT_USAGE } from './constants.js'

/** Base of the errors below; anything else that reaches the top is a bug and reports `INTERNAL`. */
export abstract class CliError extends Error {
  abstract readonly code: string
}

/** A flag, config key or command the user got wrong; exit code 2. */
export class UsageError extends CliError {
  override name = 'UsageError'
  readonly code = 'USAGE'
}

/** The agent's API could not be reached (refused, reset, DNS, ...). The network error is the `cause`. */
export class AgentUnreachableError extends CliError {
  override name = 'AgentUnreachableError'
  readonly code = 'AGENT_UNREACHABLE'
}

/** The agent did not answer within the request deadline. */
export class AgentTimeoutError extends CliError {
  override name = 'AgentTimeoutError'
  readonly code = 'AGENT_TIMEOUT'
}

/** The agent answered with an HTTP error status. */
export class AgentHttpError extends CliError {
  override name = 'AgentHttpError'
  readonly code = 'AGENT_HTTP'
  readonly status: number

  constructor (message: string, status: number, options?: ErrorOptions) {
    super(message, options)
    this.status = status
  }
}

/** The agent answered, but not with what this meshctl understands (not JSON, wrong shape, too large). */
export class BadResponseError extends CliError {
  override name = 'BadResponseError'
  readonly code = 'BAD_RESPONSE'
}

/** The stable code of any error. */
export function errorCodeOf (err: unknown): string {
  return err instanceof CliError ? err.code : 'INTERNAL'
}

/** The one mapping from error codes to process exit codes. */
export function exitCodeOf (err: unknown): number {
  switch (errorCodeOf(err)) {
    case 'USAGE': return EXIT_USAGE
    case 'DENIED': return EXIT_DENIED
    default: return EXIT_ERROR
  }
}
