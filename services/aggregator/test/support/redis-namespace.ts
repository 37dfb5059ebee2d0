import type { Redis } from 'ioredis'

/** Removes every key of a test's namespace, so runs leave nothing behind in the shared Redis. */
export async function dropNamespace(redis: Redis, namespace: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000)
    if (keys.length > 0) await redis.unlink(...keys)
    cursor = next
  } while (cursor !== '0')
}
