/**
 * `healthstream.complete-before` of the aggregate tables through the real aggregator and lake-writer:
 * validated samples go to partitions 0, 1 and 3 of health-data-validated, partition 2 is held back.
 * The aggregator fires the first day's windows of the three and marks its watermarks; the aggregate
 * tables wait for partition 2, then are complete before the day's end once its samples land, read
 * with the pyiceberg line of services/lake-writer/README.md.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { localTarget, serializers, T0, validatedSample } from '@healthstream/lake-writer/testing'
import { completeBefore, readTable, snapshotSummary } from '@healthstream/testkit/lake'
import { endpoint, eventually, testPipeline } from '@healthstream/testkit/stack'
import { Producer } from '@platformatic/kafka'

const MINUTE = 60_000_000
const DAY = 24 * 60 * MINUTE
const iso = (micros: number) => `${new Date(micros / 1000).toISOString().slice(0, 19)}Z`
/** Partition `p`'s samples: user `u<p>`, every 17 minutes from T0 for a day and a half. */
const samples = (p: number) =>
  Array.from({ length: 128 }, (_, k) => ({
    ...validatedSample(p * 1000 + k),
    userId: `u${p}`,
    startTime: T0 + k * 17 * MINUTE,
    timeZone: null,
  }))

describe('the aggregate tables through the aggregator', { timeout: 180_000 }, () => {
  const pipeline = testPipeline('complete-agg')
  const target = localTarget(mkdtempSync(join(tmpdir(), 'hs-complete-')))
  const four = { TOPIC_PARTITIONS: '4' }
  // A partition without records in a batch does not hold the others back (as in e2e.int.test.ts)
  const aggregator = pipeline.service('aggregator', { ...four, PARTITION_IDLE_TIMEOUT: '1ms' })
  const writer = pipeline.service('lake-writer', { ...four, ...target.env, COMMIT_INTERVAL: '300ms' })
  const producer = new Producer({
    clientId: 'completeness-e2e',
    bootstrapBrokers: [endpoint('KAFKA_BROKERS')],
    idempotent: true,
    autocreateTopics: false,
  })
  let ser: Awaited<ReturnType<typeof serializers>>
  const send = (partition: number) =>
    producer.send({
      messages: samples(partition).map((s) => ({
        topic: pipeline.topics.validated,
        partition,
        key: Buffer.from(s.userId),
        value: ser.validated.serialize(s),
      })),
    })
  const daily = target.ref('health_data_daily_agg')
  /** Input partitions marked past the first day on every partition of the aggregates topic (daily table). */
  const markedEverywhere = async () => {
    const summary = (await snapshotSummary(daily))?.summary ?? {}
    const text = summary['healthstream.partition-watermarks']
    if (text === undefined) return []
    const marks = JSON.parse(text)[pipeline.topics.aggregates] as Record<string, Record<string, number>>
    const past = (bySource: Record<string, number>) =>
      Object.keys(bySource).filter((p) => bySource[p]! >= T0 + DAY)
    const per = [0, 1, 2, 3].map((q) => past(marks[String(q)] ?? {}))
    return ['0', '1', '2', '3'].filter((p) => per.every((sources) => sources.includes(p)))
  }

  before(async () => {
    await Promise.all([aggregator.start(), writer.start()])
    ser = await serializers(pipeline.topics)
  })
  after(async () => {
    await producer.close()
    await Promise.all([aggregator.stop(), writer.stop()])
  })

  it('waits for the partition held back, then is complete before the day once its samples land', async () => {
    const dayEnd = iso(T0 + DAY)
    for (const p of [0, 1, 3]) await send(p)
    await eventually(
      'marks of partitions 0, 1 and 3 past the first day',
      async () => (await markedEverywhere()).length === 3,
    )
    const rows = await readTable({ ...daily, sort: ['user_id'] })
    assert.deepEqual(
      [...new Set(rows.filter((r) => r.window_start === T0).map((r) => r.user_id))],
      ['u0', 'u1', 'u3'],
      'the first day fired for the three',
    )
    assert.deepEqual(await markedEverywhere(), ['0', '1', '3'])
    assert.deepEqual(await completeBefore(daily, dayEnd), { complete: false, completeBefore: null })

    await send(2)
    await eventually(
      'health_data_daily_agg complete before the first day ends',
      async () => (await completeBefore(daily, dayEnd)).complete,
    )
    const { completeBefore: at } = await completeBefore(daily, dayEnd)
    const complete = await readTable({ ...daily, sort: ['user_id'] })
    const ended = complete.filter((r) => iso(Number(r.window_end)) <= at!)
    assert.deepEqual(
      [...new Set(ended.map((r) => r.user_id))],
      ['u0', 'u1', 'u2', 'u3'],
      "every window ending by then is in the table, the held partition's too",
    )
    assert.ok(at! <= iso(T0 + 127 * 17 * MINUTE - 10 * MINUTE), "never past the aggregator's watermark")
    for (const g of ['weekly', 'monthly'])
      await eventually(
        `health_data_${g}_agg complete too`,
        async () => (await completeBefore(target.ref(`health_data_${g}_agg`), dayEnd)).complete,
      )
  })
})
