/**
 * Erasing users from the aggregator's Redis state: every window of theirs (open, fired, and final ones
 * still retained for the query API), its timer and dirty mark, and the user's index, in every
 * partition ever claimed (`<ns>:agg:partitions`; a user's partition is not known here). One script per
 * partition, atomic. When it deletes anything it also bumps the partition's `version`: a batch loaded
 * before the erasure then fails its commit with `CONFLICT` and is redone from the erased state, so no
 * window of an erased user is written back from a load that predates the erasure.
 *
 * Not touched: the partition's outbox and ticks (the outputs of its last batch, kept for re-emitting
 * them after an aborted transaction; the next batch replaces them) and the output topic
 * `health-data-aggregates` (its records stay until compaction and retention remove them).
 */
import { accessError } from '@healthstream/shared/redis'
import type { Cluster, Redis } from 'ioredis'
import { AggregateStoreError } from '../windows/store.ts'

/**
 * KEYS: meta, timers, dirty, the user's index. ARGV: the prefix of window keys. Returns the number of
 * window states deleted.
 */
export const ERASE_LUA = `
local ids = redis.call('ZRANGE', KEYS[4], 0, -1)
local deleted = 0
for _, id in ipairs(ids) do
  deleted = deleted + redis.call('DEL', ARGV[1] .. id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('SREM', KEYS[3], id)
end
redis.call('DEL', KEYS[4])
if #ids > 0 then redis.call('HINCRBY', KEYS[1], 'version', 1) end
return deleted
`

/** The keys and argument of the erase script for `userId` in the partition with key prefix `p`. */
export function eraseCommand(p: string, userId: string): { keys: string[]; args: string[] } {
  return { keys: [`${p}meta`, `${p}timers`, `${p}dirty`, `${p}u:${userId}`], args: [`${p}w:`] }
}

type EraseClient = (Redis | Cluster) & {
  healthstreamAggErase(n: number, keys: string[], args: string[]): Promise<number>
}

/** Deletes the windows of `users` from every partition; returns the window states deleted. */
export async function eraseAggregateUsers(
  redis: Redis | Cluster,
  namespace: string,
  users: readonly string[],
): Promise<{ windows: number; partitions: number }> {
  if (!('healthstreamAggErase' in redis)) redis.defineCommand('healthstreamAggErase', { lua: ERASE_LUA })
  const client = redis as EraseClient
  try {
    const partitions = await client.smembers(`${namespace}:agg:partitions`)
    let windows = 0
    for (const partition of partitions) {
      const p = `${namespace}:agg:{agg-p${Number(partition)}}:`
      for (const user of users) {
        const { keys, args } = eraseCommand(p, user)
        windows += Number(await client.healthstreamAggErase(keys.length, keys, args))
      }
    }
    return { windows, partitions: partitions.length }
  } catch (error) {
    const denied = accessError(error)
    if (denied) throw new AggregateStoreError('FORBIDDEN', `redis: ${denied.message}`, { cause: error })
    throw new AggregateStoreError('UNAVAILABLE', `redis: ${(error as Error).message}`, { cause: error })
  }
}
