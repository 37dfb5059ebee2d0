import { findErrorBy } from '@platformatic/kafka'
import { isKafkaLoopError, KafkaErrorCode, KafkaLoopError } from './errors.ts'

/** Broker answers meaning this producer's epoch is over: another instance took the transactional id. */
const FENCED = ['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING']

/** Broker answers meaning the group moved on; the batch is redone under the new generation. */
const REBALANCED = ['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'MEMBER_ID_REQUIRED']

/** Broker answers no retry can fix: configuration, permissions, versions, a duplicate static member. */
const FATAL = [
  'FENCED_INSTANCE_ID',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
  'INVALID_TRANSACTION_TIMEOUT',
  'UNSUPPORTED_VERSION',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'INVALID_GROUP_ID',
]

/** Client error codes no retry can fix. */
const FATAL_CODES = ['PLT_KFK_AUTHENTICATION', 'PLT_KFK_UNSUPPORTED_API', 'PLT_KFK_UNSUPPORTED']

/**
 * Maps an error of @platformatic/kafka (often a tree of nested errors) to a `KafkaLoopError`.
 * Fencing is looked for first: a fenced producer must stop even when the same response also says
 * "rebalance". Anything unrecognized is treated as transient, because the loop's retry path
 * (abort, rewind to committed offsets) is safe for any error.
 */
export function classifyKafkaError(error: unknown, operation: string): KafkaLoopError {
  if (isKafkaLoopError(error)) return error
  const cause = error instanceof Error ? error : new Error(String(error))
  const message = `${operation}: ${describe(cause)}`
  const has = (ids: readonly string[]): boolean => ids.some((id) => findErrorBy(cause, 'apiId', id) !== null)
  if (has(FENCED)) return new KafkaLoopError(KafkaErrorCode.PRODUCER_FENCED, message, { cause })
  if (has(FATAL) || FATAL_CODES.some((code) => findErrorBy(cause, 'code', code) !== null)) {
    return new KafkaLoopError(KafkaErrorCode.FATAL, message, { cause })
  }
  if (has(REBALANCED) || findErrorBy(cause, 'needsRejoin', true) !== null) {
    return new KafkaLoopError(KafkaErrorCode.REBALANCED, message, { cause })
  }
  return new KafkaLoopError(KafkaErrorCode.TRANSIENT, message, { cause })
}

/** True when the error (or one nested in it) carries the broker error `apiId`. */
export function hasKafkaError(error: unknown, apiId: string): boolean {
  return error instanceof Error && findErrorBy(error, 'apiId', apiId) !== null
}

/** The message plus the broker error ids nested in it, which the top message often hides. */
function describe(error: Error): string {
  const ids = new Set<string>()
  collectIds(error, ids, 0)
  return ids.size === 0 ? error.message : `${error.message} [${[...ids].join(', ')}]`
}

function collectIds(error: unknown, ids: Set<string>, depth: number): void {
  if (depth > 5 || typeof error !== 'object' || error === null) return
  const { apiId, errors, cause } = error as { apiId?: unknown; errors?: unknown; cause?: unknown }
  if (typeof apiId === 'string') ids.add(apiId)
  if (Array.isArray(errors)) for (const nested of errors) collectIds(nested, ids, depth + 1)
  collectIds(cause, ids, depth + 1)
}
