/**
 * A token issuer for tests: key pairs made in the test, JWTs signed with jose, and its JWK Set served by
 * a small HTTP server on 127.0.0.1, the way an identity provider serves it.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose'

export const ISSUER = 'https://id.healthstream.test/'
export const AUDIENCE = 'healthstream-query'
export const READER_SCOPE = 'healthstream:read-all'

export interface SigningKey {
  readonly alg: string
  readonly kid: string
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
  /** The public key as a JWK with its kid and alg, as a JWK Set lists it. */
  readonly jwk: JWK
  /** The public key as PEM (SPKI). */
  readonly pem: string
}

/** A new key pair for `alg`, its public half exported as a JWK and as PEM. */
export async function signingKey(alg: string, kid = `${alg.toLowerCase()}-1`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return { alg, kid, privateKey, publicKey, jwk, pem: await exportSPKI(publicKey) }
}

export interface TokenOptions {
  readonly subject?: string
  readonly scope?: string
  readonly issuer?: string
  readonly audience?: string | string[]
  /** Seconds from `now`; null: no exp claim. */
  readonly expiresIn?: number | null
  /** Seconds from `now`. */
  readonly notBefore?: number
  readonly now?: Date
  /** The kid in the header (default the key's; null: none). */
  readonly kid?: string | null
  readonly extra?: Record<string, unknown>
}

/** A JWT signed with `key`: by default for user u-1, of the test issuer and audience, valid 5 minutes. */
export async function token(key: SigningKey, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000)
  const claims: Record<string, unknown> = { ...options.extra }
  if (options.scope !== undefined) claims.scope = options.scope
  const jwt = new SignJWT(claims)
    .setProtectedHeader(
      options.kid === null ? { alg: key.alg } : { alg: key.alg, kid: options.kid ?? key.kid },
    )
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now)
    .setJti(crypto.randomUUID())
  if (options.subject !== '') jwt.setSubject(options.subject ?? 'u-1')
  if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 300))
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore)
  return jwt.sign(key.privateKey)
}

/** A JWK Set on `http://127.0.0.1:<port>/jwks.json`; counts its fetches, can be made to fail. */
export class JwksServer {
  readonly #server: Server
  keys: JWK[]
  fetches = 0
  /** Answered instead of the key set while set. */
  failWith: number | undefined

  private constructor(keys: JWK[]) {
    this.keys = keys
    this.#server = createServer((req, res) => {
      this.fetches++
      if (req.url !== '/jwks.json' || this.failWith !== undefined) {
        res.writeHead(this.failWith ?? 404).end()
        return
      }
      res
        .writeHead(200, { 'content-type': 'application/jwk-set+json' })
        .end(JSON.stringify({ keys: this.keys }))
    })
  }

  static async start(keys: JWK[]): Promise<JwksServer> {
    const server = new JwksServer(keys)
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve))
    return server
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/jwks.json`
  }

  close(): Promise<void> {
    this.#server.closeAllConnections()
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }
}
