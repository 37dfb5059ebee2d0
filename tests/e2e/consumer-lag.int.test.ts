/**
 * Each service's `healthstream_consumer_lag_records` against the lag computed from Kafka's own offsets,
 * on the real local stack: the read_committed end of every input partition (ListOffsets through an
 * admin-side client) minus the group's committed offset (OffsetFetch through the admin API) for the
 * three hops, minus the smallest offset the tables fed by the topic record (read by pyiceberg from
 * each table's current snapshot) for the lake-writer; the log start where there is none.
 *
 * The chain first drains one batch into the lake (so the tables record offsets), then each service is
 * paused in turn from the end of the chain while a new batch goes in, so that every one of them is
 * behind by records it has not processed: compared there (the lag must be non-zero, and at least the
 * records left to process), then resumed, drained, and compared again, when no committed record is left
 * beyond any position (what remains of the lag on transactional topics are the commit markers after the
 * last records, which Kafka's offsets count as well).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { localTarget } from '@healthstream/lake-writer/testing'
import { type ConsumedRecord, readCommittedTopic } from '@healthstream/shared/kafka'
import { snapshotSummary } from '@healthstream/testkit/lake'
import {
  endpoint,
  eventually,
  groupTopicKey,
  OffsetsProbe,
  type ServiceProcess,
  simulateInto,
  TEST_ADMIN_TOKEN,
  testPipeline,
} from '@healthstream/testkit/stack'

/** Lag or position per `topic:partition`. */
type PerPartition = Record<string, number>

const pipeline = testPipeline('lag')
const { topics } = pipeline
const dir = mkdtempSync(join(tmpdir(), 'hs-lag-'))
const target = localTarget(dir)
const common = { TOPIC_PARTITIONS: '4', LAG_REFRESH_INTERVAL: '200ms' }
const ingest = pipeline.service('ingest', common)
const validator = pipeline.service('validator', common)
const aggregator = pipeline.service('aggregator', { ...common, PARTITION_IDLE_TIMEOUT: '1ms' })
const writer = pipeline.service('lake-writer', { ...common, ...target.env, COMMIT_INTERVAL: '1s' })
const services = [ingest, validator, aggregator, writer]

/** The tables each input topic of the lake-writer feeds (its README: every topic feeds the errors table). */
const FEEDS: Record<string, readonly string[]> = {
  [topics.validated]: ['health_data_raw', 'health_data_errors'],
  [topics.aggregates]: [
    'health_data_daily_agg',
    'health_data_weekly_agg',
    'health_data_monthly_agg',
    'health_data_errors',
  ],
  [topics.errors]: ['health_data_errors'],
}

/** A service, its input topics, and where it stands in each of their partitions, read from outside. */
interface Consumer {
  readonly service: ServiceProcess
  readonly inputs: readonly string[]
  positions(): Promise<PerPartition>
}

const probe = new OffsetsProbe([endpoint('KAFKA_BROKERS')], 'consumer-lag-test')

/** A hop's positions: its group's committed offsets (OffsetFetch). */
const hop = (service: ServiceProcess, inputs: readonly string[]): Consumer => ({
  service,
  inputs,
  async positions() {
    const group = `${pipeline.prefix}healthstream-${service.name}`
    const pairs = inputs.map((topic) => ({ group, topic }))
    const committed = await probe.committed(pairs)
    const out: PerPartition = {}
    for (const pair of pairs)
      (committed.get(groupTopicKey(pair)) ?? []).forEach((offset, p) => {
        if (offset >= 0n) out[`${pair.topic}:${p}`] = Number(offset)
      })
    return out
  },
})

/** The lake-writer's positions: per partition, the smallest offset the tables its topic feeds record. */
const lake: Consumer = {
  service: writer,
  inputs: Object.keys(FEEDS),
  async positions() {
    const tables = [...new Set(Object.values(FEEDS).flat())]
    const recorded = new Map(
      await Promise.all(
        tables.map(async (table) => {
          const summary = (await snapshotSummary(target.ref(table)))?.summary ?? {}
          const offsets = JSON.parse(summary['healthstream.kafka-offsets'] ?? '{}')
          return [table, offsets as Record<string, Record<string, number>>] as const
        }),
      ),
    )
    const out: PerPartition = {}
    for (const [topic, fed] of Object.entries(FEEDS))
      for (let p = 0; p < 4; p++) {
        const offsets = fed.map((table) => recorded.get(table)?.[topic]?.[String(p)])
        if (offsets.every((o) => o !== undefined)) out[`${topic}:${p}`] = Math.min(...offsets)
      }
    return out
  },
}

const consumers = [
  hop(ingest, [topics.raw]),
  hop(validator, [topics.samples]),
  hop(aggregator, [topics.validated]),
  lake,
]

/** The lag from Kafka's own offsets: read_committed end minus the position (the log start without one). */
async function kafkaLag(consumer: Consumer): Promise<PerPartition> {
  const [ends, positions] = await Promise.all([probe.ends(consumer.inputs), consumer.positions()])
  const out: PerPartition = {}
  for (const topic of consumer.inputs) {
    const starts = await probe.starts(topic)
    for (const [p, end] of (ends.get(topic) ?? []).entries()) {
      const key = `${topic}:${p}`
      out[key] = Number(end) - (positions[key] ?? Number(starts[p] ?? 0n))
    }
  }
  return out
}

