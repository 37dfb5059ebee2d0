/**
 * The services' Redis connection: one node, or a Redis Cluster reached through a seed node. Every key
 * the stores write carries a per-partition hash tag, so either works without other changes.
 */
import { Cluster, type ClusterOptions, Redis } from 'ioredis'

/** How to reach Redis. */
export interface RedisConnectOptions {
  /** `redis://[user:password@]host:port` (`rediss://` for TLS); with `cluster`, any one node. */
  readonly url: string
  /** Connect to a Redis Cluster (slots, MOVED/ASK redirections) instead of one node. */
  readonly cluster: boolean
  /** A command fails after this many reconnection attempts instead of waiting forever. Default 3. */
  readonly maxRetriesPerRequest?: number
}

/**
 * A client for one node or for a cluster. Either way a command fails, rather than waits, while Redis
 * is unreachable: the callers' loops abort their transaction and retry with backoff.
 */
export function connectRedis(options: RedisConnectOptions): Redis | Cluster {
  const maxRetriesPerRequest = options.maxRetriesPerRequest ?? 3
  if (!options.cluster) return new Redis(options.url, { maxRetriesPerRequest })
  return new Cluster([seedNode(options.url)], clusterOptions(options.url, maxRetriesPerRequest))
}

/** Host and port of a `redis://` URL (IPv6 without its brackets; port 6379 when none is given). */
export function seedNode(url: string): { host: string; port: number } {
  const u = new URL(url)
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: u.port === '' ? 6379 : Number(u.port) }
}

/**
 * The cluster's options. The nodes it discovers are reached with the seed's credentials and TLS.
 * Without the offline queue a command fails at once while the whole cluster is unreachable (with it,
 * ioredis would hold the command until the cluster is back, however long; `maxRetriesPerRequest` only
 * bounds the retries on one node's connection). With TLS, host names are not resolved by ioredis, so a
 * certificate issued for the name still matches (the ioredis README's advice for managed clusters).
 */
export function clusterOptions(url: string, maxRetriesPerRequest: number): ClusterOptions {
  const u = new URL(url)
  const username = decodeURIComponent(u.username)
  const password = decodeURIComponent(u.password)
  const tls = u.protocol === 'rediss:'
  return {
    enableOfflineQueue: false,
    ...(tls
      ? { dnsLookup: (address: string, callback: (e: null, a: string) => void) => callback(null, address) }
      : {}),
    redisOptions: {
      maxRetriesPerRequest,
      ...(username === '' ? {} : { username }),
      ...(password === '' ? {} : { password }),
      ...(tls ? { tls: {} } : {}),
    },
  }
}
