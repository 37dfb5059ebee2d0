/** Runs of the aggregator processes on the real stack for stack.int.test.ts: set-up, feeding, chaos, checks. */

import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { AvroSerializer, HttpSchemaRegistry } from '@healthstream/shared/avro'
import type { AggregateRecord, ValidatedSample } from '@healthstream/shared/domain'
import {
  createAdmin,
  createTransactionalProducer,
  ensureTopics,
  readCommittedTopic,
} from '@healthstream/shared/kafka'
import { TopicSchemas } from '@healthstream/shared/topics'
import type { RedisClusterHandle } from '@healthstream/testkit/stack'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import { Redis } from 'ioredis'
import { aggregationSpec } from '../../src/windows/spec.ts'
import type { ProcessConfig } from '../fixtures/aggregator-process.ts'
import { decodeOutputs, serdes } from './harness.ts'
import { dropNamespace } from './redis-namespace.ts'
import { assertExactlyOnce, type Placed, type Produced, prng, scenario, sentinels } from './scenario.ts'

const FIXTURE = fileURLToPath(new URL('../fixtures/aggregator-process.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../../..', import.meta.url))
const PARTITIONS = 4
const brokers = endpoint('KAFKA_BROKERS').split(',')
const registryUrl = endpoint('SCHEMA_REGISTRY_URL')
export const redisUrl = endpoint('REDIS_URL')
const connection = { bootstrapBrokers: brokers, clientId: uniqueName('agg-e2e') }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Cleanup {
  after(fn: () => unknown): void
}

/** Fresh topics, group and namespace for one run; the processes of the run and how to kill them. */
async function setUp(t: Cleanup, cluster?: RedisClusterHandle) {
  const names = {
    input: uniqueName('agg-in'),
    aggregates: uniqueName('agg-out'),
    errors: uniqueName('agg-err'),
  }
  const config = {
    brokers,
    registryUrl,
    redisUrl: cluster?.url ?? redisUrl,
    redisCluster: cluster !== undefined,
    namespace: uniqueName('agg-e2e'),
    groupId: uniqueName('agg-group'),
    ...names,
  }
  const admin = createAdmin(connection)
  // Processes first, then their topics and keys
  t.after(async () => {
    await stopAll()
    await admin.deleteTopics({ topics: Object.values(names) }).catch(() => undefined)
    await admin.close()
    if (cluster !== undefined) return // a throwaway cluster: the test stops it
    const redis = new Redis(redisUrl)
    await dropNamespace(redis, config.namespace)
    await redis.quit()
  })
  await ensureTopics(
    admin,
    Object.values(names).map((topic) => ({ topic, partitions: PARTITIONS })),
  )
  const processes = new Map<string, ChildProcess>()
  const stats = { replays: 0, selfCrashes: 0, stopping: false }
  const killed = new WeakSet<ChildProcess>()
  const kill = (transactionalId: string): void => {
    const child = processes.get(transactionalId)!
    killed.add(child)
    child.kill('SIGKILL')
  }
  /** Starts (or restarts) a process; one that crashes itself at its crash point is restarted plainly. */
  const start = (transactionalId: string, crashAfterStoreCommits?: number): void => {
    const own: ProcessConfig = { ...config, transactionalId, crashAfterStoreCommits }
    const env = { ...process.env, AGG_E2E: JSON.stringify(own) }
    const child = spawn(process.execPath, [FIXTURE], { env, stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.includes('"mode":"replay"')) stats.replays++
    })
    child.once('exit', (_code, signal) => {
      if (crashAfterStoreCommits === undefined || signal !== 'SIGKILL' || stats.stopping) return
      if (killed.has(child) || processes.get(transactionalId) !== child) return // the chaos loop's kill
      stats.selfCrashes++
      start(transactionalId)
    })
    processes.set(transactionalId, child)
  }
  const stopAll = async (): Promise<void> => {
    stats.stopping = true
    const exits = [...processes.values()].map((child) =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            child.once('exit', () => resolve())
            child.kill('SIGTERM')
            setTimeout(() => child.kill('SIGKILL'), 15_000).unref()
          }),
    )
    await Promise.all(exits)
  }
  const logEnd = Array.from({ length: PARTITIONS }, () => 0)
  return { config, admin, processes, start, kill, stopAll, stats, logEnd }
}

type Run = Awaited<ReturnType<typeof setUp>>

/**
 * True once the group has committed past the last record of every partition. Each slice is one
 * producer transaction, so a partition's log grows by its records plus one commit marker per slice:
 * `logEnd` tracks that, and the consumer commits the offset after the last record (logEnd − 1).
 * (The broker's last stable offset is no substitute: markers are written after `commit()` returns.)
 */
async function consumedAll(run: Run): Promise<boolean> {
  const [group] = await run.admin.listConsumerGroupOffsets({ groups: [run.config.groupId] })
  const committed = new Map(
    (group?.topics.find((x) => x.name === run.config.input)?.partitions ?? []).map((p) => [
      p.partitionIndex,
      p.committedOffset,
    ]),
  )
  return run.logEnd.every((end, p) => end === 0 || (committed.get(p) ?? -1n) >= BigInt(end - 1))
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(250)
  }
}

