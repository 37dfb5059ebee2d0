import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MemorySchemaRegistry } from '@healthstream/testkit/memory'
import avsc from 'avsc'
import {
  AvroDeserializer,
  AvroSerializer,
  compileRecordReader,
  encode,
  type HealthDataBatch,
  healthDataBatchV1,
  healthDataBatchV2,
  type RegisteredSchema,
  RegistryError,
  RegistryErrorCode,
  type SchemaRegistry,
} from '../../src/avro/index.ts'
import { TopicSchemas } from '../../src/topics.ts'
import { healthDataBatchV3, sampleBatch } from './fixtures.ts'

const topic = 'health-data-raw'

async function setup(writerSchema: object, readerSchema: object) {
  const registry = new MemorySchemaRegistry()
  const serializer = await AvroSerializer.create<object>({ registry, topic, schema: writerSchema })
  const deserializer = new AvroDeserializer<HealthDataBatch>({ registry, readerSchema })
  return { registry, serializer, deserializer }
}

describe('Avro serde with schema evolution', () => {
  it('reads a v1 batch with the v2 reader, filling timeZone and confidence with their defaults', async () => {
    const { serializer, deserializer } = await setup(healthDataBatchV1, healthDataBatchV2)
    const { timeZone: _, ...v1 } = sampleBatch()
    const result = await deserializer.decode(
      serializer.serialize({ ...v1, samples: [withoutConfidence(v1)] }),
    )
    assert.ok(result.ok)
    assert.equal(result.value.timeZone, null)
    assert.equal(result.value.samples[0]!.confidence, null)
    assert.equal(result.value.samples[0]!.value, 72)
  })

  it('reads a v2 batch with the v1 reader, dropping the fields v1 does not know', async () => {
    const { serializer, deserializer } = await setup(healthDataBatchV2, healthDataBatchV1)
    const result = await deserializer.decode(serializer.serialize(sampleBatch()))
    assert.ok(result.ok)
    assert.equal('timeZone' in result.value, false)
    assert.equal('confidence' in result.value.samples[0]!, false)
    assert.equal(result.value.userId, 'user-1')
  })

  it('reads a v3 batch with extra fields and a new platform symbol as v2, the symbol becoming OTHER', async () => {
    const { serializer, deserializer } = await setup(healthDataBatchV3(), healthDataBatchV2)
    const batch = { ...sampleBatch({ platform: 'TIZEN' as 'OTHER' }), deviceModel: 'Galaxy' }
    batch.samples = batch.samples.map((s) => ({ ...s, quality: 3 }))
    const result = await deserializer.decode(serializer.serialize(batch))
    assert.ok(result.ok)
    assert.equal(result.value.platform, 'OTHER')
    assert.equal('deviceModel' in result.value, false)
    assert.deepEqual({ ...result.value.samples[0] }, sampleBatch().samples[0])
  })

  it('keeps a known symbol of a v3 writer as it is', async () => {
    const { serializer, deserializer } = await setup(healthDataBatchV3(), healthDataBatchV2)
    const result = await deserializer.decode(serializer.serialize({ ...sampleBatch(), deviceModel: null }))
    assert.ok(result.ok)
    assert.equal(result.value.platform, 'IOS')
  })

  it('returns DECODE_FAILED for every truncation of a valid message', async () => {
    const { serializer, deserializer } = await setup(healthDataBatchV2, healthDataBatchV2)
    const message = serializer.serialize(sampleBatch())
    for (let length = 5; length < message.length; length++) {
      const result = await deserializer.decode(message.subarray(0, length))
      assert.equal(result.ok, false, `length ${length}`)
      assert.equal(!result.ok && result.reason, 'DECODE_FAILED')
    }
  })

  it('returns DECODE_FAILED for trailing bytes after the body', async () => {
    const { serializer, deserializer } = await setup(healthDataBatchV2, healthDataBatchV2)
    const result = await deserializer.decode(
      Buffer.concat([serializer.serialize(sampleBatch()), Buffer.from([0])]),
    )
    assert.equal(!result.ok && result.reason, 'DECODE_FAILED')
  })

  it('returns DECODE_FAILED fast for a sample count far beyond the bytes of the message', async () => {
    const { serializer, deserializer } = await setup(healthDataBatchV2, healthDataBatchV2)
    const batch = sampleBatch({ samples: [] })
    const message = serializer.serialize(batch)
    // The empty array is the 0 right before the top-level metadata map's 0: make it a huge count.
    const huge = avsc.Type.forSchema('long').toBuffer(50_000_000)
    const forged = Buffer.concat([message.subarray(0, message.length - 2), huge, Buffer.from([0])])
    const started = performance.now()
    const result = await deserializer.decode(forged)
    assert.equal(!result.ok && result.reason, 'DECODE_FAILED')
    assert.ok(performance.now() - started < 100)
  })

  it('returns BAD_MAGIC for bytes that are not Confluent-framed', async () => {
    const { deserializer } = await setup(healthDataBatchV2, healthDataBatchV2)
    for (const bytes of [Buffer.from('{"userId":"x"}'), Buffer.from([0, 0])]) {
      const result = await deserializer.decode(bytes)
      assert.equal(!result.ok && result.reason, 'BAD_MAGIC')
    }
  })

  it('returns UNKNOWN_SCHEMA_ID for an id the registry does not know', async () => {
    const { deserializer } = await setup(healthDataBatchV2, healthDataBatchV2)
    const result = await deserializer.decode(encode(999, Buffer.from([0])))
    assert.deepEqual(result.ok ? undefined : [result.reason, result.schemaId], ['UNKNOWN_SCHEMA_ID', 999])
  })

  it('returns DECODE_FAILED for a writer schema that cannot be resolved to the reader', async () => {
    const registry = new MemorySchemaRegistry()
    const other = { type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] }
    const serializer = await AvroSerializer.create({ registry, topic: 'other', schema: other })
    const deserializer = new AvroDeserializer({ registry, readerSchema: healthDataBatchV2 })
    const result = await deserializer.decode(serializer.serialize({ x: 1 }))
    assert.equal(!result.ok && result.reason, 'DECODE_FAILED')
  })

  it('asks again for an unknown id once the retry time has passed', async () => {
    let now = 0
    const registry = new MemorySchemaRegistry()
    const deserializer = new AvroDeserializer({ registry, readerSchema: healthDataBatchV2, now: () => now })
    const message = encode(1, avsc.Type.forSchema(healthDataBatchV2 as never).toBuffer(sampleBatch()))
    assert.equal((await deserializer.decode(message)).ok, false)
    await registry.register('late-value', healthDataBatchV2)
    assert.equal((await deserializer.decode(message)).ok, false, 'still remembered as unknown')
    now = 10_001
    assert.equal((await deserializer.decode(message)).ok, true)
  })

  it('decodes synchronously only writer ids it has already loaded', async () => {
    const { serializer, deserializer } = await setup(healthDataBatchV2, healthDataBatchV2)
    const message = serializer.serialize(sampleBatch())
    assert.equal(deserializer.decodeLoaded(message), undefined)
    await deserializer.decode(message)
    assert.equal(deserializer.decodeLoaded(message)?.ok, true)
  })

  it('decodes messages of its own schema without avsc, where it can, to what avsc decodes', async () => {
    const plain = (v: unknown): unknown =>
      Buffer.isBuffer(v)
        ? v
        : Array.isArray(v)
          ? v.map(plain)
          : v !== null && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
            : v
    let direct = 0
    for (const schema of Object.values(TopicSchemas)) {
      const registry = new MemorySchemaRegistry()
      const serializer = await AvroSerializer.create<object>({ registry, topic: 't', schema })
      const deserializer = new AvroDeserializer<object>({ registry, readerSchema: schema })
      const type = deserializer.readerType
      const readable = compileRecordReader(type, (f) => f) !== undefined
      for (let k = 0; k < 100; k++) {
        const message = serializer.serialize(type.random() as object)
        const decoded = await deserializer.decode(message)
        assert.ok(decoded.ok)
        // the direct read makes plain objects, avsc instances of its record classes
        assert.equal(Object.getPrototypeOf(decoded.value) === Object.prototype, readable)
        assert.deepEqual(plain(decoded.value), plain(type.fromBuffer(message.subarray(5))))
      }
      if (readable) direct++
    }
    assert.ok(direct >= 2, 'the flat topic schemas (samples, validated) are read directly')
  })

  it('reads straight into a target only messages of the reader schema itself, once their id is loaded', async () => {
    const flat = {
      type: 'record',
      name: 'Flat',
      fields: [
        { name: 'a', type: 'string' },
        { name: 'b', type: 'long' },
      ],
    }
    const wider = { ...flat, fields: [...flat.fields, { name: 'c', type: ['null', 'int'], default: null }] }
    const registry = new MemorySchemaRegistry()
    const same = await AvroSerializer.create<object>({ registry, topic: 'flat', schema: flat })
    const evolved = await AvroSerializer.create<object>({ registry, topic: 'flat', schema: wider })
    const deserializer = new AvroDeserializer<{ a: string; b: number }>({ registry, readerSchema: flat })
    const reader = compileRecordReader(deserializer.readerType, (f) => `col_${f}`)!
    const message = same.serialize({ a: 'x', b: 7 })
    const target: Record<string, unknown> = {}
    assert.equal(deserializer.readLoadedInto(message, target, reader), undefined, 'id not loaded yet')
    await deserializer.load([message, evolved.serialize({ a: 'y', b: 8, c: 1 }), null])
    assert.deepEqual(deserializer.readLoadedInto(message, target, reader), {
      ok: true,
      value: undefined,
      schemaId: 1,
    })
    assert.deepEqual(target, { col_a: 'x', col_b: 7 })
    assert.equal(
      deserializer.readLoadedInto(evolved.serialize({ a: 'y', b: 8, c: 1 }), {}, reader),
      undefined,
      'another writer version is for avsc',
    )
    const truncated = deserializer.readLoadedInto(message.subarray(0, message.length - 1), {}, reader)
    assert.equal(truncated?.ok === false && truncated.reason, 'DECODE_FAILED')
    const trailing = deserializer.readLoadedInto(Buffer.concat([message, Buffer.from([0])]), {}, reader)
    assert.equal(trailing?.ok === false && trailing.detail, 'trailing bytes after the Avro body')
    assert.equal(deserializer.readLoadedInto(Buffer.from([1, 2]), {}, reader)?.ok, false)
  })

  it('fetches each writer schema once, however many messages use it', async () => {
    const { registry, serializer, deserializer } = await setup(healthDataBatchV2, healthDataBatchV2)
    const messages = Array.from({ length: 50 }, () => serializer.serialize(sampleBatch()))
    const results = await deserializer.decodeAll(messages)
    await Promise.all(messages.map((m) => deserializer.decode(m)))
    assert.ok(results.every((r) => r.ok))
    assert.equal(registry.lookups, 1)
  })

  it('throws a retryable RegistryError when the registry is down, so the caller does not dead-letter', async () => {
    const down: SchemaRegistry = {
      getSchemaById: (): Promise<RegisteredSchema> =>
        Promise.reject(new RegistryError(RegistryErrorCode.REGISTRY_UNAVAILABLE, 'connection refused')),
      register: () => Promise.resolve(1),
      setCompatibility: () => Promise.resolve(),
    }
    const deserializer = new AvroDeserializer({ registry: down, readerSchema: healthDataBatchV2 })
    await assert.rejects(deserializer.decode(encode(1, Buffer.from([0]))), {
      code: 'REGISTRY_UNAVAILABLE',
      canRetry: true,
    })
  })

  it('encodes records larger than its first buffer', async () => {
    const registry = new MemorySchemaRegistry()
    const serializer = await AvroSerializer.create<HealthDataBatch>({
      registry,
      topic,
      schema: healthDataBatchV2,
      initialBufferSize: 64,
    })
    const deserializer = new AvroDeserializer<HealthDataBatch>({ registry, readerSchema: healthDataBatchV2 })
    const batch = sampleBatch({ samples: Array.from({ length: 100 }, () => sampleBatch().samples[0]!) })
    const result = await deserializer.decode(serializer.serialize(batch))
    assert.deepEqual(result.ok && result.value.samples.length, 100)
  })

  it('registers under <topic>-value with BACKWARD compatibility', async () => {
    const { registry, serializer } = await setup(healthDataBatchV1, healthDataBatchV1)
    assert.equal(serializer.subject, 'health-data-raw-value')
    const latest = await registry.getSubjectVersion('health-data-raw-value')
    assert.equal(latest.id, serializer.schemaId)
    const breaking = {
      type: 'record',
      name: 'HealthDataBatch',
      namespace: 'com.healthstack.ingest',
      fields: [],
    }
    assert.equal(await registry.checkCompatibility('health-data-raw-value', healthDataBatchV2), true)
    const required = { ...breaking, fields: [{ name: 'newRequired', type: 'string' }] }
    assert.equal(await registry.checkCompatibility('health-data-raw-value', required), false)
  })
})

function withoutConfidence(batch: Omit<HealthDataBatch, 'timeZone'>) {
  const { confidence: _, ...sample } = batch.samples[0]!
  return sample
}
