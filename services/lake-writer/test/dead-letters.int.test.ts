/**
 * Poison among good records on each input topic (random bytes, a wrong magic byte, an unknown schema
 * id, truncated Avro, a tombstone, an unknown granularity): the lake-writer process keeps running,
 * every good record is in its table, and every poison record is in health_data_errors exactly once
 * with its reason, its coordinates and its bytes, as pyiceberg reads them.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { AvroDeserializer, HttpSchemaRegistry } from '@healthstream/shared/avro'
import type { ValidatedSample } from '@healthstream/shared/domain'
import { type ConsumedRecord, readCommittedTopic } from '@healthstream/shared/kafka'
import { TopicSchemas } from '@healthstream/shared/topics'
import { readTable } from '@healthstream/testkit/lake'
import { endpoint, eventually, testPipeline } from '@healthstream/testkit/stack'
import { TABLES, TableNames } from '../src/committing/tables.ts'
import { errorRow, rawRow } from '../src/consuming/rows.ts'
import { readerForm, sortedBy } from './support/expected.ts'
import { type Poison, poisonFrom } from './support/poison.ts'
import { aggregate, errorRecord, validatedSample } from './support/records.ts'
import { drained, InputProducer, localTarget, serializers } from './support/stack.ts'

type Input = 'validated' | 'aggregates' | 'errors'
const INPUTS: readonly Input[] = ['validated', 'aggregates', 'errors']
const def = (name: string) => TABLES.find((t) => t.name === name)!
const kafka = () => ({ bootstrapBrokers: [endpoint('KAFKA_BROKERS')], clientId: 'lake-writer-test-dlq' })
const isPoison = (r: ConsumedRecord) => r.key?.toString().startsWith('poison:') ?? false

describe('the lake-writer given undecodable input', { timeout: 110_000 }, () => {
  const target = localTarget(mkdtempSync(join(tmpdir(), 'lake-writer-dlq-')))
  const pipeline = testPipeline('lake-dlq')
  const writer = pipeline.service('lake-writer', { ...target.env, COMMIT_INTERVAL: '300ms' })
  const producer = new InputProducer()
  after(async () => {
    await producer.close()
    await writer.stop()
  })

  it('dead-letters every poison record into health_data_errors once and keeps every good one', async () => {
    await writer.start()
    const ser = await serializers(pipeline.topics)
    const good: Record<Input, (i: number) => { key: string; value: Buffer }> = {
      validated: (i) => ({ key: `u${i % 7}`, value: ser.validated.serialize(validatedSample(i)) }),
      aggregates: (i) => ({
        key: `a${i}`,
        value: ser.aggregates.serialize(aggregate(`user-${i}`, 0, 1, i % 2 === 0 ? 'daily' : 'monthly')),
      }),
      errors: (i) => ({ key: `e${i}`, value: ser.errors.serialize(errorRecord(i)) }),
    }
    const poison = new Map<string, Poison>()
    for (const topic of INPUTS) {
      const bad = poisonFrom(good[topic](0).value).map((p) => {
        poison.set(`poison:${topic}:${p.kind}`, p)
        return { key: `poison:${topic}:${p.kind}`, value: p.value }
      })
      if (topic === 'aggregates') {
        const value = ser.aggregates.serialize({ ...aggregate('h', 0, 1), granularity: 'hourly' })
        poison.set('poison:aggregates:hourly', { kind: 'hourly', value, reason: 'UNKNOWN_GRANULARITY' })
        bad.push({ key: 'poison:aggregates:hourly', value })
      }
      const goods = (from: number) => Array.from({ length: 30 }, (_, i) => good[topic](from + i))
      // Poison between good records, so each partition holds both before and after it.
      await producer.send(pipeline.topics[topic], [...goods(0), ...bad, ...goods(30), ...bad.slice(0, 2)])
    }
    const settled = (table: string, topic: Input) =>
      eventually(`${table} to hold all of ${topic}`, () =>
        drained(target, table, pipeline.topics[topic]).catch(() => false),
      )
    await settled(TableNames.raw, 'validated')
    await settled(TableNames.daily, 'aggregates')
    for (const topic of INPUTS) await settled(TableNames.errors, topic)
    assert.ok(writer.running, 'the lake-writer kept running')
    assert.deepEqual(writer.unexpectedExits, [])

    const consumed = new Map<Input, ConsumedRecord[]>()
    for (const topic of INPUTS) consumed.set(topic, await readCommittedTopic(kafka(), pipeline.topics[topic]))

    // Every good sample, value for value.
    const registry = new HttpSchemaRegistry({ url: endpoint('SCHEMA_REGISTRY_URL') })
    const decode = <T>(schema: object, r: ConsumedRecord) =>
      new AvroDeserializer<T>({ registry, readerSchema: schema }).decode(r.value!).then((d) => {
        if (!d.ok) throw new Error(`good record undecodable: ${d.detail}`)
        return { value: d.value, at: { partition: r.partition, offset: r.offset } }
      })
    const samples = await Promise.all(
      consumed
        .get('validated')!
        .filter((r) => !isPoison(r))
        .map((r) => decode<ValidatedSample>(TopicSchemas.validated, r)),
    )
    assert.equal(samples.length, 60)
    const wantRaw = samples.map((s) => readerForm(def(TableNames.raw), rawRow(s.value, s.at)))
    const gotRaw = await readTable({ ...target.ref(TableNames.raw), sort: ['sample_id'] })
    assert.deepEqual(sortedBy(gotRaw, 'sample_id'), sortedBy(wantRaw, 'sample_id'))
    const aggs = async (table: string) => (await readTable({ ...target.ref(table) })).length
    assert.deepEqual([await aggs(TableNames.daily), await aggs(TableNames.monthly)], [30, 30])

    // The good dead letters from health-data-errors, and one row per poison record of any topic.
    const errors = await readTable({ ...target.ref(TableNames.errors), sort: ['error_id'] })
    const ids = errors.map((e) => e.error_id)
    assert.equal(new Set(ids).size, ids.length, 'no dead letter twice')
    const goodErrors = await Promise.all(
      consumed
        .get('errors')!
        .filter((r) => !isPoison(r))
        .map(async (r) => {
          const d = await decode<Parameters<typeof errorRow>[0]>(TopicSchemas.errors, r)
          return readerForm(def(TableNames.errors), errorRow(d.value, d.at))
        }),
    )
    assert.deepEqual(
      sortedBy(
        errors.filter((e) => e.stage !== 'lake-writer'),
        'error_id',
      ),
      sortedBy(goodErrors, 'error_id'),
    )
    const poisonRecords = INPUTS.flatMap((t) => consumed.get(t)!.filter(isPoison))
    // Per topic its six kinds and the first two again (aggregates: also an unknown granularity).
    assert.equal(poisonRecords.length, 8 + 9 + 8)
    assert.equal(
      poisonRecords.filter((r) => r.value === null).length,
      3,
      'one tombstone per topic, arrived as such',
    )
    const dead = errors.filter((e) => e.stage === 'lake-writer')
    assert.equal(dead.length, poisonRecords.length, 'one dead letter per poison record')
    for (const r of poisonRecords) {
      const p = poison.get(r.key!.toString())!
      const row = dead.find((d) => d.error_id === `lake-writer:${r.topic}:${r.partition}:${r.offset}`)
      assert.ok(row, `${p.kind} on ${r.topic} is dead-lettered`)
      assert.deepEqual(
        {
          reason: row.reason_code,
          at: [row.source_topic, row.source_partition, row.source_offset],
          kafka: [row.kafka_partition, row.kafka_offset],
          format: row.payload_format,
          payload: row.payload,
        },
        {
          reason: p.reason,
          at: [r.topic, r.partition, Number(r.offset)],
          kafka: [r.partition, Number(r.offset)],
          format: 'raw',
          payload: (p.value ?? Buffer.alloc(0)).toString('base64'),
        },
        `${p.kind} on ${r.topic}`,
      )
    }

    // The metric still counts them, by reason (a resync could count a record again, never fewer).
    const metrics = await (await writer.fetch('/metrics')).text()
    const counted = (reason: string) =>
      Number(
        new RegExp(`healthstream_lake_skipped_records_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)`).exec(
          metrics,
        )?.[1] ?? 0,
      )
    for (const reason of [
      'BAD_MAGIC',
      'UNKNOWN_SCHEMA_ID',
      'DECODE_FAILED',
      'TOMBSTONE',
      'UNKNOWN_GRANULARITY',
    ])
      assert.ok(counted(reason) >= dead.filter((d) => d.reason_code === reason).length, reason)
  })
})
