// The aggregator inside the real transactional loop over the in-memory broker: transactions abort at
// random, an instance dies and is replaced (its zombie fenced), a second instance joins, and the
// committed output must still hold every window's rows exactly once, equal to a naive recomputation,
// and watermark marks (on) from every input partition on every aggregates partition, never going back.
// Run over the in-memory store (unit test) and over Redis (integration test).
import {
  type ConsumedRecord,
  KafkaErrorCode,
  KafkaLoopError,
  readWatermarkMark,
  TransactionalLoop,
} from '@healthstream/shared/kafka'
import { Topics } from '@healthstream/shared/topics'
import { MemoryBroker, MemoryConsumer, MemoryProducer } from '@healthstream/testkit/memory'
import { aggregationSpec } from '../../src/windows/spec.ts'
import type { AggregateStore } from '../../src/windows/store.ts'
import { Aggregator, aggregatorDeps, decodeOutputs, type Serdes, serdes } from './harness.ts'
import { assertExactlyOnce, type Placed, prng, scenario, sentinels } from './scenario.ts'

const PARTITIONS = 4
const GROUP = 'aggregator'

function append(broker: MemoryBroker, s: Serdes, placed: readonly Placed[]): void {
  broker.append(
    placed.map(({ partition, sample }) => ({
      topic: Topics.validated,
      partition,
      key: Buffer.from(sample.userId),
      value: s.validated.serialize(sample),
    })),
  )
}

/** Starts one aggregator instance; `abortRate` of its transactions fail at commit. */
async function instance(
  broker: MemoryBroker,
  s: Serdes,
  store: AggregateStore,
  txId: string,
  abortRate: number,
  seed: number,
) {
  const random = prng(seed)
  const consumer = new MemoryConsumer(broker, GROUP)
  const producer = new MemoryProducer(broker, txId)
  const deps = await aggregatorDeps({ store, serdes: s })
  const aggregator = new Aggregator({ ...deps, watermarkMarks: PARTITIONS })
  const loop = new TransactionalLoop({
    consumer,
    producer,
    inputTopics: [Topics.validated],
    transform: aggregator.transform,
    maxBatchRecords: 37,
    lingerMs: 0,
    fetchMaxWaitMs: 10,
    retryBackoff: { initialMs: 1, maxMs: 5 },
    onEvent: (event) => {
      if (event.type === 'produced' && random() < abortRate) {
        producer.faults.failNext(
          'commit',
          new KafkaLoopError(KafkaErrorCode.TRANSIENT, 'injected commit failure'),
        )
      }
    },
  })
  const done = loop.run().catch(() => undefined) // a fenced zombie fails; that is the point
  return { consumer, loop, done }
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function consumedAll(broker: MemoryBroker, counts: readonly number[]): boolean {
  return counts.every((n, p) => broker.committedOffset(GROUP, Topics.validated, p) === BigInt(n))
}

/** Appends the input in `chunks` slices of stream time, each consumed before the next, as live data flows. */
async function feed(
  broker: MemoryBroker,
  s: Serdes,
  placed: readonly Placed[],
  counts: number[],
  chunks: number,
  between: (chunk: number) => Promise<void>,
) {
  for (let c = 0; c < chunks; c++) {
    const slice = placed.slice(
      Math.floor((placed.length * c) / chunks),
      Math.floor((placed.length * (c + 1)) / chunks),
    )
    append(broker, s, slice)
    for (const { partition } of slice) counts[partition] = counts[partition]! + 1
    await between(c)
    await until(() => consumedAll(broker, counts), `chunk ${c}`)
  }
}

/** Runs the scenario with `store` and asserts the committed output (see the top of this file). */
export async function runLoopScenario(
  t: { after(fn: () => unknown): void },
  store: AggregateStore,
  count = 3000,
) {
  const broker = new MemoryBroker()
  for (const topic of [Topics.validated, Topics.aggregates, Topics.errors])
    broker.createTopic(topic, PARTITIONS)
  const s = await serdes()
  const input = scenario({ seed: 7, partitions: PARTITIONS, count })
  const counts = Array.from({ length: PARTITIONS }, () => 0)
  const instances = [await instance(broker, s, store, 'tx-a', 0.25, 1)]
  t.after(() => Promise.all(instances.map((i) => i.loop.stop())))
  await feed(broker, s, input.samples, counts, 45, async (chunk) => {
    if (chunk === 15) {
      // A dies mid-chunk: its member expires and a new process with the same transactional id fences it
      broker.leave(GROUP, instances[0]!.consumer.memberId!)
      instances.push(await instance(broker, s, store, 'tx-a', 0.25, 2))
    }
    if (chunk === 30) instances.push(await instance(broker, s, store, 'tx-b', 0.25, 3))
  })
  await feed(broker, s, [...sentinels(PARTITIONS, 1), ...sentinels(PARTITIONS, 2)], counts, 2, async () => {})

  const produced = await decodeOutputs(s, [
    ...broker.readCommitted(Topics.aggregates),
    ...broker.readCommitted(Topics.errors),
  ])
  assertExactlyOnce(produced, input, aggregationSpec())
  assertMarks(broker.readCommitted(Topics.aggregates), counts)
}

/**
 * The committed watermark marks: on every aggregates partition, for every input partition that had
 * data, at least one, and never lower than the one before (aborted transactions took theirs along).
 */
function assertMarks(records: readonly ConsumedRecord[], counts: readonly number[]): void {
  const last = new Map<string, bigint>()
  for (const r of records) {
    const mark = readWatermarkMark(r.headers)
    if (mark === null) continue
    const key = `${r.partition}/${mark.sourcePartition}`
    const before = last.get(key)
    if (before !== undefined && mark.watermark < before)
      throw new Error(`mark ${key} went back from ${before} to ${mark.watermark} at offset ${r.offset}`)
    last.set(key, mark.watermark)
  }
  for (let q = 0; q < PARTITIONS; q++)
    for (const [p, n] of counts.entries())
      if (n > 0 && !last.has(`${q}/${p}`)) throw new Error(`no mark of input partition ${p} on ${q}`)
}
