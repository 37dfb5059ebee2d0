/**
 * `healthstream.complete-before` on the real stack: the lake-writer process, its input produced partition
 * by partition, the tables read by pyiceberg with the one call services/lake-writer/README.md documents.
 * One partition is held back; the completeness watermark waits for it and moves once its data lands.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { watermarkMarkRecord } from '@healthstream/shared/kafka'
import { completeBefore, snapshotSummary } from '@healthstream/testkit/lake'
import { endpoint, eventually, testPipeline } from '@healthstream/testkit/stack'
import { Producer } from '@platformatic/kafka'
import { SummaryKeys } from '../src/committing/offsets.ts'
import { TableNames } from '../src/committing/tables.ts'
import { aggregate, T0, validatedSample } from './support/records.ts'
import { drained, localTarget, serializers } from './support/stack.ts'

const HOUR = 3_600_000_000
const iso = (micros: number) => `${new Date(micros / 1000).toISOString().slice(0, 19)}Z`
const MINUTES_17 = 17 * 60_000_000
/** Partition `p`'s samples number `from` … `to` (exclusive): start times every 17 minutes from T0. */
const samples = (p: number, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({
    ...validatedSample(p * 1000 + from + i),
    startTime: T0 + (from + i) * MINUTES_17,
  }))
/** Event time of a partition's sample number `k`. */
const eventTime = (k: number) => T0 + k * MINUTES_17
const TEN_MINUTES = 10 * 60_000_000