/** Produces slices of the input, each in one transaction, each consumed before the next. */
async function feed(
  run: Run,
  placed: readonly Placed[],
  slices: number,
  between: (slice: number) => Promise<void>,
) {
  const registry = new HttpSchemaRegistry({ url: registryUrl })
  const serializer = await AvroSerializer.create<ValidatedSample>({
    registry,
    topic: run.config.input,
    schema: TopicSchemas.validated,
  })
  const producer = createTransactionalProducer({ ...connection, transactionalId: uniqueName('agg-feed') })
  try {
    for (let i = 0; i < slices; i++) {
      const slice = placed.slice(
        Math.floor((placed.length * i) / slices),
        Math.floor((placed.length * (i + 1)) / slices),
      )
      const txn = await producer.beginTransaction()
      await txn.send({
        messages: slice.map(({ partition, sample }) => ({
          topic: run.config.input,
          partition,
          key: Buffer.from(sample.userId),
          value: serializer.serialize(sample),
        })),
      })
      await txn.commit()
      for (let p = 0; p < PARTITIONS; p++) {
        const records = slice.filter((x) => x.partition === p).length
        if (records > 0) run.logEnd[p] = run.logEnd[p]! + records + 1
      }
      await between(i)
      await until(() => consumedAll(run), `slice ${i}`)
    }
  } finally {
    await producer.close()
  }
}

/**
 * Kills a random running process with SIGKILL every 7–11 s (longer than the 6 s session timeout, so the
 * group settles and makes progress between kills) and restarts it at once; returns a stopper.
 */
function chaos(run: Run, seed: number): { stop(): Promise<number> } {
  const random = prng(seed)
  let kills = 0
  let running = true
  const loop = (async () => {
    while (running) {
      await sleep(7000 + random() * 4000)
      if (!running) break
      const ids = [...run.processes.keys()]
      const id = ids[Math.floor(random() * ids.length)]!
      run.kill(id)
      kills++
      await sleep(random() * 500)
      // Every other restart also dies on its own, right after one of its first Redis commits
      if (running) run.start(id, random() < 0.5 ? 1 + Math.floor(random() * 4) : undefined)
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      return kills
    },
  }
}

async function restartRedis(): Promise<void> {
  const stack = (command: string) =>
    promisify(execFile)('bash', ['tools/node.sh', 'tools/stack/main.ts', command, 'redis'], { cwd: ROOT })
  await stack('down')
  await stack('up')
}

async function produced(run: Run): Promise<Produced> {
  const s = await serdes(new HttpSchemaRegistry({ url: registryUrl }))
  const rows = await readCommittedTopic(connection, run.config.aggregates)
  const errors = await readCommittedTopic(connection, run.config.errors)
  return decodeOutputs(s, [
    ...rows.map((r) => ({ ...r, topic: 'health-data-aggregates' })),
    ...errors.map((r) => ({ ...r, topic: 'health-data-errors' })),
  ])
}

/** The last row of each window, without the fields that depend on when it was emitted. */
type FinalRow = Omit<AggregateRecord, 'updatedAt' | 'watermark'>

export function finalRows(p: Produced): Map<string, FinalRow> {
  const out = new Map<string, FinalRow>()
  for (const { key, row } of p.rows) {
    const { updatedAt: _, watermark: __, ...rest } = row
    out.set(key, rest)
  }
  return out
}

interface ScenarioOptions {
  readonly instances: number
  /** Kill processes at random all along (the feed then lasts long enough for ten kills). */
  readonly chaos: boolean
  readonly restartRedis: boolean
  readonly seed: number
  /** Keep the state on this Redis Cluster instead of the stack's Redis. */
  readonly cluster?: RedisClusterHandle
}

const FLOAT_FIELDS = ['sum', 'mean', 'stddevPop', 'stddevSample', 'm2'] as const

export function assertSameFigures(actual: FinalRow, expected: FinalRow, key: string): void {
  const { revision: _, ...exact } = expected
  const { revision: __, ...got } = actual
  for (const field of FLOAT_FIELDS) {
    const [x, y] = [got[field] ?? 0, exact[field] ?? 0]
    assert.ok(
      Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y), 1e-300),
      `${field} of ${key}: ${x} vs ${y}`,
    )
    got[field] = exact[field] as number
  }
  assert.deepEqual(got, exact, key)
}

/** Runs the scenario: processes started, data fed in slices, sentinels, then the output checked. */
export async function runScenario(t: Cleanup, options: ScenarioOptions) {
  const run = await setUp(t, options.cluster)
  for (let i = 0; i < options.instances; i++) run.start(`${run.config.groupId}-${i}`)
  const input = scenario({ seed: 11, partitions: PARTITIONS, count: 1500, users: 12 })
  const monkey = options.chaos ? chaos(run, options.seed) : undefined
  let kills = 0
  try {
    const began = Date.now()
    await feed(run, input.samples, 20, async (slice) => {
      if (options.restartRedis && slice === 10) await restartRedis()
      if (monkey) await sleep(Math.max(0, began + slice * 6000 - Date.now())) // ≥ 2 min of flow
    })
  } finally {
    kills = (await monkey?.stop()) ?? 0
  }
  await feed(run, [...sentinels(PARTITIONS, 1), ...sentinels(PARTITIONS, 2)], 2, async () => {})
  await run.stopAll()
  const out = await produced(run)
  assertExactlyOnce(out, input, aggregationSpec())
  return { run, out, kills, input }
}
