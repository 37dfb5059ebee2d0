import { type RedisAccess, scriptCommands } from '@healthstream/shared/redis'
import { ERASE_LUA } from './redis-erase.ts'
import { CLAIM_LUA, COMMIT_LUA, LOAD_LUA, QUERY_LUA } from './redis-scripts.ts'

// What `RedisAggregateStore` calls outside its scripts: the partitions set, a tick's outputs (the
// erasure's script is listed with the others)
const DIRECT_COMMANDS = ['sadd', 'smembers', 'get']

/**
 * What the aggregator's Redis user needs: its scripts (`EVALSHA`, `EVAL`), the commands they call, and
 * the store's own, on the keys of `namespace` (a Redis glob; `*` allows every namespace).
 */
export function aggregateStoreAccess(namespace = 'healthstream'): RedisAccess {
  const scripted = [CLAIM_LUA, LOAD_LUA, COMMIT_LUA, QUERY_LUA, ERASE_LUA].flatMap(scriptCommands)
  const commands = new Set(['evalsha', 'eval', ...scripted, ...DIRECT_COMMANDS])
  return { commands: [...commands].sort(), keys: [`${namespace}:agg:*`] }
}
