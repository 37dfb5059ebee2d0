import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { encode, HttpSchemaRegistry, healthDataBatchV2 } from '@healthstream/shared/avro'
import {
  endpoint,
  eventually,
  produceRaw,
  readErrors,
  readValidated,
  testPipeline,
} from '@healthstream/testkit/stack'
import { rawBatch, v2Type } from '@healthstream/testkit/upstream'
import avro from 'avsc'

const USER = 'user-poison'
const batch = (batchId: string, samples: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
  rawBatch(batchId, USER, samples, extra)

/** v2 plus a batch field, a sample field and a new Platform symbol: what a future app may send. */
function v3Schema(): object {
  const schema = structuredClone(healthDataBatchV2) as { fields: { name: string; type: unknown }[] }
  const platform = schema.fields.find((f) => f.name === 'platform')!
  ;(platform.type as { symbols: string[] }).symbols.push('TIZEN')
  schema.fields.push({ name: 'firmware', type: ['null', 'string'], default: null } as never)
  const samples = schema.fields.find((f) => f.name === 'samples')!
  const item = (samples.type as { items: { fields: unknown[] } }).items
  item.fields.push({ name: 'quality', type: 'int', default: 0 })
  return schema
}

describe('ingest and validator with bad input and a new schema version', () => {
  const pipeline = testPipeline('poison')
  const ingest = pipeline.service('ingest')
  const validator = pipeline.service('validator')
  const registry = new HttpSchemaRegistry({ url: endpoint('SCHEMA_REGISTRY_URL') })
  let v2Id = 0
  before(async () => {
    v2Id = await registry.register(`${pipeline.topics.raw}-value`, healthDataBatchV2)
    await ingest.start()
    await validator.start()
  })
  after(async () => {
    await ingest.stop()
    await validator.stop()
  })

  it('dead-letters every kind of poison with its reason, keeps the partition moving and never exits', async () => {
    const good = (id: string, samples: Record<string, unknown>[]) =>
      encode(v2Id, v2Type.toBuffer(batch(id, samples)))
    const valid = encode(v2Id, v2Type.toBuffer(batch('after-poison', [{}])))
    const poison: [string, Buffer][] = [
      ['BAD_MAGIC', Buffer.from([0x7f, ...Array.from({ length: 64 }, (_, i) => (i * 37) % 256)])],
      ['BAD_MAGIC', Buffer.from([1, 0, 0, 0, 1, 2, 3])],
      ['UNKNOWN_SCHEMA_ID', encode(987_654, Buffer.from([2, 4, 6]))],
      ['DECODE_FAILED', valid.subarray(0, 20)],
      ['TOO_LARGE', encode(v2Id, Buffer.alloc(10 * 1024 * 1024, 1))],
      ['NOT_FINITE', good('nan', [{ value: Number.NaN }])],
      ['NOT_FINITE', good('inf', [{ value: Number.POSITIVE_INFINITY }])],
      ['NEGATIVE_VALUE', good('neg', [{ value: -5 }])],
      ['IN_FUTURE', good('future', [{ startTime: '2200-01-01T00:00:00Z' }])],
      // beyond the exact range of epoch micros in a double (year 2255): unreadable, not "future"
      ['BAD_TIMESTAMP', good('absurd', [{ startTime: '9999-12-31T23:59:59Z' }])],
      ['BEFORE_FLOOR', good('floor', [{ startTime: '1970-01-01T00:00:00Z' }])],
      ['BAD_TIMESTAMP', good('garbage', [{ startTime: 'yesterday at noon' }])],
    ]
    await produceRaw(pipeline.topics.raw, [
      ...poison.map(([, value]) => ({ key: USER, value })),
      { key: USER, value: valid },
    ])

    await eventually('the valid batch behind the poison', async () => {
      const validated = await readValidated(pipeline.topics.validated)
      return validated.some((v) => v.sampleId === 'after-poison-0')
    })
    const errors = await readErrors(pipeline.topics.errors)
    assert.deepEqual(errors.map((e) => e.reasonCode).sort(), poison.map(([reason]) => reason).sort())
    const tooLarge = errors.find((e) => e.reasonCode === 'TOO_LARGE')!
    assert.equal(tooLarge.sourceTopic, pipeline.topics.raw)
    assert.ok(
      tooLarge.payload.length > 0 && tooLarge.payload.length <= 64 * 1024,
      'the oversized payload is kept in part',
    )
    const badMagic = errors.find((e) => e.reasonCode === 'BAD_MAGIC')!
    assert.deepEqual(badMagic.payload, poison[0]![1], 'undecodable input keeps its original bytes')
    assert.ok(ingest.running && validator.running, 'neither process exited')
    assert.deepEqual([...ingest.unexpectedExits, ...validator.unexpectedExits], [])
  })

  it('decodes a v3 registered at run time (extra fields, a new enum symbol) without a restart', async () => {
    const pid = ingest.pid
    const v3 = v3Schema()
    const v3Id = await registry.register(`${pipeline.topics.raw}-value`, v3)
    assert.notEqual(v3Id, v2Id)
    const v3Type = avro.Type.forSchema(v3 as avro.Schema)
    const record = batch('v3', [{ quality: 3 }], { platform: 'TIZEN', firmware: '1.2.3' })
    await produceRaw(pipeline.topics.raw, [{ key: USER, value: encode(v3Id, v3Type.toBuffer(record)) }])

    let found: Awaited<ReturnType<typeof readValidated>>[number] | undefined
    await eventually('the v3 sample on validated', async () => {
      found = (await readValidated(pipeline.topics.validated)).find((v) => v.sampleId === 'v3-0')
      return found !== undefined
    })
    assert.equal(found!.writerSchemaId, v3Id)
    assert.equal(found!.platform, 'OTHER', 'an unknown symbol falls back to the enum default')
    assert.deepEqual(
      JSON.parse(found!.extras!),
      { firmware: { type: 'string', value: '1.2.3' }, quality: { type: 'long', value: 3 } },
      'the new fields travel on as extras',
    )
    assert.equal(ingest.pid, pid, 'same process: no restart')
  })
})
