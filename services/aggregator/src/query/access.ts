/**
 * Who may read whose aggregates. A token whose subject is the user reads that user; a token carrying the
 * reader scope reads every user; nobody else reads anything. Pure: verifying the token (signature, issuer,
 * audience, times) is the `TokenVerifier`'s (jwt-verifier.ts).
 */

/** What a verified token says about its bearer. */
export interface Claims {
  /** `sub`: the user the token speaks for (or the client, for a machine's token). */
  readonly subject?: string
  /** `iss`. */
  readonly issuer?: string
  /** From `scope` (space-separated) and `scp` (an array, or space-separated). */
  readonly scopes: readonly string[]
  /** `jti`, to find the token in the issuer's records; never the token itself. */
  readonly tokenId?: string
}

/** A verification's answer: the claims, or why not in a few fixed words that never quote the token. */
export type Verification =
  | { readonly ok: true; readonly claims: Claims }
  | {
      readonly ok: false
      readonly reason: string
      /** The keys could not be had (the key set's server): not the token's fault, so 503 and not 401. */
      readonly unavailable?: boolean
    }

/** Checks a bearer token; never throws for a bad one. */
export interface TokenVerifier {
  verify(token: string): Promise<Verification>
}

/** How a request was let in: its own user, the reader scope, or no checks at all (QUERY_AUTH=off). */
export type Grant = 'own-user' | 'reader-scope' | 'auth-off'

/** The error codes of RFC 6750's `WWW-Authenticate: Bearer` challenge. */
export type BearerError = 'invalid_token' | 'insufficient_scope'

export type AccessDecision =
  | { readonly allowed: true; readonly grant: Grant; readonly claims?: Claims }
  | {
      readonly allowed: false
      readonly status: 401 | 403 | 503
      readonly reason: string
      /** Absent when the request had no bearer token at all (RFC 6750 §3.1: no error code then). */
      readonly error?: BearerError
      readonly claims?: Claims
    }

/** Decides one request from its Authorization header and the user it asks for. */
export interface QueryAccess {
  decide(authorization: string | undefined, userId: string): Promise<AccessDecision>
}

/** QUERY_AUTH=off: everyone reads everything. For local development only. */
export const openAccess: QueryAccess = {
  decide: async () => ({ allowed: true, grant: 'auth-off' }),
}

/** Bearer tokens checked by `verifier`; `readerScope` reads every user. */
export function tokenAccess(verifier: TokenVerifier, readerScope: string): QueryAccess {
  return {
    async decide(authorization, userId) {
      const token = bearerToken(authorization)
      if (token === undefined) return { allowed: false, status: 401, reason: 'no bearer token' }
      if (token === '')
        return { allowed: false, status: 401, error: 'invalid_token', reason: 'malformed token' }
      const verified = await verifier.verify(token)
      if (!verified.ok) {
        if (verified.unavailable) return { allowed: false, status: 503, reason: verified.reason }
        return { allowed: false, status: 401, error: 'invalid_token', reason: verified.reason }
      }
      const { claims } = verified
      const grant = grantFor(claims, userId, readerScope)
      if (grant === undefined) {
        const reason = 'token may not read this user'
        return { allowed: false, status: 403, error: 'insufficient_scope', reason, claims }
      }
      return { allowed: true, grant, claims }
    },
  }
}

/** The least a token needs to read `userId`: being that user, else the reader scope; undefined: denied. */
export function grantFor(claims: Claims, userId: string, readerScope: string): Grant | undefined {
  if (claims.subject !== undefined && claims.subject === userId) return 'own-user'
  if (claims.scopes.includes(readerScope)) return 'reader-scope'
  return undefined
}

/**
 * The token of `Authorization: Bearer <token>` (the scheme in any case, RFC 7235): undefined without one
 * (no header, or another scheme), '' when what follows `Bearer` is no token68.
 */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer(?:[ \t]+(.*))?$/i.exec(header?.trim() ?? '')
  if (!match) return undefined
  const token = match[1]?.trim() ?? ''
  return /^[A-Za-z0-9\-._~+/]+=*$/.test(token) ? token : ''
}

/** The claims this API uses, from a verified token's payload; wrongly typed claims count as absent. */
export function claimsOf(payload: Readonly<Record<string, unknown>>): Claims {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined)
  return {
    subject: text(payload.sub),
    issuer: text(payload.iss),
    scopes: scopesOf(payload),
    tokenId: text(payload.jti),
  }
}

/** `scope` (RFC 8693: space-separated) and `scp` (an array, as Okta and Azure AD give it, or a string). */
export function scopesOf(payload: Readonly<Record<string, unknown>>): string[] {
  const words = (value: unknown): string[] => {
    if (typeof value === 'string') return value.split(' ').filter(Boolean)
    if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string')
    return []
  }
  return [...new Set([...words(payload.scope), ...words(payload.scp)])]
}
