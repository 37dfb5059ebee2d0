import { createAdmin } from '@healthstream/shared/kafka'
import { envLines } from '../../stack/main.ts'
import { runningPid } from '../../stack/process.ts'
import { allServers } from '../../stack/servers/index.ts'

/** Endpoints of the stack; the environment wins, else the running local stack's (`npm run stack -- env`). */
export function stackEnv(): Record<string, string> {
  const local = Object.fromEntries(envLines(allServers).map((line) => line.split(/=(.*)/s).slice(0, 2)))
  const env: Record<string, string> = {}
  for (const key of ['KAFKA_BROKERS', 'KAFKA_LIBS', 'SCHEMA_REGISTRY_URL', 'REDIS_URL']) {
    const value = process.env[key] || local[key]
    if (!value) throw new Error(`${key} is unknown: start the stack with 'npm run stack -- up'`)
    env[key] = value
  }
  // The test-support helpers read endpoints from process.env
  Object.assign(process.env, env)
  return env
}

/** The benchmarks' repeatable `--env K=V` flags as an environment (the value may hold '='). */
export function envFlags(flags: readonly string[] | undefined): Record<string, string> {
  return Object.fromEntries((flags ?? []).map((kv) => kv.split(/=(.*)/s).slice(0, 2)))
}

/** Pids of the local stack's servers (undefined when the endpoints point elsewhere). */
export const stackPid = (name: string): number | undefined => runningPid(name)

/** Deletes what one benchmark run created under `prefix`: topics, consumer groups, Redis keys. */
export async function cleanUp(brokers: string, redisUrl: string, prefix: string): Promise<string[]> {
  const done: string[] = []
  const admin = createAdmin({ bootstrapBrokers: [brokers], clientId: 'healthstream-bench' })
  try {
    const groups = [...(await admin.listGroups()).keys()].filter((g) => g.startsWith(prefix))
    if (groups.length > 0) await admin.deleteGroups({ groups }).catch(() => undefined)
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix))
    if (topics.length > 0) await admin.deleteTopics({ topics })
    done.push(`${topics.length} topics`, `${groups.length} groups`)
  } finally {
    await admin.close()
  }
  const { Redis } = await import('ioredis')
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 })
  try {
    let cursor = '0'
    let keys = 0
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000)
      if (batch.length > 0) keys += await redis.unlink(...batch)
      cursor = next
    } while (cursor !== '0')
    done.push(`${keys} Redis keys`)
  } finally {
    redis.disconnect()
  }
  return done
}

type CommandStats = Map<string, { calls: number; usec: number }>

/** `INFO commandstats` of the Redis server: calls and server microseconds per command. */
export async function redisCommandStats(redisUrl: string): Promise<CommandStats> {
  const { Redis } = await import('ioredis')
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 })
  try {
    const stats: CommandStats = new Map()
    for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_(\S+):calls=(\d+),usec=(\d+)/gm))
      stats.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) })
    return stats
  } finally {
    redis.disconnect()
  }
}

/** Calls and server time per command between two readings (every client of the server counts). */
export type RedisCommandUse = Record<string, { calls: number; serverMs: number; usPerCall: number }>

export function redisDelta(before: CommandStats, after: CommandStats): RedisCommandUse {
  const out: RedisCommandUse = {}
  for (const [name, a] of after) {
    const calls = a.calls - (before.get(name)?.calls ?? 0)
    if (calls <= 0 || name === 'info') continue
    const usec = a.usec - (before.get(name)?.usec ?? 0)
    out[name] = { calls, serverMs: Math.round(usec / 1000), usPerCall: Math.round((usec / calls) * 10) / 10 }
  }
  return out
}
