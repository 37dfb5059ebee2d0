export { RedisAggregateStore, type RedisAggregateStoreOptions } from './aggregate-store.ts'
export { RedisDedupStore } from './dedup-store.ts'
