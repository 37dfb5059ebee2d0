import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ColumnBatch } from '@healthstream/iceberg'
import { AvroDeserializer, AvroSerializer, schemaText } from '@healthstream/shared/avro'
import type { ValidatedSample } from '@healthstream/shared/domain'
import type { ConsumedRecord } from '@healthstream/shared/kafka'
import { TopicSchemas, topicNames } from '@healthstream/shared/topics'
import { MemorySchemaRegistry } from '@healthstream/testkit/memory'
import { TABLES, TableNames } from '../../src/committing/tables.ts'
import { topicRoutes } from '../../src/consuming/routing.ts'
import { RAW_COLUMN_OF, rawRow } from '../../src/consuming/rows.ts'
import { validatedSample } from '../support/records.ts'

const topics = topicNames('')
const RAW_SCHEMA = TABLES.find((t) => t.name === TableNames.raw)!.schema

/** The validated-sample schema with one more optional field: a writer version the fast reader does not take. */
function evolvedSchema(): string {
  const schema = JSON.parse(schemaText(TopicSchemas.validated))
  schema.fields.push({ name: 'extra', type: ['null', 'string'], default: null })
  return JSON.stringify(schema)
}

async function setup() {
  const registry = new MemorySchemaRegistry()
  const same = await AvroSerializer.create({
    registry,
    topic: topics.validated,
    schema: TopicSchemas.validated,
  })
  const evolved = await AvroSerializer.create({ registry, topic: topics.validated, schema: evolvedSchema() })
  const decoder = new AvroDeserializer<ValidatedSample>({ registry, readerSchema: TopicSchemas.validated })
  // Counts the records that took avsc's path
  const slow = { count: 0 }
  const decodeLoaded = decoder.decodeLoaded.bind(decoder)
  decoder.decodeLoaded = (m) => {
    slow.count++
    return decodeLoaded(m)
  }
  const route = topicRoutes(topics, {
    validated: decoder,
    aggregates: new AvroDeserializer({ registry, readerSchema: TopicSchemas.aggregates }),
    errors: new AvroDeserializer({ registry, readerSchema: TopicSchemas.errors }),
  }).find((r) => r.topic === topics.validated)!
  return { same, evolved, route, slow }
}

const record = (value: Buffer | null, offset: number): ConsumedRecord =>
  ({ topic: topics.validated, partition: 2, offset: BigInt(offset), key: null, value }) as ConsumedRecord

describe('the validated route', () => {
  it('names a column for every field of a validated sample but its extras, the ones rawRow writes', () => {
    const sample = validatedSample(3)
    const row = rawRow(sample, { partition: 0, offset: 0n })
    const own = Object.entries(sample).filter(([k]) => k !== 'extras')
    const mapped = Object.fromEntries(own.map(([k, v]) => [RAW_COLUMN_OF[k], v]))
    assert.deepEqual({ ...mapped, kafka_partition: 0, kafka_offset: 0n }, row)
  })

  it('reads a record of the reader schema straight into the columns rawRow rows would fill', async () => {
    const { same, evolved, route, slow } = await setup()
    const samples = Array.from({ length: 50 }, (_, i) => validatedSample(i))
    const direct = route.direct!
    assert.equal(direct.table, TableNames.raw)
    const read = ColumnBatch.of(RAW_SCHEMA)!
    const pushed = ColumnBatch.of(RAW_SCHEMA)!
    const records = samples.map((s, i) => record(same.serialize(s), i))
    await route.prepare(records)
    for (const [i, r] of records.entries()) {
      assert.ok(read.append((columns) => direct.read(r, columns)))
      pushed.push(rawRow(samples[i]!, { partition: 2, offset: BigInt(i) }))
    }
    assert.equal(read.length, 50)
    assert.deepEqual(read.columns, pushed.columns)
    assert.equal(slow.count, 0, 'avsc decoded none of them')

    // Another writer version is not read directly: decode resolves it with avsc into the same row
    const evolvedRecords = samples.map((s, i) => record(evolved.serialize({ ...s, extra: 'x' }), 50 + i))
    await route.prepare(evolvedRecords)
    for (const [i, r] of evolvedRecords.entries()) {
      assert.equal(
        read.append((columns) => direct.read(r, columns)),
        false,
      )
      const x = route.decode(r)
      assert.equal(x.table, TableNames.raw)
      assert.equal(x.deadLetter, undefined)
      assert.deepEqual(x.row, rawRow(samples[i]!, { partition: 2, offset: BigInt(50 + i) }))
    }
    assert.equal(read.length, 50)
    assert.equal(slow.count, 50)
  })

  it('reads nothing directly from truncated bytes, trailing bytes or a tombstone, and leaves the columns as they were', async () => {
    const { same, route } = await setup()
    const bytes = same.serialize(validatedSample(1))
    const good = record(bytes, 0)
    const bad = [
      record(bytes.subarray(0, bytes.length - 3), 1),
      record(null, 2),
      record(Buffer.concat([bytes, Buffer.from([1])]), 3),
      record(bytes.subarray(0, 40), 4),
    ]
    await route.prepare([good, ...bad])
    const batch = ColumnBatch.of(RAW_SCHEMA)!
    assert.ok(batch.append((columns) => route.direct!.read(good, columns)))
    const before = structuredClone(batch.columns.map((c) => ({ length: c.length, nulls: c.nulls })))
    for (const r of bad)
      assert.equal(
        batch.append((columns) => route.direct!.read(r, columns)),
        false,
      )
    assert.deepEqual(
      batch.columns.map((c) => ({ length: c.length, nulls: c.nulls })),
      before,
    )
    // and the next good record lands whole
    assert.ok(batch.append((columns) => route.direct!.read(good, columns)))
    assert.ok(batch.columns.every((c) => c.length === 2))
  })

  it('makes truncated bytes and tombstones dead letters with their reason', async () => {
    const { same, route } = await setup()
    const bytes = same.serialize(validatedSample(1))
    const records = [
      record(bytes.subarray(0, bytes.length - 3), 0),
      record(null, 1),
      record(Buffer.concat([bytes, Buffer.from([1])]), 2),
    ]
    await route.prepare(records)
    assert.deepEqual(
      records.map((r) => [route.decode(r).table, route.decode(r).deadLetter?.reason]),
      [
        [TableNames.errors, 'DECODE_FAILED'],
        [TableNames.errors, 'TOMBSTONE'],
        [TableNames.errors, 'DECODE_FAILED'],
      ],
    )
  })

  it('makes a record standing for a batch beyond the inflate bound one dead letter at the batch', async () => {
    const { route } = await setup()
    const marker: ConsumedRecord = {
      ...record(null, 9),
      unreadable: {
        reason: 'inflate_limit',
        firstOffset: 5n,
        lastOffset: 9n,
        codec: 'gzip',
        compressedBytes: 1_000_000,
        limit: 64 << 20,
      },
    }
    await route.prepare([marker])
    const routed = route.decode(marker)
    assert.equal(routed.table, TableNames.errors)
    assert.equal(routed.deadLetter?.reason, 'BATCH_INFLATE_LIMIT')
    assert.equal(routed.row.error_id, `lake-writer:${topics.validated}:2:5`)
    assert.equal(routed.row.source_offset, 5)
    assert.equal(
      routed.row.kafka_offset,
      9n,
      'the row sits at the last offset: the table moves past the batch',
    )
    assert.match(String(routed.row.message), /offsets 5\.\.9 .* 1000000 bytes of gzip inflate beyond/)
  })
})
