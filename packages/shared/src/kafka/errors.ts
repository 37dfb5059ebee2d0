/**
 * Errors of the Kafka layer. Each has a stable `code` for logs, metrics and alerts, and `canRetry`,
 * which says how the loop reacts: retriable errors abort the open transaction, rewind to the last
 * committed offsets and try again after a backoff; the others stop the loop (the process exits and
 * its supervisor restarts it).
 */
export const KafkaErrorCode = {
  /**
   * A newer producer with the same transactional id exists, or the coordinator aborted a transaction
   * that outlived the transaction timeout. Operator: make sure INSTANCE_ID is unique per replica and
   * that a batch is transformed well within the transaction timeout; the process must restart.
   */
  PRODUCER_FENCED: 'KAFKA_PRODUCER_FENCED',
  /** The consumer group moved to a new generation; the batch is redone by whoever owns it now. */
  REBALANCED: 'KAFKA_REBALANCED',
  /** Network, timeout, coordinator moving or loading: retried with backoff. */
  TRANSIENT: 'KAFKA_TRANSIENT',
  /** Authentication, authorization, unsupported broker or bad configuration: fix and restart. */
  FATAL: 'KAFKA_FATAL',
  /** The user transform threw; retried unless the thrown error says `canRetry: false`. */
  TRANSFORM_FAILED: 'KAFKA_TRANSFORM_FAILED',
  /** Options given to the Kafka layer are invalid. */
  INVALID_OPTIONS: 'KAFKA_INVALID_OPTIONS',
  /** The loop was stopped before the batch could commit; the batch was aborted and is redone later. */
  STOPPED: 'KAFKA_LOOP_STOPPED',
} as const

/** One of the `KafkaErrorCode` values. */
export type KafkaErrorCode = (typeof KafkaErrorCode)[keyof typeof KafkaErrorCode]

/** An infrastructure error of the Kafka layer. */
export class KafkaLoopError extends Error {
  readonly code: KafkaErrorCode
  readonly canRetry: boolean

  constructor(code: KafkaErrorCode, message: string, options: { cause?: unknown; canRetry?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'KafkaLoopError'
    this.code = code
    this.canRetry = options.canRetry ?? defaultCanRetry(code)
  }
}

function defaultCanRetry(code: KafkaErrorCode): boolean {
  return (
    code === KafkaErrorCode.REBALANCED ||
    code === KafkaErrorCode.TRANSIENT ||
    code === KafkaErrorCode.TRANSFORM_FAILED
  )
}

/** True for errors of this layer. */
export function isKafkaLoopError(error: unknown): error is KafkaLoopError {
  return error instanceof KafkaLoopError
}

/**
 * Wraps an error thrown by the user transform. An error that carries `canRetry: false` (a bug the
 * transform knows it cannot get past) stops the loop; anything else is retried.
 */
export function transformError(error: unknown): KafkaLoopError {
  if (isKafkaLoopError(error)) return error
  const canRetry = (error as { canRetry?: unknown } | null)?.canRetry !== false
  const message = error instanceof Error ? error.message : String(error)
  return new KafkaLoopError(KafkaErrorCode.TRANSFORM_FAILED, `transform failed: ${message}`, {
    cause: error,
    canRetry,
  })
}

/** Any error as a `KafkaLoopError`: this layer's own pass through, others become TRANSIENT or FATAL. */
export function asKafkaLoopError(error: unknown, canRetry: boolean): KafkaLoopError {
  if (isKafkaLoopError(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  const code = canRetry ? KafkaErrorCode.TRANSIENT : KafkaErrorCode.FATAL
  return new KafkaLoopError(code, `unexpected error: ${message}`, { cause: error, canRetry })
}

/**
 * Settles like `promise`, or rejects with STOPPED as soon as `signal` aborts: a client call that never
 * answers (the client hangs on a deleted topic, for one) must not keep a stopping process alive.
 */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) return Promise.reject(stopped(what))
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(stopped(what))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

function stopped(what: string): KafkaLoopError {
  return new KafkaLoopError(KafkaErrorCode.STOPPED, `stopping: gave up waiting for ${what}`, {
    canRetry: true,
  })
}
