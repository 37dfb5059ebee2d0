/** Stable codes of the errors this library throws; callers branch on `code`, never on messages. */
export type IcebergErrorCode =
  | 'COMMIT_CONFLICT'
  | 'COMMIT_STATE_UNKNOWN'
  | 'NO_SUCH_TABLE'
  | 'NO_SUCH_NAMESPACE'
  | 'ALREADY_EXISTS'
  | 'NAMESPACE_NOT_EMPTY'
  | 'INVALID_METADATA'
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED'
  | 'OBJECT_EXISTS'
  | 'OBJECT_NOT_FOUND'
  | 'STORAGE_ERROR'
  | 'CATALOG_ERROR'
  | 'AUTH_ERROR'
  | 'ENCODER_FAILED'
  | 'UNAPPLIED_DELETES'

/** Options shared by all errors of this library. */
export interface IcebergErrorOptions {
  /** True when doing the same thing again (after re-reading state) may succeed. */
  canRetry?: boolean
  cause?: unknown
}

/** Base of every error thrown by `@healthstream/iceberg`: a stable `code`, `canRetry`, and the `cause`. */
export class IcebergError extends Error {
  readonly code: IcebergErrorCode
  readonly canRetry: boolean

  constructor(code: IcebergErrorCode, message: string, options: IcebergErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'IcebergError'
    this.code = code
    this.canRetry = options.canRetry ?? false
  }
}

/**
 * The catalog refused a commit because the table changed since it was read (a requirement failed
 * or the compare-and-swap on the metadata location lost). Re-load the table, re-apply the change,
 * and commit again.
 */
export class CommitConflictError extends IcebergError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('COMMIT_CONFLICT', message, { canRetry: true, cause: options.cause })
    this.name = 'CommitConflictError'
  }
}

/**
 * The catalog did not answer whether a commit landed (timeout, 5xx). Do NOT blindly retry:
 * re-load the table and check whether the snapshot is there (e.g. by a summary property).
 */
export class CommitStateUnknownError extends IcebergError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('COMMIT_STATE_UNKNOWN', message, { canRetry: false, cause: options.cause })
    this.name = 'CommitStateUnknownError'
  }
}

/** True when `err` is an IcebergError with the given code. */
export function isIcebergError(err: unknown, code?: IcebergErrorCode): err is IcebergError {
  return err instanceof IcebergError && (code === undefined || err.code === code)
}
