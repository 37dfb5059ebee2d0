import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'
import {
  AvroDeserializer,
  AvroSerializer,
  type HealthDataBatch,
  HttpSchemaRegistry,
  healthDataBatchV1,
  healthDataBatchV2,
} from '../../src/avro/index.ts'
import { healthDataBatchV3, sampleBatch } from './fixtures.ts'

const url = endpoint('SCHEMA_REGISTRY_URL')

describe('schema registry over HTTP (real server)', () => {
  it('registers v1 and v2 under one BACKWARD subject and lists both versions', async () => {
    const registry = new HttpSchemaRegistry({ url })
    const subject = `${uniqueName('avro-int')}-value`
    await registry.setCompatibility(subject, 'BACKWARD')
    const v1 = await registry.register(subject, healthDataBatchV1)
    const v2 = await registry.register(subject, healthDataBatchV2)
    assert.notEqual(v1, v2)
    assert.deepEqual(await registry.getSubjectVersions(subject), [1, 2])
    const latest = await registry.getSubjectVersion(subject)
    assert.deepEqual([latest.version, latest.id], [2, v2])
    assert.equal(await registry.register(subject, healthDataBatchV2), v2, 'the same schema keeps its id')
  })

  it('lets services that start together each set up the same new subject (one id, no conflict)', async () => {
    // As four services starting at once do for the shared errors topic
    const topic = uniqueName('avro-race')
    const created = await Promise.all(
      Array.from({ length: 6 }, () =>
        AvroSerializer.create({
          registry: new HttpSchemaRegistry({ url }),
          topic,
          schema: healthDataBatchV2,
        }),
      ),
    )
    assert.equal(new Set(created.map((s) => s.schemaId)).size, 1)
    assert.deepEqual(await new HttpSchemaRegistry({ url }).getSubjectVersions(`${topic}-value`), [1])
  })

  it('returns the registered schema by id, also to a fresh client', async () => {
    const subject = `${uniqueName('avro-int')}-value`
    const id = await new HttpSchemaRegistry({ url }).register(subject, healthDataBatchV2)
    const fetched = await new HttpSchemaRegistry({ url }).getSchemaById(id)
    assert.equal(fetched.id, id)
    assert.equal((JSON.parse(fetched.schema) as { name: string }).name, 'HealthDataBatch')
  })

  it('round-trips batches of v1, v2 and v3 writers to a v2 reader through the registry', async () => {
    const topic = uniqueName('avro-int')
    const writers = new HttpSchemaRegistry({ url })
    const v1 = await AvroSerializer.create<object>({ registry: writers, topic, schema: healthDataBatchV1 })
    const v2 = await AvroSerializer.create<object>({ registry: writers, topic, schema: healthDataBatchV2 })
    const v3 = await AvroSerializer.create<object>({ registry: writers, topic, schema: healthDataBatchV3() })
    const reader = new AvroDeserializer<HealthDataBatch>({
      registry: new HttpSchemaRegistry({ url }),
      readerSchema: healthDataBatchV2,
    })
    const [a, b, c] = await reader.decodeAll([
      v1.serialize(sampleBatch()),
      v2.serialize(sampleBatch()),
      v3.serialize({ ...sampleBatch({ platform: 'TIZEN' as 'OTHER' }), deviceModel: 'x' }),
    ])
    assert.ok(a?.ok && b?.ok && c?.ok)
    assert.deepEqual(
      [a.value.timeZone, b.value.timeZone, c.value.timeZone],
      [null, 'Europe/Berlin', 'Europe/Berlin'],
    )
    assert.deepEqual([a.schemaId, b.schemaId, c.schemaId], [v1.schemaId, v2.schemaId, v3.schemaId])
    assert.equal(c.value.platform, 'OTHER')
  })

  it('rejects an incompatible change with INCOMPATIBLE_SCHEMA', async () => {
    const registry = new HttpSchemaRegistry({ url })
    const subject = `${uniqueName('avro-int')}-value`
    await registry.setCompatibility(subject, 'BACKWARD')
    await registry.register(subject, healthDataBatchV2)
    const breaking = structuredClone(healthDataBatchV2) as { fields: object[] }
    breaking.fields.push({ name: 'required', type: 'string' })
    assert.equal(await registry.checkCompatibility(subject, breaking), false)
    await assert.rejects(registry.register(subject, breaking), {
      code: 'INCOMPATIBLE_SCHEMA',
      canRetry: false,
    })
  })

  it('reports an unknown id as SCHEMA_NOT_FOUND and a decode of it as UNKNOWN_SCHEMA_ID', async () => {
    const registry = new HttpSchemaRegistry({ url })
    await assert.rejects(registry.getSchemaById(2_000_000_000), { code: 'SCHEMA_NOT_FOUND' })
    const reader = new AvroDeserializer({ registry, readerSchema: healthDataBatchV2 })
    const result = await reader.decode(Buffer.from([0, 0x77, 0x35, 0x94, 0x00, 0]))
    assert.equal(!result.ok && result.reason, 'UNKNOWN_SCHEMA_ID')
  })

  it('fails with a retryable REGISTRY_UNAVAILABLE when nothing listens', async () => {
    const registry = new HttpSchemaRegistry({
      url: 'http://127.0.0.1:9/apis/ccompat/v7',
      retries: 1,
      retryDelayMs: 1,
    })
    await assert.rejects(registry.getSchemaById(1), { code: 'REGISTRY_UNAVAILABLE', canRetry: true })
  })
})
