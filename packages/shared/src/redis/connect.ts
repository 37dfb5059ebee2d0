/**
 * The services' Redis connection: one node, or a Redis Cluster reached through a seed node. Every key
 * the stores write carries a per-partition hash tag, so either works without other changes.
 */
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis'
import { RedisAccessError, redactRedisError, redisRefusal } from './refusal.ts'

/** TLS settings for a `rediss://` URL, PEM text. Without `ca` the system's CAs are trusted. */
export interface RedisTlsOptions {
  readonly ca?: string
  /** A client certificate (and its key) for Redis's `tls-auth-clients`. */
  readonly cert?: string
  readonly key?: string
  /** The name the server's certificate must carry (and the SNI), when it is not the URL's host. */
  readonly servername?: string
}

/** How to reach Redis. */
export interface RedisConnectOptions {
  /** `redis://[user:password@]host:port[/db]` (`rediss://` for TLS); with `cluster`, any one node. */
  readonly url: string
  /** Connect to a Redis Cluster (slots, MOVED/ASK redirections) instead of one node. */
  readonly cluster: boolean
  /** A command fails after this many reconnection attempts instead of waiting forever. Default 3. */
  readonly maxRetriesPerRequest?: number
  /** The ACL user, instead of the URL's. */
  readonly username?: string
  /** The password, instead of the URL's. */
  readonly password?: string
  /** With `rediss://`: whom to trust, the client certificate, the expected name. */
  readonly tls?: RedisTlsOptions
}

/**
 * A client for one node or for a cluster. Either way a command fails, rather than waits, while Redis
 * is unreachable: the callers' loops abort their transaction and retry with backoff. Errors it emits or
 * rejects with never carry the password (`redactRedisError`).
 */
export function connectRedis(options: RedisConnectOptions): Redis | Cluster {
  if (!options.cluster) return redacting(new Redis(nodeOptions(options)))
  const cluster = redacting(new Cluster([seedNode(options.url)], clusterOptions(options)))
  // The nodes it discovers are clients of their own; their errors reach the queued commands too
  cluster.on('+node', (node: Redis) => redacting(node))
  return cluster
}

/** Host and port of a `redis://` URL (IPv6 without its brackets; port 6379 when none is given). */
export function seedNode(url: string): { host: string; port: number } {
  const u = new URL(url)
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: u.port === '' ? 6379 : Number(u.port) }
}

/** The options of a single-node client: the URL's host, port and database, and `clientOptions`. */
export function nodeOptions(options: RedisConnectOptions): RedisOptions {
  const db = new URL(options.url).pathname.slice(1)
  return { ...seedNode(options.url), ...(db === '' ? {} : { db: Number(db) }), ...clientOptions(options) }
}

/**
 * The cluster's options. The nodes it discovers are reached with the seed's credentials and TLS.
 * Without the offline queue a command fails at once while the whole cluster is unreachable (with it,
 * ioredis would hold the command until the cluster is back, however long; `maxRetriesPerRequest` only
 * bounds the retries on one node's connection). With TLS, host names are not resolved by ioredis, so a
 * certificate issued for the name still matches (the ioredis README's advice for managed clusters).
 */
export function clusterOptions(options: RedisConnectOptions): ClusterOptions {
  const tls = new URL(options.url).protocol === 'rediss:'
  return {
    enableOfflineQueue: false,
    ...(tls
      ? { dnsLookup: (address: string, callback: (e: null, a: string) => void) => callback(null, address) }
      : {}),
    redisOptions: clientOptions(options),
  }
}

/**
 * What every connection gets: the retry bound, the user and password (the options' over the URL's),
 * TLS for `rediss:`. No `CLIENT SETINFO` on connect: Redis 7.0 does not know it, and an ACL that allows
 * only what the services use would log every connection's attempt as a denial.
 */
function clientOptions(options: RedisConnectOptions): RedisOptions {
  const u = new URL(options.url)
  const username = options.username ?? decodeURIComponent(u.username)
  const password = options.password ?? decodeURIComponent(u.password)
  return {
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 3,
    disableClientInfo: true,
    ...(username === '' ? {} : { username }),
    ...(password === '' ? {} : { password }),
    ...(u.protocol === 'rediss:' ? { tls: { ...options.tls } } : {}),
  }
}

/**
 * Redacts every error `client` emits before any other listener or awaiting caller sees it (they see
 * the same object: ioredis rejects the queued commands with it, then emits it). With no other
 * listener, prints what ioredis would print, so an unhandled error is not silenced.
 */
function redacting<C extends Redis | Cluster>(client: C): C {
  const redact = (error: unknown): void => {
    redactRedisError(error)
    if (client.listenerCount('error') === 1 && error instanceof Error)
      console.error('[ioredis] Unhandled error event:', error.stack)
  }
  client.prependListener('error', redact)
  if (client instanceof Cluster) client.prependListener('node error', redactRedisError)
  return client
}

/** How the first connection attempt ended. */
export type RedisStartup =
  | { readonly state: 'ready' }
  | { readonly state: 'unreachable'; readonly error?: Error }

/**
 * Waits for `client` to be ready. Rejects with a `RedisAccessError` when Redis refuses it (credentials,
 * a command of the ready check outside its ACL, TLS), which no retry heals; resolves `unreachable` after
 * `timeoutMs` without either (Redis away: the services start and their loops retry).
 */
export function redisStartup(client: Redis | Cluster, timeoutMs = 10_000): Promise<RedisStartup> {
  if (client.status === 'ready') return Promise.resolve({ state: 'ready' })
  return new Promise((resolve, reject) => {
    let last: Error | undefined
    const finish = (): void => {
      clearTimeout(timer)
      client.off('ready', onReady)
      client.off('error', onError)
      client.off('node error', onError)
    }
    const onReady = (): void => {
      finish()
      resolve({ state: 'ready' })
    }
    const onError = (error: Error): void => {
      last = error
      const refusal = redisRefusal(error)
      if (refusal === undefined) return
      finish()
      reject(new RedisAccessError(refusal)) // no cause: it would hold the failed AUTH
    }
    const timer = setTimeout(() => {
      finish()
      resolve({ state: 'unreachable', ...(last === undefined ? {} : { error: last }) })
    }, timeoutMs)
    client.on('ready', onReady)
    client.on('error', onError)
    client.on('node error', onError)
  })
}
