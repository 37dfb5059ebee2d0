export { clusterOptions, connectRedis, type RedisConnectOptions } from './connect.ts'
export { RedisDedupStore } from './dedup-store.ts'
export { type RedisErrorCount, type RedisOperation, redisErrorCounter } from './errors.ts'
