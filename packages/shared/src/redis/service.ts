/** A service's Redis client, as the validator's and the aggregator's composition roots open it. */
import type { Cluster, Redis } from 'ioredis'
import type { Registry } from 'prom-client'
import { ConfigError } from '../platform/config.ts'
import type { Logger } from '../platform/logger.ts'
import { type RedisConfig, redisConnectOptions } from './config.ts'
import { connectRedis, type RedisStartup, redisStartup } from './connect.ts'
import { type RedisErrorCount, type RedisOperation, redisErrorCounter } from './errors.ts'
import { explainRefusal, RedisAccessError, redisRefusal } from './refusal.ts'

/** What `openServiceRedis` needs of the service. */
export interface ServiceRedisOptions {
  readonly config: RedisConfig
  readonly logger: Logger
  readonly registry: Registry
  /** The operations `healthstream_redis_errors_total` shows from the start (`connection` is added). */
  readonly operations: readonly RedisOperation[]
  /** How long start-up waits for Redis to answer before going on without it. Default 10 s. */
  readonly startupTimeoutMs?: number
}

/**
 * Connects with the service's Redis keys, counts and logs the client's errors, and waits for Redis.
 * Throws a `ConfigError` (start-up stops with exit 78, naming the variables, never their values) when
 * Redis refuses the credentials, the ACL user lacks a command of the connection, or TLS fails; goes on
 * with a warning when Redis does not answer in time (the loops retry until it does).
 */
export async function openServiceRedis(
  options: ServiceRedisOptions,
): Promise<{ redis: Redis | Cluster; onError: RedisErrorCount }> {
  const { logger } = options
  const connect = redisConnectOptions(options.config)
  // A cluster's slot refresh loses its seed's own error (a refused certificate): ask the seed alone first
  const seed = connect.cluster
    ? await startup(connectRedis({ ...connect, cluster: false }), options)
    : undefined
  const redis = connectRedis(connect)
  const onError = redisErrorCounter(options.registry, ['connection', ...options.operations])
  redis.on('error', (err: Error) => {
    onError('connection')
    const refusal = redisRefusal(err)
    if (refusal === undefined) logger.warn({ err }, 'redis error')
    else logger.error({ err }, explainRefusal(refusal))
  })
  const state = seed?.state === 'unreachable' ? seed : await startup(redis, options, false)
  if (state.state === 'unreachable')
    logger.warn(
      { err: state.error },
      'redis does not answer yet; starting anyway, batches retry until it does',
    )
  return { redis, onError }
}

/** `redisStartup`, a refusal as a `ConfigError`; disconnects `client` after a refusal, or when `probe`. */
async function startup(
  client: Redis | Cluster,
  options: ServiceRedisOptions,
  probe = true,
): Promise<RedisStartup> {
  if (probe) client.on('error', () => undefined) // the probe's errors are reported by redisStartup
  try {
    return await redisStartup(client, options.startupTimeoutMs)
  } catch (error) {
    client.disconnect()
    if (error instanceof RedisAccessError) throw new ConfigError([error.message])
    throw error
  } finally {
    if (probe) client.disconnect()
  }
}
