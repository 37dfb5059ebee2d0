/**
 * Erasing users' duplicate marks (`<ns>:dedup:{p<N>}:<len>:<user>:<sample id>`). There is no per-user
 * index (a mark is one SET with an expiry, written in the validator's hot path), so the erasure SCANs
 * each node (each master of a Cluster) with a MATCH pattern and deletes what it finds: one pass over
 * every key of the node, about `keys / 1000` round trips, per erasure of up to `MAX_ERASURE_USERS`
 * users. Marks expire after the duplicate horizon anyway; erasing them earlier only means a re-upload
 * of an erased user's old samples is taken as new data.
 */
import type { Cluster, Redis } from 'ioredis'
import { accessError } from './refusal.ts'

/** `*`, `?`, `[`, `]` and `\` escaped for a Redis MATCH pattern. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}

/** The MATCH pattern of `userId`'s marks in every partition of `namespace`. */
export function dedupMarkPattern(namespace: string, userId: string): string {
  return `${globEscape(namespace)}:dedup:{p*}:${userId.length}:${globEscape(userId)}:*`
}

/**
 * The user id of a mark's key, or undefined when `key` is no mark of `namespace` (the pattern's `*`
 * in the hash tag can span into a sample id: `{p1}:3:bob:}:5:alice:x` is bob's mark, not alice's).
 */
export function dedupMarkUser(key: string, namespace: string): string | undefined {
  const head = `${namespace}:dedup:{p`
  if (!key.startsWith(head)) return undefined
  const m = /^\d+\}:(\d+):/.exec(key.slice(head.length))
  if (m === null) return undefined
  const from = head.length + m[0].length
  const length = Number(m[1])
  if (key.length < from + length + 1 || key[from + length] !== ':') return undefined
  return key.slice(from, from + length)
}

/** Above this many users one pass over all marks beats a pass per user. */
const PATTERNS_MAX = 8

/**
 * Deletes the duplicate marks of `users` on every node (every master of a Cluster); returns how many
 * were deleted.
 */
export async function eraseDedupMarks(
  redis: Redis | Cluster,
  namespace: string,
  users: readonly string[],
): Promise<{ marks: number }> {
  const nodes = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis]
  const wanted = new Set(users)
  const patterns =
    users.length <= PATTERNS_MAX
      ? users.map((u) => dedupMarkPattern(namespace, u))
      : [`${globEscape(namespace)}:dedup:*`]
  let marks = 0
  try {
    for (const node of nodes)
      for (const pattern of patterns) {
        let cursor = '0'
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
          cursor = next
          const mine = keys.filter((k) => {
            const user = dedupMarkUser(k, namespace)
            return user !== undefined && wanted.has(user)
          })
          if (mine.length === 0) continue
          // Single-key DELs through the node that holds them: a multi-key DEL must stay in one slot
          const replies = (await node.pipeline(mine.map((k) => ['del', k])).exec()) ?? []
          for (const [error, n] of replies) {
            if (error) throw error
            marks += Number(n)
          }
        } while (cursor !== '0')
      }
  } catch (error) {
    throw accessError(error) ?? error
  }
  return { marks }
}
