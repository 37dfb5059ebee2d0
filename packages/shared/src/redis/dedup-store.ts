import type { Cluster, Redis } from 'ioredis'
import type { DedupStore } from '../domain/dedup.ts'
import { type RedisAccess, scriptCommands } from './acl.ts'
import type { RedisErrorCount } from './errors.ts'
import { accessError } from './refusal.ts'

// Checks and marks every key in one atomic step; a key marked by the same owner is a replay of the
// same input (after an aborted transaction), not a duplicate.
const SEEN_SCRIPT = `
local horizon = ARGV[1]
local out = {}
for i, key in ipairs(KEYS) do
  local owner = ARGV[i + 1]
  local current = redis.call('GET', key)
  if not current then
    redis.call('SET', key, owner, 'PX', horizon)
    out[i] = 0
  elseif owner ~= '' and current == owner then
    out[i] = 0
  else
    out[i] = 1
  end
end
return out
`

/**
 * What the duplicate store needs of Redis: its script (`EVALSHA`, `EVAL`) and the commands the script
 * calls, on the keys of `namespace` (a Redis glob; `*` allows every namespace); and the erasure's
 * `SCAN` and `DEL` (`eraseDedupMarks`: there is no per-user index to read instead).
 */
export function dedupAccess(namespace = 'healthstream'): RedisAccess {
  return {
    commands: ['evalsha', 'eval', ...scriptCommands(SEEN_SCRIPT), 'scan', 'del'],
    keys: [`${namespace}:dedup:*`],
  }
}

/**
 * Duplicate detection on Redis. All keys of one store share a hash tag (one per input partition),
 * so a whole batch is checked by one script call, also on Redis Cluster where a script may only touch
 * keys of one slot. A user's samples always arrive on the same partition (the topic is keyed by user).
 */
export class RedisDedupStore implements DedupStore {
  readonly #redis: Redis | Cluster
  readonly #prefix: string
  readonly #onError: RedisErrorCount | undefined

  /**
   * `onError` counts a failed check. The error is thrown on: the batch is aborted and retried, unless
   * Redis refused this user the command or a key (`RedisAccessError`, not retried: the ACL must change).
   */
  constructor(redis: Redis | Cluster, namespace: string, partition: number, onError?: RedisErrorCount) {
    this.#redis = redis
    this.#prefix = `${namespace}:dedup:{p${partition}}:`
    this.#onError = onError
    defineScript(redis)
  }

  async seen(keys: readonly string[], horizonMs: number, owners?: readonly string[]): Promise<boolean[]> {
    if (keys.length === 0) return []
    if (owners !== undefined && owners.length !== keys.length) {
      throw new RangeError(`owners has ${owners.length} entries, keys has ${keys.length}`)
    }
    const redisKeys = keys.map((k) => this.#prefix + k)
    const args = [String(Math.max(1, Math.round(horizonMs))), ...(owners ?? keys.map(() => ''))]
    try {
      const answers = (await (this.#redis as RedisWithSeen).healthstreamSeen(
        redisKeys.length,
        ...redisKeys,
        ...args,
      )) as number[]
      return answers.map((a) => a === 1)
    } catch (error) {
      this.#onError?.('dedup')
      throw accessError(error) ?? error
    }
  }
}

type RedisWithSeen = (Redis | Cluster) & { healthstreamSeen(...args: (string | number)[]): Promise<unknown> }

function defineScript(redis: Redis | Cluster): void {
  if ('healthstreamSeen' in redis) return
  redis.defineCommand('healthstreamSeen', { lua: SEEN_SCRIPT })
}