/** The service's own figure: its lag series on /metrics. */
async function metricLag(service: ServiceProcess): Promise<PerPartition> {
  const text = await (await service.fetch('/metrics')).text()
  const out: PerPartition = {}
  for (const [, labels, value] of text.matchAll(/^healthstream_consumer_lag_records\{([^}]*)\} (\S+)$/gm)) {
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels!)?.[1]
    out[`${label('topic')}:${label('partition')}`] = Number(value)
  }
  return out
}

const sorted = (lags: PerPartition): PerPartition =>
  Object.fromEntries(Object.entries(lags).sort(([a], [b]) => a.localeCompare(b)))

/** Waits until the service's metric equals the lag from Kafka's offsets, and returns both. */
async function agreed(consumer: Consumer): Promise<PerPartition> {
  let seen = { metric: {}, kafka: {} } as { metric: PerPartition; kafka: PerPartition }
  await eventually(
    `${consumer.service.name}'s lag metric to match Kafka's offsets`,
    async () => {
      seen = { metric: sorted(await metricLag(consumer.service)), kafka: sorted(await kafkaLag(consumer)) }
      return Object.keys(seen.kafka).length > 0 && JSON.stringify(seen.metric) === JSON.stringify(seen.kafka)
    },
    30_000,
  ).catch((error: Error) => {
    assert.deepEqual(seen.metric, seen.kafka, error.message)
  })
  return seen.metric
}

/** Every committed record of the consumer's inputs (read_committed, from the log start). */
async function inputRecords(consumer: Consumer): Promise<ConsumedRecord[]> {
  const kafka = { bootstrapBrokers: [endpoint('KAFKA_BROKERS')], clientId: 'lag-test' }
  return (await Promise.all(consumer.inputs.map((topic) => readCommittedTopic(kafka, topic)))).flat()
}

/** Committed records of the consumer's inputs at or beyond its positions: what it has yet to process. */
async function outstanding(consumer: Consumer): Promise<number> {
  const positions = await consumer.positions()
  const records = await inputRecords(consumer)
  return records.filter((r) => r.offset >= BigInt(positions[`${r.topic}:${r.partition}`] ?? 0)).length
}

/**
 * What Kafka's offsets leave of the lag once every record is processed: per partition, the offsets
 * after the last record (the commit markers of the transactions that wrote there last; none on a topic
 * written without transactions).
 */
async function afterLastRecord(consumer: Consumer): Promise<PerPartition> {
  const next = new Map<string, bigint>()
  for (const r of await inputRecords(consumer)) next.set(`${r.topic}:${r.partition}`, r.offset + 1n)
  const ends = await probe.ends(consumer.inputs)
  const out: PerPartition = {}
  for (const topic of consumer.inputs) {
    const starts = await probe.starts(topic)
    for (const [p, end] of (ends.get(topic) ?? []).entries())
      out[`${topic}:${p}`] = Number(end - (next.get(`${topic}:${p}`) ?? starts[p] ?? 0n))
  }
  return sorted(out)
}

const caughtUp = (consumer: Consumer, timeoutMs = 90_000) =>
  eventually(
    `${consumer.service.name} to catch up`,
    async () => (await outstanding(consumer)) === 0,
    timeoutMs,
  )

async function admin(service: ServiceProcess, action: 'pause' | 'resume'): Promise<void> {
  const response = await service.fetch(`/admin/${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  })
  assert.equal(response.status, 200, `${action} ${service.name}`)
}

let seed = 0
const batch = () =>
  simulateInto(pipeline, { samples: 1_000, users: 3, seed: ++seed, start: Date.now() - 3 * 86_400_000 })

const total = (lags: PerPartition) => Object.values(lags).reduce((a, b) => a + b, 0)

describe('the consumer lag metric of every service', { timeout: 420_000 }, () => {
  after(async () => {
    await Promise.all(services.map((s) => s.stop()))
    await probe.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('matches the lag from the offsets in Kafka while behind, and after draining', async (t) => {
    await Promise.all(services.map((s) => s.start()))
    await batch()
    for (const c of consumers) await caughtUp(c)

    // From the end of the chain: pause one, feed a batch, let the ones before it process it
    const [forIngest, forValidator, forAggregator, forLake] = consumers as [
      Consumer,
      Consumer,
      Consumer,
      Consumer,
    ]
    for (const paused of [forLake, forAggregator, forValidator, forIngest]) {
      await admin(paused.service, 'pause')
      await batch()
      for (const c of consumers.slice(0, consumers.indexOf(paused))) await caughtUp(c)
    }

    for (const c of consumers) {
      const behind = await agreed(c)
      const left = await outstanding(c)
      t.diagnostic(
        `${c.service.name}: lag ${total(behind)} over ${Object.keys(behind).length} partitions, ${left} records left`,
      )
      assert.ok(left > 0, `${c.service.name} has records left to process`)
      assert.ok(
        total(behind) >= left,
        `${c.service.name}: lag ${total(behind)} counts the ${left} records left`,
      )
    }

    for (const s of services) await admin(s, 'resume')
    for (const c of consumers) await caughtUp(c)
    for (const c of consumers) {
      const drained = await agreed(c)
      assert.deepEqual(
        drained,
        await afterLastRecord(c),
        `${c.service.name}: only offsets after the last records`,
      )
    }
    assert.equal(
      total(await agreed(consumers[0]!)),
      0,
      'health-data-raw has no markers: ingest is at its end',
    )
  })
})
