/**
 * The query API's verification keys and algorithms as configuration keys: parsed and checked once at
 * start-up, so that a private key, a shared secret, a plain-HTTP key set or an algorithm that no key
 * can verify stops the service with a message naming the variable instead of failing every request.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { type ConfigKey, list } from '@healthstream/shared/platform'
import type { JSONWebKeySet, JWK } from 'jose'

/** The asymmetric JWS algorithms jose verifies. Shared-secret HS* and unsigned `none` are never accepted. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const
export type JwsAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number]

/** jose refuses smaller RSA keys; refusing them here says so at start-up, not at the first request. */
const MIN_RSA_BITS = 2048
/** JWK members of private and secret keys (RFC 7518 §6.2.2, 6.3.2, 6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

/** A comma-separated list of JWS algorithms, asymmetric only. */
export const algorithms = (
  doc: string,
  fallback: readonly JwsAlgorithm[],
): ConfigKey<readonly JwsAlgorithm[]> => ({
  doc,
  default: fallback,
  parse: (raw) => {
    const names = list(doc).parse(raw)
    for (const name of names) {
      if (/^none$/i.test(name)) throw new Error('none (unsigned tokens) is never accepted')
      if (/^HS\d+$/i.test(name)) {
        throw new Error(`${name} (a shared secret) is never accepted: tokens are verified with public keys`)
      }
      if (!ASYMMETRIC_ALGORITHMS.includes(name as JwsAlgorithm)) {
        throw new Error(`unknown algorithm ${name}: expected some of ${ASYMMETRIC_ALGORITHMS.join(', ')}`)
      }
    }
    return [...new Set(names)] as JwsAlgorithm[]
  },
})

/** A scope: one word of printable ASCII without quotes or backslashes (RFC 6749 §3.3's scope-token). */
export const scopeName = (doc: string, fallback: string): ConfigKey<string> => ({
  doc,
  default: fallback,
  parse: (raw) => {
    if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(raw)) throw new Error('expected one scope: no spaces or quotes')
    return raw
  },
})

/**
 * The URL of a JWK Set: https, or http on the loopback interface only (a key set fetched in the clear can
 * be swapped on the way, and then any token passes).
 */
export const jwksUrl = (doc: string): ConfigKey<string> => ({
  doc,
  default: '',
  parse: (raw) => {
    const url = new URL(raw)
    const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)
    if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return url.href
    throw new Error('expected an https:// URL (http:// only on 127.0.0.1, [::1] or localhost)')
  },
})

/**
 * Public keys as a JWK Set, from a PEM public key (SPKI, `BEGIN PUBLIC KEY`), a JWK or a JWK Set (JSON);
 * null when not set. Sensitive, although a public key is not a secret: a private key given by mistake
 * must not end up in a message.
 */
export const publicKeys = (doc: string): ConfigKey<JSONWebKeySet | null> => ({
  doc,
  default: null,
  sensitive: true,
  parse: parsePublicKeys,
})

/** The keys of a PEM public key, a JWK or a JWK Set; refuses private keys, secrets and certificates. */
export function parsePublicKeys(raw: string): JSONWebKeySet {
  const text = raw.trim()
  if (text.startsWith('-----BEGIN PUBLIC KEY-----')) return { keys: [checked(pemJwk(text), 'the key')] }
  if (text.startsWith('-----BEGIN')) {
    throw new Error('expected a PEM public key (BEGIN PUBLIC KEY, SPKI), a JWK or a JWK Set; not this PEM')
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error('expected a PEM public key (BEGIN PUBLIC KEY, SPKI), a JWK or a JWK Set (JSON)')
  }
  const set = isObject(json) && Array.isArray(json.keys)
  const keys: unknown[] = set ? (json as { keys: unknown[] }).keys : [json]
  if (keys.length === 0) throw new Error('the JWK Set has no keys')
  return { keys: keys.map((key, i) => checked(key, set ? `key ${i} of the set` : 'the JWK')) }
}

/** The algorithms of `allowed` that some key of the set can verify (a key's own `alg` narrows its). */
export function usableAlgorithms(jwks: JSONWebKeySet, allowed: readonly JwsAlgorithm[]): JwsAlgorithm[] {
  const usable = new Set(jwks.keys.flatMap((key) => algorithmsOf(key)))
  return allowed.filter((alg) => usable.has(alg))
}

function algorithmsOf(key: JWK): readonly string[] {
  if (key.alg !== undefined) return [key.alg]
  if (key.kty === 'RSA') return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']
  if (key.kty === 'EC')
    return { 'P-256': ['ES256'], 'P-384': ['ES384'], 'P-521': ['ES512'] }[key.crv ?? ''] ?? []
  if (key.kty === 'OKP' && key.crv === 'Ed25519') return ['EdDSA', 'Ed25519']
  return []
}

function pemJwk(pem: string): JWK {
  try {
    return createPublicKey({ key: pem, format: 'pem' }).export({ format: 'jwk' }) as JWK
  } catch (error) {
    throw new Error(`not a readable PEM public key: ${(error as Error).message}`)
  }
}

/** A public JWK node:crypto can read, of a usable size; never a private key or a shared secret. */
function checked(value: unknown, what: string): JWK {
  if (!isObject(value) || typeof value.kty !== 'string') throw new Error(`${what} is not a JWK (no "kty")`)
  if (value.kty === 'oct') throw new Error(`${what} is a shared secret (kty "oct"); only public keys verify`)
  if (PRIVATE_MEMBERS.some((member) => member in value)) {
    throw new Error(`${what} is a private key; give only its public part`)
  }
  let bits: number | undefined
  try {
    bits = createPublicKey({ key: value as JsonWebKey, format: 'jwk' }).asymmetricKeyDetails?.modulusLength
  } catch (error) {
    throw new Error(`${what} is not a readable public key: ${(error as Error).message}`)
  }
  if (bits !== undefined && bits < MIN_RSA_BITS) {
    throw new Error(`${what} is a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits`)
  }
  return value as JWK
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
