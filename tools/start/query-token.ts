/**
 * `npm start` runs the aggregator's query API as production does, with bearer JWTs: a key pair made for
 * this run configures the aggregator with its public half, and a reader token signed with the private
 * half (which stays in this process) is written to `.stack/query-token` for the developer's requests.
 */
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exportSPKI, generateKeyPair, SignJWT } from 'jose'

/** The variables that, when the developer sets any of them, mean the query API is configured already. */
const OWN_SETTINGS = [
  'QUERY_AUTH',
  'QUERY_ENABLED',
  'QUERY_JWKS_URL',
  'QUERY_JWT_PUBLIC_KEY',
  'QUERY_JWT_PUBLIC_KEY_FILE',
]
const ISSUER = 'healthstream-local'
const AUDIENCE = 'healthstream-query'

export interface LocalQueryAuth {
  /** The aggregator's QUERY_* variables; empty when the developer configured the query API. */
  readonly env: Record<string, string>
  /** The file holding a reader token valid 24 hours; undefined when the developer configured the API. */
  readonly tokenFile: string | undefined
}

/** A key pair and a reader token for this run, unless `env` configures the query API itself. */
export async function localQueryAuth(env: NodeJS.ProcessEnv, dir: string): Promise<LocalQueryAuth> {
  if (OWN_SETTINGS.some((key) => (env[key] ?? '') !== '')) return { env: {}, tokenFile: undefined }
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const token = await new SignJWT({ scope: 'healthstream:read-all' })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('local-developer')
    .setIssuedAt()
    .setExpirationTime('24h')
    .sign(privateKey)
  const tokenFile = join(dir, 'query-token')
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 })
  chmodSync(tokenFile, 0o600) // a file of an earlier run keeps its mode otherwise
  return {
    env: {
      QUERY_JWT_PUBLIC_KEY: await exportSPKI(publicKey),
      QUERY_JWT_ISSUER: ISSUER,
      QUERY_JWT_AUDIENCE: AUDIENCE,
    },
    tokenFile,
  }
}
