/**
 * Typed errors of the host bridge. Match on `name` or the stable `code`.
 * The executor turns every one of them into a `denied` outcome with a reason;
 * they only escape from the builders and backends, to the executor.
 */

export abstract class BridgeError extends Error {
  abstract readonly code: string
}

/** A dataset, snapshot or container name broke a naming rule; nothing ran. */
export class InvalidNameError extends BridgeError {
  override readonly name = 'InvalidNameError'
  readonly code = 'INVALID_NAME'
}

/** The caller may not use this dataset on this host; nothing ran. */
export class NotAllowedError extends BridgeError {
  override readonly name = 'NotAllowedError'
  readonly code = 'NOT_ALLOWED'
}

/** A command ran and failed (non-zero exit, timeout, or could not start). */
export class CommandFailedError extends BridgeError {
  override readonly name = 'CommandFailedError'
  readonly code = 'COMMAND_FAILED'
  readonly result: CommandResultLike

  constructor (message: string, result: CommandResultLike, options?: ErrorOptions) {
    super(message, options)
    this.result = result
  }
}

/** The request is valid but the state forbids it (a newer snapshot exists, a name is taken). */
export class ConflictError extends BridgeError {
  override readonly name = 'ConflictError'
  readonly code = 'CONFLICT'
  readonly names: string[]

  constructor (message: string, names: string[] = [], options?: ErrorOptions) {
    super(message, options)
    this.names = names
  }
}

/** The executor has too much queued work. */
export class BusyError extends BridgeError {
  override readonly name = 'BusyError'
  readonly code = 'BUSY'
}

/** Configuration given to the executor breaks a rule; the message names the field. */
export class BridgeConfigError extends BridgeError {
  override readonly name = 'BridgeConfigError'
  readonly code = 'BAD_CONFIG'
}

/** The shape of a command result that errors carry (see runner.ts). */
export interface CommandResultLike {
  command: string[]
  exitCode: number | undefined
  stderr: string
  durationMs: number
  timedOut: boolean
}
