// Aggregator step (decode → windows → pre-aggregate → Redis load/commit → rows) against real Redis.
// Usage: bash tools/node.sh tools/bench/aggregator.ts [samples=200000] [batch=5000] [users=500]
//        [partitions=4] [samplesPerUpload=50]   (samplesPerUpload=1: every sample from a random user, the worst case)
// Needs REDIS_URL (eval $(bash tools/node.sh tools/stack/main.ts env | sed 's/^/export /')).
// Prints samples/s (in-memory store as the CPU-only baseline, then Redis), Redis round trips per
// sample (goal ≤ 0.1) and the server-side INFO commandstats of the run. Cleans its keys up afterwards.

import {
  type AggregateStore,
  Aggregator,
  aggregationSpec,
  RedisAggregateStore,
} from '@healthstream/aggregator'
import {
  aggregatorDeps,
  InMemoryAggregateStore,
  prng,
  serdes,
  session,
  validatedSample,
} from '@healthstream/aggregator/testing'
import type { ValidatedSample } from '@healthstream/shared/domain'
import type { ConsumedRecord } from '@healthstream/shared/kafka'
import { Topics } from '@healthstream/shared/topics'
import { MemorySchemaRegistry } from '@healthstream/testkit/memory'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import { Redis } from 'ioredis'

const arg = (i: number, fallback: number): number => Number(process.argv[2 + i] ?? fallback)
const [total, batchSize, users, partitions, perUpload] = [
  arg(0, 200_000),
  arg(1, 5000),
  arg(2, 500),
  arg(3, 4),
  arg(4, 50),
]
const TYPES = ['heart_rate', 'steps', 'oxygen_saturation', 'respiratory_rate']
const START = Date.UTC(2026, 0, 1) * 1000
const SPAN = 30 * 86_400_000_000

/** Batches as the loop would hand them over: a fair share of every partition, in offset order. */
async function batches(s: Awaited<ReturnType<typeof serdes>>): Promise<ConsumedRecord[][]> {
  const random = prng(42)
  const logs: ConsumedRecord[][] = Array.from({ length: partitions }, () => [])
  let user = 0
  for (let i = 0; i < total; i++) {
    // A phone uploads `perUpload` samples of one user at a time, from the last hour or so
    if (i % perUpload === 0) user = Math.floor(random() * users)
    const sample: ValidatedSample = validatedSample({
      sampleId: `s-${i}`,
      userId: `user-${user}`,
      dataType: TYPES[Math.floor(random() * TYPES.length)]!,
      value: 40 + random() * 100,
      startTime: START + Math.floor((SPAN * i) / total) - Math.floor(random() * 3_600_000_000),
      sourceOffset: i,
    })
    const log = logs[user % partitions]!
    log.push({
      topic: Topics.validated,
      partition: user % partitions,
      offset: BigInt(log.length),
      key: Buffer.from(sample.userId),
      value: s.validated.serialize(sample),
      headers: new Map(),
      timestamp: 0,
    })
  }
  const out: ConsumedRecord[][] = []
  const share = Math.ceil(batchSize / partitions)
  for (let at = 0; logs.some((log) => at < log.length); at += share) {
    out.push(logs.flatMap((log) => log.slice(at, at + share)))
  }
  return out
}

async function measure(
  store: AggregateStore,
  input: ConsumedRecord[][],
  s: Awaited<ReturnType<typeof serdes>>,
) {
  const deps = await aggregatorDeps({ store, serdes: s, spec: {} })
  const aggregator = new Aggregator(deps)
  const sess = session(
    1,
    Array.from({ length: partitions }, (_, p) => p),
  )
  const signal = new AbortController().signal
  let rows = 0
  const started = performance.now()
  for (const records of input) rows += (await aggregator.transform(records, { session: sess, signal })).length
  const seconds = (performance.now() - started) / 1000
  return { seconds, rows }
}

type CommandStats = Map<string, { calls: number; usec: number }>

async function commandStats(redis: Redis): Promise<CommandStats> {
  const stats: CommandStats = new Map()
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const m = /^cmdstat_(\w+):calls=(\d+),usec=(\d+)/.exec(line.trim())
    if (m) stats.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) })
  }
  return stats
}

async function cleanUp(redis: Redis, namespace: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000)
    if (keys.length > 0) await redis.unlink(...keys)
    cursor = next
  } while (cursor !== '0')
}

async function main(): Promise<void> {
  const s = await serdes(new MemorySchemaRegistry())
  const input = await batches(s)
  console.log(
    `${total} samples, ${users} users × ${TYPES.length} types over 30 days, ${perUpload} per upload, ${partitions} partitions,`,
  )
  console.log(
    `${input.length} batches of ≤ ${batchSize}; lateness ${JSON.stringify(aggregationSpec().allowedLateness)} µs`,
  )

  const memory = await measure(new InMemoryAggregateStore(), input, s)
  console.log(
    `in-memory store: ${Math.round(total / memory.seconds)} samples/s (${memory.rows} output records)`,
  )

  const redis = new Redis(endpoint('REDIS_URL'))
  const namespace = uniqueName('bench-agg')
  let sent = 0
  const send = redis.sendCommand.bind(redis)
  redis.sendCommand = (...args: Parameters<typeof send>) => {
    sent++
    return send(...args)
  }
  const before = await commandStats(redis)
  sent = 0
  const result = await measure(new RedisAggregateStore(redis, { namespace }), input, s)
  const roundTrips = sent
  const after = await commandStats(redis)
  console.log(
    `redis store:     ${Math.round(total / result.seconds)} samples/s (${result.rows} output records)`,
  )
  console.log(`round trips:     ${roundTrips} (${(roundTrips / total).toFixed(5)} per sample, goal ≤ 0.1)`)
  console.log('INFO commandstats during the run (whole server: includes other clients):')
  for (const [name, now] of after) {
    const was = before.get(name) ?? { calls: 0, usec: 0 }
    const calls = now.calls - was.calls
    if (calls <= 1 || name === 'info') continue
    const usec = now.usec - was.usec
    console.log(`  ${name.padEnd(12)} calls=${calls} usec=${usec} usec_per_call=${(usec / calls).toFixed(1)}`)
  }
  await cleanUp(redis, namespace)
  await redis.quit()
}

await main()
