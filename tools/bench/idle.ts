/**
 * Resident memory of the four services with nothing to do: `npm run bench -- idle [--env K=V]…`.
 * They start on empty topics of the local stack and are read once they have their partitions and
 * have settled (the same measure as `peers`' idle figure, on its own, in about half a minute).
 */
import { parseArgs } from 'node:util'
import { testPipeline } from '@healthstream/testkit/stack'
import { idleMemory } from './lib/peers/idle-memory.ts'
import { cleanUp, envFlags, stackEnv } from './lib/stack.ts'

const USAGE = `usage: npm run bench -- idle [flags]
  --env K=V      extra environment for the services (repeatable), e.g. IDLE_MEMORY_RELEASE=0s
  --settle S     seconds to wait once every service has its partitions (default 40)`

export async function run(args: readonly string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: [...args],
    options: {
      env: { type: 'string', multiple: true },
      settle: { type: 'string', default: '40' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  })
  if (v.help) return console.log(USAGE)
  const settle = Number(v.settle)
  if (!Number.isInteger(settle) || settle < 0) throw new Error('--settle must be an integer ≥ 0')
  const env = stackEnv()
  const serviceEnv: Record<string, string> = {
    TOPIC_PARTITIONS: '4',
    KAFKA_SESSION_TIMEOUT: '10s',
    ...envFlags(v.env),
  }
  const pipeline = testPipeline('bench-idle')
  try {
    const rss = await idleMemory(pipeline, serviceEnv, settle * 1000)
    console.log(`RSS ${settle} s after the services had their partitions, idle (MiB):`)
    for (const [service, mib] of Object.entries(rss)) console.log(`  ${service.padEnd(12)} ${mib}`)
  } finally {
    await cleanUp(env.KAFKA_BROKERS!, env.REDIS_URL!, pipeline.prefix)
  }
}
