/**
 * Typed failures of the store. Callers match on `name` or the stable `code`
 * (the CLI maps codes to exit codes and `--json`), never on message text.
 * Errors from `level` are wrapped here, at the boundary, and kept as `cause`.
 */

export type StoreErrorCode =
  | 'STORE_LOCKED'
  | 'STORE_OPEN_FAILED'
  | 'STORE_FORMAT_NEWER'
  | 'STORE_FORMAT_INVALID'
  | 'STORE_CORRUPT'
  | 'STORE_WRITE_FAILED'
  | 'STORE_READ_FAILED'
  | 'STORE_CLOSED'
  | 'STORE_CONFIG_INVALID'

export abstract class StoreError extends Error {
  abstract readonly code: StoreErrorCode
}

/** The database could not be opened; `code` says whether another process holds its lock. */
export class StoreOpenError extends StoreError {
  override readonly name = 'StoreOpenError'
  readonly code: 'STORE_LOCKED' | 'STORE_OPEN_FAILED'

  constructor (code: 'STORE_LOCKED' | 'STORE_OPEN_FAILED', message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** The stored layout version is newer than this code, or unreadable. The store is left untouched. */
export class StoreFormatError extends StoreError {
  override readonly name = 'StoreFormatError'
  readonly code: 'STORE_FORMAT_NEWER' | 'STORE_FORMAT_INVALID'

  constructor (code: 'STORE_FORMAT_NEWER' | 'STORE_FORMAT_INVALID', message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** A stored record does not decode. */
export class StoreCorruptError extends StoreError {
  override readonly name = 'StoreCorruptError'
  readonly code = 'STORE_CORRUPT'
}

/** A batch could not be written; its writes stay queued for the next flush. */
export class StoreWriteError extends StoreError {
  override readonly name = 'StoreWriteError'
  readonly code = 'STORE_WRITE_FAILED'
}

/** Reading the database failed. */
export class StoreReadError extends StoreError {
  override readonly name = 'StoreReadError'
  readonly code = 'STORE_READ_FAILED'
}

/** The store was used after `close()`. */
export class StoreClosedError extends StoreError {
  override readonly name = 'StoreClosedError'
  readonly code = 'STORE_CLOSED'
}

/** An option of `StoreInit` breaks its rule. */
export class StoreConfigError extends StoreError {
  override readonly name = 'StoreConfigError'
  readonly code = 'STORE_CONFIG_INVALID'
}
