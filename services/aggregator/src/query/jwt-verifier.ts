/**
 * Bearer tokens as JWTs, verified by jose: the signature with the issuer's public keys (a JWK Set fetched
 * from a URL and cached, or keys from the configuration), the algorithm against an allow-list, `exp`
 * (required) and `nbf` with a clock tolerance, `iss` when issuers are configured, `aud` always.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose'
import { claimsOf, type TokenVerifier, type Verification } from './access.ts'

export interface JwtVerifierOptions {
  /**
   * The issuer's public keys: its JWK Set URL (jose fetches it on first use, keeps it 10 minutes, and
   * fetches again for an unknown key id at most every 30 s), or keys given in the configuration.
   */
  readonly keys: { readonly jwksUrl: string } | { readonly jwks: JSONWebKeySet }
  /** Accepted `iss` values; empty: not checked. */
  readonly issuers: readonly string[]
  /** Accepted `aud` values: the token must name one of them. */
  readonly audiences: readonly string[]
  /** Accepted `alg` values (asymmetric only: keys.ts). */
  readonly algorithms: readonly string[]
  /** Leeway for `exp` and `nbf`, for clocks that differ. */
  readonly clockToleranceSeconds: number
  /** Told why the key set could not be fetched (the requests are answered 503). */
  readonly onKeySetError?: (error: unknown) => void
  /** The clock; tests set it. */
  readonly now?: () => Date
}

/** Why a claim failed, as the 401 says it (jose names the claim). */
const CLAIM_REASONS: Readonly<Record<string, string>> = {
  nbf: 'token not yet valid',
  iss: 'wrong issuer',
  aud: 'wrong audience',
  exp: 'token without a valid expiry',
}

/** The key set's server failed us: not the token's fault. */
class KeySetUnavailable extends Error {}

/** A `TokenVerifier` for JWTs signed by the configured issuer. */
export function jwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  const getKey = keyResolver(options)
  return {
    async verify(token) {
      const verifyOptions: JWTVerifyOptions = {
        algorithms: [...options.algorithms],
        issuer: options.issuers.length > 0 ? [...options.issuers] : undefined,
        audience: [...options.audiences],
        clockTolerance: options.clockToleranceSeconds,
        requiredClaims: ['exp'],
        currentDate: options.now?.(),
      }
      try {
        const payload = await verifyWithEachKey(token, getKey, verifyOptions)
        return { ok: true, claims: claimsOf(payload) }
      } catch (error) {
        return rejection(error)
      }
    },
  }
}

function keyResolver(options: JwtVerifierOptions): JWTVerifyGetKey {
  const { keys } = options
  if ('jwks' in keys) return createLocalJWKSet(keys.jwks)
  const remote = createRemoteJWKSet(new URL(keys.jwksUrl))
  return async (header, token) => {
    try {
      return await remote(header, token)
    } catch (error) {
      // No key, or several, for the token's kid and alg is the token's matter; anything else the server's
      const tokens = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported]
      if (tokens.some((type) => error instanceof type)) throw error
      options.onKeySetError?.(error)
      throw new KeySetUnavailable('key set unavailable', { cause: error })
    }
  }
}

/**
 * jwtVerify, also when several keys fit the token's header (keys without ids during a rotation): jose
 * then hands them over in the error, and the one whose signature verifies is the issuer's.
 */
async function verifyWithEachKey(
  token: string,
  getKey: JWTVerifyGetKey,
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, getKey, options)).payload
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error
    for await (const key of error) {
      try {
        return (await jwtVerify(token, key, options)).payload
      } catch (next) {
        if (!(next instanceof errors.JWSSignatureVerificationFailed)) throw next
      }
    }
    throw new errors.JWSSignatureVerificationFailed()
  }
}

/** A failed verification in a few fixed words: never the token, nor any part of it. */
function rejection(error: unknown): Verification {
  if (error instanceof KeySetUnavailable)
    return { ok: false, reason: 'key set unavailable', unavailable: true }
  if (error instanceof errors.JWTExpired) return { ok: false, reason: 'token expired' }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return { ok: false, reason: CLAIM_REASONS[error.claim] ?? `invalid ${error.claim} claim` }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return { ok: false, reason: 'bad signature' }
  if (error instanceof errors.JOSEAlgNotAllowed) return { ok: false, reason: 'algorithm not allowed' }
  if (error instanceof errors.JWKSNoMatchingKey) return { ok: false, reason: 'no key for this token' }
  return { ok: false, reason: 'malformed token' }
}
