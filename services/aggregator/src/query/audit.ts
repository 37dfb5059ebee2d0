/**
 * One audit entry per request for a user's aggregates, allowed or denied: who asked (the token's subject
 * and issuer, the peer), for which user and which windows (the query parameters), and what came of it.
 * Never the token and never the data answered. The time is the log line's own.
 */
import type { AccessDecision, Grant } from './access.ts'

export interface QueryAuditEntry {
  readonly outcome: 'allowed' | 'denied'
  /** Allowed: the grant (own-user, reader-scope, auth-off); denied: why, as the answer says it. */
  readonly reason: Grant | string
  /** The answer's status (an allowed request may still be answered 400 for a bad parameter). */
  readonly status: number
  /** The token's `sub`, `iss` and `jti`; null without a verified token. */
  readonly subject: string | null
  readonly issuer: string | null
  readonly tokenId: string | null
  /** The user whose data was asked for. */
  readonly userId: string
  /** The parameters that select windows (dataType, granularity, from, to), as given. */
  readonly query: Readonly<Record<string, string>>
  /** The peer's address when the runtime tells it. */
  readonly remote: string | null
}

/** The parameters an audit keeps; anything else a client adds is left out. */
const AUDITED_PARAMETERS = ['dataType', 'granularity', 'from', 'to'] as const
/** A longer parameter value is cut: an audit line stays one short line. */
const MAX_PARAMETER_LENGTH = 64

/** The audit entry of one request; `decision` undefined when deciding failed (answered 500). */
export function auditEntry(request: {
  readonly decision: AccessDecision | undefined
  readonly userId: string
  readonly query: Readonly<Record<string, string | undefined>>
  readonly status: number
  readonly remote: string | undefined
}): QueryAuditEntry {
  const { decision } = request
  const claims = decision?.claims
  const query: Record<string, string> = {}
  for (const name of AUDITED_PARAMETERS) {
    const value = request.query[name]
    if (value !== undefined) query[name] = value.slice(0, MAX_PARAMETER_LENGTH)
  }
  return {
    outcome: decision?.allowed ? 'allowed' : 'denied',
    reason: decision === undefined ? 'error' : decision.allowed ? decision.grant : decision.reason,
    status: request.status,
    subject: claims?.subject ?? null,
    issuer: claims?.issuer ?? null,
    tokenId: claims?.tokenId ?? null,
    userId: request.userId,
    query,
    remote: request.remote ?? null,
  }
}
