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

/** A client for one node or for a cluster; the cluster's nodes get the seed URL's credentials and TLS. */
export function connectRedis(options: RedisConnectOptions): Redis | Cluster {
  const maxRetriesPerRequest = options.maxRetriesPerRequest ?? 3
  if (!options.cluster) return new Redis(options.url, { maxRetriesPerRequest })
  return new Cluster([seedNode(options.url)], clusterOptions(options.url, maxRetriesPerRequest))
}

function seedNode(url: string): { host: string; port: number } {
  const u = new URL(url)
  return { host: u.hostname, port: u.port === '' ? 6379 : Number(u.port) }
}

/** The cluster's options: the nodes it discovers are reached with the seed's credentials and TLS. */
export function clusterOptions(url: string, maxRetriesPerRequest: number): ClusterOptions {
  const u = new URL(url)
  const username = decodeURIComponent(u.username)
  const password = decodeURIComponent(u.password)
  return {
    redisOptions: {
      maxRetriesPerRequest,
      ...(username === '' ? {} : { username }),
      ...(password === '' ? {} : { password }),
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  }
}
