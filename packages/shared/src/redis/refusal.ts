/**
 * Telling a Redis that refuses this service (wrong password, a command or key outside its ACL, a
 * certificate that is not trusted) from a Redis that is away for a moment, and keeping the password
 * out of what is logged about it.
 */

/** Why Redis will not serve this client; waiting and retrying will not change it. */
export type RefusalKind = 'credentials' | 'permission' | 'tls'

/** A refusal and Redis's (or TLS's) own words for it. */
export interface RedisRefusal {
  readonly kind: RefusalKind
  readonly detail: string
}

// Node's names for a certificate the client does not trust, and OpenSSL's (ERR_SSL_*) for a failed
// handshake: the server wants a client certificate, or does not speak TLS on that port.
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/** The error, what caused it, and a cluster's last node error ("Failed to refresh slots cache"). */
function* chain(error: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>()
  const pending = [error]
  while (pending.length > 0) {
    const e = pending.pop()
    if (typeof e !== 'object' || e === null || seen.has(e)) continue
    seen.add(e)
    yield e as Record<string, unknown>
    pending.push((e as { cause?: unknown }).cause, (e as { lastNodeError?: unknown }).lastNodeError)
  }
}

/** The refusal in `error` (or in its causes), if it is one; `undefined` for anything retrying may heal. */
export function redisRefusal(error: unknown): RedisRefusal | undefined {
  for (const e of chain(error)) {
    const message = typeof e.message === 'string' ? e.message.split('\n')[0]! : ''
    if (/\b(WRONGPASS|NOAUTH)\b|\binvalid password\b/.test(message))
      return { kind: 'credentials', detail: message }
    if (/\bNOPERM\b|can't (run this command|access at least one of the keys)|ACL failure/.test(message))
      return { kind: 'permission', detail: message }
    const code = typeof e.code === 'string' ? e.code : ''
    if (TLS_CODES.has(code) || code.startsWith('ERR_SSL_'))
      return { kind: 'tls', detail: `${code}: ${message}` }
  }
  return undefined
}

/**
 * Redis refused this service: its credentials (wrong or missing password), a command or key its ACL
 * does not allow, or the TLS handshake. Not retried: a batch would fail the same way until the
 * credentials, the ACL or the certificates change, so the service stops and says why.
 */
export class RedisAccessError extends Error {
  readonly code = 'REDIS_ACCESS_DENIED'
  readonly canRetry = false
  readonly kind: RefusalKind
  constructor(refusal: RedisRefusal, options?: { cause?: unknown }) {
    super(explainRefusal(refusal), options)
    this.name = 'RedisAccessError'
    this.kind = refusal.kind
  }
}

/** What an operator reads: the refusal, and which variables or rules to look at. */
export function explainRefusal(refusal: RedisRefusal): string {
  switch (refusal.kind) {
    case 'credentials':
      return `Redis refused the credentials (REDIS_URL's user and password, or REDIS_USERNAME and REDIS_PASSWORD): ${refusal.detail}`
    case 'permission':
      return (
        `Redis refused a command or key to this service's user (its ACL must allow the commands and the ` +
        `REDIS_NAMESPACE key pattern in docs/redis-security.md): ${refusal.detail}`
      )
    case 'tls':
      return (
        `TLS to Redis failed (REDIS_URL rediss://, REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE/REDIS_TLS_KEY_FILE, ` +
        `REDIS_TLS_SERVERNAME): ${refusal.detail}`
      )
  }
}

/** `error` as a `RedisAccessError` when Redis refused the credentials or a permission; else `undefined`. */
export function accessError(error: unknown): RedisAccessError | undefined {
  const refusal = redisRefusal(error)
  if (refusal === undefined || refusal.kind === 'tls') return undefined
  return new RedisAccessError(refusal, { cause: error })
}

// Commands whose arguments hold a password: AUTH [user] password, HELLO … AUTH user password.
const SECRET_COMMANDS = new Set(['auth', 'hello'])

/**
 * Blanks the arguments of a failed AUTH in `error` and its causes. ioredis puts the failed command on
 * the error (`error.command.args`: user and password) and hands that same error to every queued
 * command and to the `error` listeners, so a logged error would carry the password.
 */
export function redactRedisError(error: unknown): void {
  for (const e of chain(error)) {
    const command = e.command as { name?: unknown; args?: unknown } | undefined
    if (typeof command !== 'object' || command === null || !Array.isArray(command.args)) continue
    if (typeof command.name === 'string' && SECRET_COMMANDS.has(command.name.toLowerCase()))
      command.args = command.args.map(() => '***')
  }
}
