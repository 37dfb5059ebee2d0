import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  AvroDeserializer,
  AvroSerializer,
  encode,
  healthDataBatchV1,
  healthDataBatchV2,
} from '@healthstream/shared/avro'
import type { ErrorRecord, HealthSample, RawBatch } from '@healthstream/shared/domain'
import type { ConsumedRecord } from '@healthstream/shared/kafka'
import { TopicSchemas, Topics } from '@healthstream/shared/topics'
import { MemorySchemaRegistry } from '@healthstream/testkit/memory'
import avro from 'avsc'
import { ingestTransform } from '../src/pipeline.ts'

const NOW = 1_764_000_000_000_000

async function setup() {
  const registry = new MemorySchemaRegistry()
  const v1 = await registry.register('health-data-raw-value', healthDataBatchV1)
  const v2 = await registry.register('health-data-raw-value', healthDataBatchV2)
  const samples = await AvroSerializer.create<HealthSample>({
    registry,
    topic: Topics.samples,
    schema: TopicSchemas.samples,
  })
  const errors = await AvroSerializer.create<ErrorRecord>({
    registry,
    topic: Topics.errors,
    schema: TopicSchemas.errors,
  })
  const transform = ingestTransform({
    decoder: new AvroDeserializer<RawBatch>({ registry, readerSchema: healthDataBatchV2 }),
    samples,
    errors,
    samplesTopic: Topics.samples,
    errorsTopic: Topics.errors,
    maxMessageBytes: 1024 * 1024,
    maxErrorPayloadBytes: 1024,
    nowMicros: () => NOW,
  })
  const readSample = new AvroDeserializer<HealthSample>({ registry, readerSchema: TopicSchemas.samples })
  const readError = new AvroDeserializer<ErrorRecord>({ registry, readerSchema: TopicSchemas.errors })
  return { v1, v2, transform, readSample, readError }
}

function batch(version: 1 | 2, samples: Record<string, unknown>[]) {
  return {
    batchId: 'b-1',
    userId: 'u-1',
    deviceId: 'd-1',
    platform: 'IOS',
    appVersion: null,
    uploadedAt: '2026-11-25T08:15:30.123+01:00',
    ...(version === 2 ? { timeZone: 'Europe/Berlin' } : {}),
    samples: samples.map((s) => ({
      sampleId: 's-1',
      dataType: 'heart_rate',
      value: 61,
      unit: 'count/min',
      startTime: '2026-11-25T08:00:00+01:00',
      endTime: null,
      sourceApp: null,
      ...(version === 2 ? { confidence: null } : {}),
      metadata: {},
      ...s,
    })),
    metadata: {},
  }
}

function consumed(value: Buffer, offset = 7n): ConsumedRecord {
  return {
    topic: Topics.raw,
    partition: 2,
    offset,
    key: Buffer.from('u-1'),
    value,
    headers: new Map([
      ['traceparent', Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')],
    ]),
    timestamp: 0,
  }
}

const signal = new AbortController().signal
const ctx = { session: { groupId: 'g', memberId: 'm', generationId: 1, assignment: [] }, signal }

describe('ingest transform', () => {
  for (const version of [1, 2] as const) {
    it(`flattens a v${version} batch into samples with micros, offsets and provenance`, async () => {
      const s = await setup()
      const id = version === 1 ? s.v1 : s.v2
      const type = avro.Type.forSchema((version === 1 ? healthDataBatchV1 : healthDataBatchV2) as avro.Schema)
      const raw = encode(id, type.toBuffer(batch(version, [{ sampleId: 'a' }, { sampleId: 'b', value: 62 }])))
      const out = await s.transform([consumed(raw)], ctx)
      assert.deepEqual(
        out.map((o) => o.topic),
        [Topics.samples, Topics.samples],
      )
      const first = await s.readSample.decode(out[0]!.value!)
      assert.ok(first.ok)
      assert.equal(first.value.sampleId, 'a')
      assert.equal(first.value.startTime, Date.UTC(2026, 10, 25, 7, 0, 0) * 1000)
      assert.equal(first.value.startOffsetMinutes, 60)
      assert.equal(first.value.sourcePartition, 2)
      assert.equal(first.value.sourceOffset, 7)
      assert.equal(first.value.writerSchemaId, id)
      assert.equal(first.value.timeZone ?? null, version === 2 ? 'Europe/Berlin' : null)
      assert.equal(out[0]!.key!.toString(), 'u-1')
      assert.ok(out[0]!.headers?.get('traceparent'), 'the trace context travels on')
    })
  }

  const poison: [string, (s: Awaited<ReturnType<typeof setup>>) => Buffer, string][] = [
    ['random bytes with a wrong magic byte', () => Buffer.from([7, 1, 2, 3, 4, 5, 6]), 'BAD_MAGIC'],
    ['an unknown schema id', () => encode(9999, Buffer.from([1, 2])), 'UNKNOWN_SCHEMA_ID'],
    ['truncated Avro', (s) => encode(s.v2, Buffer.from([2, 0x61])), 'DECODE_FAILED'],
    ['an empty value', () => Buffer.alloc(0), 'BAD_MAGIC'],
    ['a message over the size limit', (s) => encode(s.v2, Buffer.alloc(2 * 1024 * 1024)), 'TOO_LARGE'],
  ]
  for (const [what, make, reason] of poison) {
    it(`sends ${what} to the dead-letter topic as ${reason}, with the original bytes`, async () => {
      const s = await setup()
      const raw = make(s)
      const out = await s.transform([consumed(raw, 42n)], ctx)
      assert.equal(out.length, 1)
      assert.equal(out[0]!.topic, Topics.errors)
      const error = await s.readError.decode(out[0]!.value!)
      assert.ok(error.ok)
      assert.equal(error.value.reasonCode, reason)
      assert.equal(error.value.stage, 'ingest')
      assert.equal(error.value.sourceOffset, 42)
      assert.deepEqual(error.value.payload, raw.subarray(0, 1024))
    })
  }

  it('dead-letters a sample whose time has no offset as BAD_TIMESTAMP and keeps the others', async () => {
    const s = await setup()
    const type = avro.Type.forSchema(healthDataBatchV2 as avro.Schema)
    const raw = encode(
      s.v2,
      type.toBuffer(batch(2, [{ sampleId: 'ok' }, { sampleId: 'bad', startTime: '2026-11-25T08:00:00' }])),
    )
    const out = await s.transform([consumed(raw)], ctx)
    assert.deepEqual(out.map((o) => o.topic).sort(), [Topics.errors, Topics.samples])
    const error = await s.readError.decode(out.find((o) => o.topic === Topics.errors)!.value!)
    assert.ok(error.ok)
    assert.equal(error.value.reasonCode, 'BAD_TIMESTAMP')
    assert.equal(error.value.sampleId, 'bad')
  })
})
