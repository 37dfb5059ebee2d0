/**
 * The stack's Redis ACL users and TLS port as tests see them (`npm run stack -- env`: `REDIS_TLS_URL`,
 * `REDIS_CA_FILE`, `REDIS_TLS_DIR`, `REDIS_ACL_PASSWORDS_DIR`, one password file per user): a service's
 * environment as its user, over TLS or not, and the certificates for a Redis of the test's own.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { endpoint } from './endpoints.ts'
import type { RedisClusterTls } from './redis-cluster.ts'

/** The stack's Redis user of a service (`healthstream-validator`, `healthstream-aggregator`). */
export const redisUserOf = (service: 'validator' | 'aggregator'): string => `healthstream-${service}`

/** The file holding the stack's password of Redis user `user`. */
export const redisPasswordFile = (user: string): string => join(endpoint('REDIS_ACL_PASSWORDS_DIR'), user)

/** `user`'s password on the stack's Redis, to connect with and to look for in logs that must not show it. */
export const redisPassword = (user: string): string => readFileSync(redisPasswordFile(user), 'utf8').trim()

/** How a service reaches the stack's Redis in `redisEnv`. */
export interface RedisEnvOptions {
  /** The TLS port with the stack's CA (default); false: the plain port. */
  readonly tls?: boolean
  /** Also present the stack's client certificate (mutual TLS). */
  readonly clientCertificate?: boolean
}

/**
 * A service's environment as `user` on the stack's Redis, the password read from the stack's file
 * through `REDIS_PASSWORD_FILE` (the URL holds none, as a ConfigMap's would not).
 */
export function redisEnv(user: string, options: RedisEnvOptions = {}): Record<string, string> {
  const tls = options.tls ?? true
  const dir = endpoint('REDIS_TLS_DIR')
  return {
    REDIS_URL: endpoint(tls ? 'REDIS_TLS_URL' : 'REDIS_URL'),
    REDIS_USERNAME: user,
    REDIS_PASSWORD_FILE: redisPasswordFile(user),
    ...(tls ? { REDIS_TLS_CA_FILE: endpoint('REDIS_CA_FILE') } : {}),
    ...(tls && options.clientCertificate
      ? { REDIS_TLS_CERT_FILE: join(dir, 'client.crt'), REDIS_TLS_KEY_FILE: join(dir, 'client.key') }
      : {}),
  }
}

/** The stack's server certificate and CA, for a TLS Redis Cluster of the test's own. */
export function stackRedisTls(): RedisClusterTls {
  const dir = endpoint('REDIS_TLS_DIR')
  return { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), ca: endpoint('REDIS_CA_FILE') }
}
