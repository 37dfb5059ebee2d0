/**
 * The Redis keys the validator and the aggregator both read, declared once: where Redis is, who the
 * service is there (an ACL user and its password) and how TLS is checked. Like every key, each may be
 * read from a file instead (`REDIS_PASSWORD_FILE`, `REDIS_TLS_CA_FILE`, …: Kubernetes Secrets).
 */
import { bool, type ConfigKey, type ConfigOf, credential, str } from '../platform/config.ts'
import type { RedisConnectOptions } from './connect.ts'

/**
 * A Redis URL. Sensitive: it may hold a password, and a malformed URL defeats the masking of
 * credentials, so no message shows any of it (parse errors name the rule, never the input).
 */
function redisUrl(doc: string, fallback: string): ConfigKey<string> {
  return {
    doc,
    default: fallback,
    sensitive: true,
    parse: (raw) => {
      let u: URL
      try {
        u = new URL(raw)
      } catch {
        throw new Error(
          'expected redis://[user:password@]host:port[/db] or rediss://… (escape @ : / # in the password)',
        )
      }
      if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
        throw new Error(`expected the scheme redis: or rediss:, not ${u.protocol}`)
      if (u.hostname === '') throw new Error('expected a host')
      if (!/^\/?\d*$/.test(u.pathname)) throw new Error('expected a database number as the path, or none')
      if (u.search !== '' || u.hash !== '')
        throw new Error('query and fragment are not read: use the REDIS_* keys')
      return raw
    },
  }
}

/** PEM text holding at least one `label` block (CERTIFICATE, PRIVATE KEY); empty for none. */
function pem(doc: string, label: 'CERTIFICATE' | 'PRIVATE KEY', sensitive = false): ConfigKey<string> {
  return {
    doc,
    default: '',
    sensitive,
    parse: (raw) => {
      if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(raw))
        throw new Error(`expected PEM with a ${label} block (give the file in the _FILE form)`)
      return raw
    },
  }
}

/** The Redis keys, with `purpose` (what the service keeps in Redis) in REDIS_URL's doc. */
export function redisConfig(purpose: string) {
  return {
    REDIS_URL: redisUrl(
      `Redis for ${purpose}: redis://[user:password@]host:port, rediss:// for TLS (a seed node when REDIS_CLUSTER is on)`,
      'redis://127.0.0.1:16379',
    ),
    REDIS_CLUSTER: bool('connect to a Redis Cluster (keys are hash-tagged per Kafka partition)', false),
    REDIS_USERNAME: str("the Redis ACL user; overrides REDIS_URL's", ''),
    REDIS_PASSWORD: credential("the Redis user's password; overrides REDIS_URL's"),
    REDIS_TLS_CA: pem(
      "PEM CA certificates Redis's certificate must chain to (default: the system's)",
      'CERTIFICATE',
    ),
    REDIS_TLS_CERT: pem('PEM client certificate for mutual TLS, with REDIS_TLS_KEY', 'CERTIFICATE'),
    REDIS_TLS_KEY: pem('PEM private key of REDIS_TLS_CERT', 'PRIVATE KEY', true),
    REDIS_TLS_SERVERNAME: str("the name Redis's certificate must carry when it is not REDIS_URL's host", ''),
  } as const
}

/** The Redis keys as read. */
export type RedisConfig = ConfigOf<ReturnType<typeof redisConfig>>

const TLS_KEYS = ['REDIS_TLS_CA', 'REDIS_TLS_CERT', 'REDIS_TLS_KEY', 'REDIS_TLS_SERVERNAME'] as const

/** Problems between the keys (each parsed well on its own); any stops start-up, naming the keys. */
export function redisConfigProblems(config: RedisConfig): string[] {
  const problems: string[] = []
  const url = new URL(config.REDIS_URL)
  const tlsSet = TLS_KEYS.filter((key) => config[key] !== '')
  if (url.protocol !== 'rediss:' && tlsSet.length > 0)
    problems.push(`${tlsSet.join(', ')} set, but REDIS_URL is redis:// (no TLS): use rediss:// for TLS`)
  if ((config.REDIS_TLS_CERT === '') !== (config.REDIS_TLS_KEY === ''))
    problems.push('REDIS_TLS_CERT and REDIS_TLS_KEY (or their _FILE forms) go together')
  // ioredis sends no AUTH without a password: the connection would silently be Redis's default user
  if (config.REDIS_USERNAME !== '' && config.REDIS_PASSWORD === '' && url.password === '')
    problems.push('REDIS_USERNAME is set without a password (REDIS_PASSWORD, or in REDIS_URL)')
  return problems
}

/** What `connectRedis` takes, from the keys: REDIS_USERNAME/REDIS_PASSWORD over the URL's, TLS files. */
export function redisConnectOptions(config: RedisConfig): RedisConnectOptions {
  const tls = {
    ...(config.REDIS_TLS_CA === '' ? {} : { ca: config.REDIS_TLS_CA }),
    ...(config.REDIS_TLS_CERT === '' ? {} : { cert: config.REDIS_TLS_CERT, key: config.REDIS_TLS_KEY }),
    ...(config.REDIS_TLS_SERVERNAME === '' ? {} : { servername: config.REDIS_TLS_SERVERNAME }),
  }
  return {
    url: config.REDIS_URL,
    cluster: config.REDIS_CLUSTER,
    ...(config.REDIS_USERNAME === '' ? {} : { username: config.REDIS_USERNAME }),
    ...(config.REDIS_PASSWORD === '' ? {} : { password: config.REDIS_PASSWORD }),
    tls,
  }
}
