/** Stable codes of {@link RegistryError}; dashboards and retry policies match on them. */
export const RegistryErrorCode = {
  /** Network failure, timeout or 5xx: the registry may answer later, so retry instead of dead-lettering. */
  REGISTRY_UNAVAILABLE: 'REGISTRY_UNAVAILABLE',
  /** No schema has this id. For a consumer the message is bad data (`UNKNOWN_SCHEMA_ID`). */
  SCHEMA_NOT_FOUND: 'SCHEMA_NOT_FOUND',
  /** The subject (or the requested version of it) does not exist. */
  SUBJECT_NOT_FOUND: 'SUBJECT_NOT_FOUND',
  /** The schema breaks the subject's compatibility rule: fix the schema, not the registry. */
  INCOMPATIBLE_SCHEMA: 'INCOMPATIBLE_SCHEMA',
  /** The registry could not parse the schema. */
  INVALID_SCHEMA: 'INVALID_SCHEMA',
  /** 401/403: check the credentials given to the client. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** Any other 4xx, or a response that is not what the Confluent API promises. */
  REQUEST_FAILED: 'REQUEST_FAILED',
} as const

export type RegistryErrorCode = (typeof RegistryErrorCode)[keyof typeof RegistryErrorCode]

/** Details that come with a {@link RegistryError}. */
export interface RegistryErrorOptions {
  /** HTTP status, when the registry answered. */
  readonly status?: number
  /** Confluent `error_code` from the response body (e.g. 40403), when present. */
  readonly registryCode?: number
  readonly cause?: unknown
}

/**
 * An infrastructure failure talking to the schema registry. Thrown (never returned) so that a
 * consumer retries or stops instead of sending good data to the dead-letter queue.
 */
export class RegistryError extends Error {
  override readonly name = 'RegistryError'
  readonly code: RegistryErrorCode
  /** True when the same call may succeed later without any change (outage, overload, timeout). */
  readonly canRetry: boolean
  readonly status: number | undefined
  readonly registryCode: number | undefined

  constructor(code: RegistryErrorCode, message: string, options: RegistryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.canRetry = code === RegistryErrorCode.REGISTRY_UNAVAILABLE
    this.status = options.status
    this.registryCode = options.registryCode
  }
}

/** True for a {@link RegistryError} with the given code. */
export function isRegistryError(error: unknown, code?: RegistryErrorCode): error is RegistryError {
  return error instanceof RegistryError && (code === undefined || error.code === code)
}
