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
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
  'INVALID_TRANSACTION_TIMEOUT',
  'UNSUPPORTED_VERSION',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'INVALID_GROUP_ID',
]

/**
 * Node's codes for a broker certificate that does not verify (the CA, the name, the dates): a
 * configuration no retry fixes; the files are read at start, so fix and restart.
 */
export const CERTIFICATE_FAILURES: readonly string[] = [
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]

/**
 * Error codes no retry can fix: the client's, and the certificate failures. Not PLT_KFK_AUTHENTICATION:
 * the client wraps any failed SASL round trip in it, a reset socket too (see `refusedAuthentication`).
 */
const FATAL_CODES = ['PLT_KFK_UNSUPPORTED_API', 'PLT_KFK_UNSUPPORTED', ...CERTIFICATE_FAILURES]

/**
 * Maps an error of @platformatic/kafka (often a tree of nested errors) to a `KafkaLoopError`.
 * Fencing is looked for first: a fenced producer must stop even when the same response also says
 * "rebalance". Anything unrecognized is treated as transient, because the loop's retry path
 * (abort, rewind to committed offsets) is safe for any error.
 */
export function classifyKafkaError(error: unknown, operation: string): KafkaLoopError {
  if (isKafkaLoopError(error)) return error
  const cause = error instanceof Error ? error : new Error(String(error))
  const tree = errorTree(cause)
  const message = `${operation}: ${describe(cause, tree)}`
  const has = (field: 'apiId' | 'code', values: readonly string[]): boolean =>
    tree.some((e) => values.includes(e[field] as string))
  if (has('apiId', FENCED)) return new KafkaLoopError(KafkaErrorCode.PRODUCER_FENCED, message, { cause })
  if (has('apiId', FATAL) || has('code', FATAL_CODES) || tree.some(refusedAuthentication)) {
    return new KafkaLoopError(KafkaErrorCode.FATAL, message, { cause })
  }
  if (has('apiId', REBALANCED) || tree.some((e) => e.needsRejoin === true)) {
    return new KafkaLoopError(KafkaErrorCode.REBALANCED, message, { cause })
  }
  return new KafkaLoopError(KafkaErrorCode.TRANSIENT, message, { cause })
}

/** True when the error (or one nested in it) carries the broker error `apiId`. */
export function hasKafkaError(error: unknown, apiId: string): boolean {
  return errorTree(error).some((e) => e.apiId === apiId)
}

/**
 * True when the error or one nested in it (through `errors` and `cause`, whatever its class) carries
 * the code `code`.
 */
export function hasErrorCode(error: unknown, code: string): boolean {
  return errorTree(error).some((e) => e.code === code)
}

type Node = Record<string, unknown>

/**
 * True for an AuthenticationError the client raised on its own, without a cause: a SCRAM exchange it
 * refused to finish (server signature, nonce, iterations), a credential provider's bad value. The
 * client also wraps every failed SASL round trip in AuthenticationError — a socket reset by a broker
 * restarting (NetworkError, ECONNRESET, EPIPE …), a request timeout (TimeoutError) — so one with a
 * cause is fatal only when the cause is the broker's refusal, which `FATAL` finds by its id; any
 * other is transient.
 */
function refusedAuthentication(node: Node): boolean {
  return node.code === 'PLT_KFK_AUTHENTICATION' && node.cause === undefined
}

/**
 * The error and every error nested in it, through `errors` (the client's MultipleErrors, a response's
 * errors) and `cause` (a NetworkError caused by a failed authentication or certificate check).
 */
function errorTree(error: unknown, depth = 0, out: Node[] = []): Node[] {
  if (depth > 10 || typeof error !== 'object' || error === null || out.includes(error as Node)) return out
  out.push(error as Node)
  const { errors, cause } = error as { errors?: unknown; cause?: unknown }
  if (Array.isArray(errors)) for (const nested of errors) errorTree(nested, depth + 1, out)
  errorTree(cause, depth + 1, out)
  return out
}

/**
 * The message plus what the top message often hides: the broker error ids nested in it and Node's
 * codes (ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN …), the client's own codes left out.
 */
function describe(error: Error, tree: readonly Node[]): string {
  const ids = new Set<string>()
  for (const e of tree) {
    if (typeof e.apiId === 'string') ids.add(e.apiId)
    else if (typeof e.code === 'string' && !/^(PLT_KFK|KAFKA)_/.test(e.code)) ids.add(e.code)
  }
  return ids.size === 0 ? error.message : `${error.message} [${[...ids].join(', ')}]`
}
