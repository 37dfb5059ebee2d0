/** Stable codes of the errors this library throws; callers branch on `code`, never on messages. */
export type ParquetErrorCode =
  /** A value does not fit its column (a null in a required column, a string in a long column, …). */
  | 'INVALID_ARGUMENT'
  /** This runtime lacks something the call needs (ZSTD in `node:zlib`). */
  | 'UNSUPPORTED'

/**
 * Base of every error thrown by `@healthstream/parquet`: a stable `code`, `canRetry` (always false:
 * writing the same rows again fails the same way) and the `cause`. A bad value is the caller's data,
 * so callers that must not stop on it catch this error around the row and route the row aside.
 */
export class ParquetError extends Error {
  readonly code: ParquetErrorCode
  readonly canRetry = false

  constructor(code: ParquetErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ParquetError'
    this.code = code
  }
}

/** True when `err` is a ParquetError with the given code (any code when none is given). */
export function isParquetError(err: unknown, code?: ParquetErrorCode): err is ParquetError {
  return err instanceof ParquetError && (code === undefined || err.code === code)
}
