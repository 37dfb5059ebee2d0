import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AvroDeserializer, AvroSerializer, encode, healthDataBatchV2 } from '@healthstream/shared/avro'
import type { ErrorRecord, HealthSample, RawBatch } from '@healthstream/shared/domain'
import type { ConsumedRecord } from '@healthstream/shared/kafka'
import { TopicSchemas, Topics } from '@healthstream/shared/topics'
import { MemorySchemaRegistry } from '@healthstream/testkit/memory'
import { evolved, rawBatch, UPSTREAM_V3 as V3 } from '@healthstream/testkit/upstream'
import avro from 'avsc'
import { BatchExtras } from '../src/extras.ts'
import { ingestTransform } from '../src/pipeline.ts'

/** An upload of user u-1 in the shape these cases compare, each sample overridden by its entry. */
const batch = (samples: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
  rawBatch(
    'b-1',
    'u-1',
    samples.map((s, i) => ({ sampleId: `s-${i}`, value: 61, startTime: '2026-11-25T08:00:00+01:00', ...s })),
    { platform: 'IOS', appVersion: null, uploadedAt: '2026-11-25T08:15:30.123+01:00', ...extra },
  )

const ctx = {
  session: { groupId: 'g', memberId: 'm', generationId: 1, assignment: [] },
  signal: new AbortController().signal,
}

async function setup() {
  const registry = new MemorySchemaRegistry()
  const extras = new BatchExtras(healthDataBatchV2)
  const transform = ingestTransform({
    decoder: new AvroDeserializer<RawBatch>({
      registry,
      readerSchema: healthDataBatchV2,
      keepWritten: extras.keeps,
    }),
    extras,
    samples: await AvroSerializer.create<HealthSample>({
      registry,
      topic: Topics.samples,
      schema: TopicSchemas.samples,
    }),
    errors: await AvroSerializer.create<ErrorRecord>({
      registry,
      topic: Topics.errors,
      schema: TopicSchemas.errors,
    }),
    samplesTopic: Topics.samples,
    errorsTopic: Topics.errors,
    maxMessageBytes: 1024 * 1024,
    maxErrorPayloadBytes: 1024,
    nowMicros: () => 1_764_000_000_000_000,
  })
  const readSample = new AvroDeserializer<HealthSample>({ registry, readerSchema: TopicSchemas.samples })
  const readError = new AvroDeserializer<ErrorRecord>({ registry, readerSchema: TopicSchemas.errors })
  const send = async (schema: object, value: object, subject = 'health-data-raw-value') => {
    const id = await registry.register(subject, schema)
    const bytes = encode(id, avro.Type.forSchema(schema as avro.Schema).toBuffer(value))
    const record = {
      topic: Topics.raw,
      partition: 0,
      offset: 5n,
      key: null,
      value: bytes,
      headers: new Map(),
      timestamp: 0,
    } as ConsumedRecord
    return transform([record], ctx)
  }
  return { send, readSample, readError }
}

describe('ingest keeps the fields a newer upstream schema adds', () => {
  it('puts the batch and sample extras of a v3 on each sample, with their kinds', async () => {
    const { send, readSample } = await setup()
    const out = await send(
      V3,
      batch([{ tags: ['a'], sensorLocation: 'wrist' }, {}], { deviceModel: 'Pixel 9' }),
    )
    const samples = await Promise.all(
      out.map(async (o) => (await readSample.decode(o.value!)) as { ok: true; value: HealthSample }),
    )
    assert.deepEqual(JSON.parse(samples[0]!.value.extras!), {
      deviceModel: { type: 'string', value: 'Pixel 9' },
      tags: { type: 'array<string>', value: ['a'] },
      sensorLocation: { type: 'string', value: 'wrist' },
    })
    assert.deepEqual(JSON.parse(samples[1]!.value.extras!).tags, { type: 'array<string>', value: [] })
  })

  it('gives v2 samples no extras', async () => {
    const { send, readSample } = await setup()
    const [out] = await send(healthDataBatchV2, batch([{}]))
    const decoded = await readSample.decode(out!.value!)
    assert.ok(decoded.ok)
    assert.equal(decoded.value.extras, null)
  })

  it('dead-letters a batch whose writer has one name at batch and sample level as SCHEMA_CONFLICT', async () => {
    const { send, readError } = await setup()
    const twice = evolved([{ name: 'site', type: 'string' }], [{ name: 'site', type: 'string' }])
    const out = await send(twice, batch([{ site: 'b' }], { site: 'a' }), 'other-value')
    assert.equal(out.length, 1)
    const decoded = await readError.decode(out[0]!.value!)
    assert.ok(decoded.ok)
    assert.equal(decoded.value.reasonCode, 'SCHEMA_CONFLICT')
    assert.match(decoded.value.message, /site is both a batch and a sample field/)
    assert.ok(decoded.value.payload.length > 0, 'the upload is kept')
  })
})