describe('the completeness watermark', { timeout: 150_000 }, () => {
  const target = localTarget(mkdtempSync(join(tmpdir(), 'lake-writer-complete-')))
  const pipeline = testPipeline('complete')
  const env = { ...target.env, COMMIT_INTERVAL: '300ms', TOPIC_PARTITIONS: '4' }
  let writer = pipeline.service('lake-writer', env)
  const producer = new Producer({
    clientId: 'completeness-test',
    bootstrapBrokers: [endpoint('KAFKA_BROKERS')],
    idempotent: true,
    autocreateTopics: false,
  })
  let ser: Awaited<ReturnType<typeof serializers>>
  /** Sends values to one partition, in order. */
  const sendTo = async (input: 'validated' | 'aggregates', partition: number, values: readonly unknown[]) => {
    const topic = pipeline.topics[input]
    const messages = values.map((v) => ({
      topic,
      partition,
      key: Buffer.from('k'),
      value: ser[input].serialize(v),
    }))
    await producer.send({ messages })
  }
  /** Sends the aggregator's mark for input partition `source` at `watermark` to partition `partition`. */
  const markTo = async (partition: number, source: number, watermark: number) => {
    const r = watermarkMarkRecord(pipeline.topics.aggregates, partition, {
      sourcePartition: source,
      watermark: BigInt(watermark),
    })
    const headers = new Map([...r.headers!].map(([k, v]) => [Buffer.from(k), v]))
    await producer.send({ messages: [{ topic: r.topic, partition, key: r.key!, headers }] })
  }
  const settled = (table: string, input: 'validated' | 'aggregates') =>
    eventually(`${table} to hold all of ${input}`, () =>
      drained(target, table, pipeline.topics[input]).catch(() => false),
    )
  const summaryOf = async (table: string) => (await snapshotSummary(target.ref(table)))?.summary ?? {}

  before(async () => {
    await writer.start()
    ser = await serializers(pipeline.topics)
  })
  after(async () => {
    await producer.close()
    await writer.stop()
  })

  it('of health_data_raw waits for a partition held back, then follows its data as it lands', async () => {
    // Partitions 0, 1, 3: samples from T0 to a day and a half later; partition 2: nothing yet
    for (const p of [0, 1, 3]) await sendTo('validated', p, samples(p, 0, 130))
    await settled(TableNames.raw, 'validated')
    const dayEnd = iso(T0 + 24 * HOUR)
    let summary = await summaryOf(TableNames.raw)
    assert.equal(summary[SummaryKeys.completeBefore], undefined, 'no watermark while partition 2 is silent')
    assert.deepEqual(Object.keys(JSON.parse(summary[SummaryKeys.eventTimes]!)[pipeline.topics.validated]), [
      '0',
      '1',
      '3',
    ])
    assert.deepEqual(await completeBefore(target.ref(TableNames.raw), dayEnd), {
      complete: false,
      completeBefore: null,
    })

    // Partition 2 delivers its first 40 samples: T0 … T0 + 11 h 03 min
    await sendTo('validated', 2, samples(2, 0, 40))
    await settled(TableNames.raw, 'validated')
    const held = eventTime(39) - TEN_MINUTES
    summary = await summaryOf(TableNames.raw)
    assert.equal(summary[SummaryKeys.completeBefore], iso(held), "partition 2's largest event time − 10 min")
    assert.ok(
      summary[SummaryKeys.completeBefore]! < iso(eventTime(40)),
      'never past what partition 2 still owes',
    )
    assert.equal((await completeBefore(target.ref(TableNames.raw), dayEnd)).complete, false)

    // The rest of partition 2 lands: the day is complete
    await sendTo('validated', 2, samples(2, 40, 130))
    await settled(TableNames.raw, 'validated')
    assert.deepEqual(await completeBefore(target.ref(TableNames.raw), dayEnd), {
      complete: true,
      completeBefore: iso(eventTime(129) - TEN_MINUTES),
    })
  })

  it('is resumed after a restart: a commit of one partition keeps the others', async () => {
    await writer.stop()
    writer = pipeline.service('lake-writer', env)
    await writer.start()
    const before = await summaryOf(TableNames.raw)
    await sendTo('validated', 3, samples(3, 130, 140))
    await settled(TableNames.raw, 'validated')
    const now = await summaryOf(TableNames.raw)
    assert.notEqual(now[SummaryKeys.eventTimes], before[SummaryKeys.eventTimes])
    assert.equal(
      now[SummaryKeys.completeBefore],
      before[SummaryKeys.completeBefore],
      'still held by partitions 0, 1 and 2',
    )
    const times = JSON.parse(now[SummaryKeys.eventTimes]!)[pipeline.topics.validated]
    assert.equal(Object.keys(times).length, 4)
  })

  it('of an aggregate table waits for every aggregator partition on every partition of the topic', async () => {
    const dayEnd = iso(T0 + 24 * HOUR)
    const watermark = T0 + 24 * HOUR + TEN_MINUTES
    // The window rows of day 0 from aggregator partitions 0, 1, 3, then their marks on every partition
    for (const q of [0, 1, 2, 3]) await sendTo('aggregates', q, [aggregate(`u${q}`, 0, 1)])
    for (const q of [0, 1, 2, 3]) for (const source of [0, 1, 3]) await markTo(q, source, watermark)
    await settled(TableNames.daily, 'aggregates')
    const summary = await summaryOf(TableNames.daily)
    assert.equal(summary[SummaryKeys.completeBefore], undefined, 'aggregator partition 2 has marked nothing')
    assert.equal((await completeBefore(target.ref(TableNames.daily), dayEnd)).complete, false)

    // Partition 2 marks on three partitions of the topic: still not on partition 2
    for (const q of [0, 1, 3]) await markTo(q, 2, watermark)
    await settled(TableNames.daily, 'aggregates')
    assert.equal((await summaryOf(TableNames.daily))[SummaryKeys.completeBefore], undefined)

    // Its window row and its mark land on partition 2: the day is complete in every aggregate table
    await sendTo('aggregates', 2, [aggregate('u-late', 0, 1)])
    await markTo(2, 2, watermark)
    for (const table of [TableNames.daily, TableNames.weekly, TableNames.monthly])
      await settled(table, 'aggregates')
    for (const table of [TableNames.daily, TableNames.weekly, TableNames.monthly])
      assert.deepEqual(await completeBefore(target.ref(table), dayEnd), {
        complete: true,
        completeBefore: iso(watermark),
      })
    const marks = JSON.parse((await summaryOf(TableNames.daily))[SummaryKeys.marks]!)[
      pipeline.topics.aggregates
    ]
    assert.deepEqual(marks['2'], { 0: watermark, 1: watermark, 2: watermark, 3: watermark })
  })
})
