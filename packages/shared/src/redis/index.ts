export {
  type AclUser,
  aclUserRule,
  CLIENT_COMMANDS,
  CLUSTER_COMMANDS,
  type RedisAccess,
  scriptCommands,
} from './acl.ts'
export { type RedisConfig, redisConfig, redisConfigProblems, redisConnectOptions } from './config.ts'
export {
  clusterOptions,
  connectRedis,
  nodeOptions,
  type RedisConnectOptions,
  type RedisStartup,
  type RedisTlsOptions,
  redisStartup,
} from './connect.ts'
export { dedupMarkPattern, dedupMarkUser, eraseDedupMarks, globEscape } from './dedup-erase.ts'
export { dedupAccess, RedisDedupStore } from './dedup-store.ts'
export { type RedisErrorCount, type RedisOperation, redisErrorCounter } from './errors.ts'
export {
  accessError,
  explainRefusal,
  RedisAccessError,
  type RedisRefusal,
  type RefusalKind,
  redactRedisError,
  redisRefusal,
} from './refusal.ts'
export { openServiceRedis, type ServiceRedisOptions } from './service.ts'
