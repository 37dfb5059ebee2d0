export { clusterOptions, connectRedis, type RedisConnectOptions } from './connect.ts'
export { RedisDedupStore } from './dedup-store.ts'
