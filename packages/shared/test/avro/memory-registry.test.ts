import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MemorySchemaRegistry } from '@healthstream/testkit/memory'
import { healthDataBatchV1, healthDataBatchV2 } from '../../src/avro/index.ts'
import { healthDataBatchV3 } from './fixtures.ts'

const subject = 'health-data-raw-value'
const withRequired = (schema: object) => {
  const copy = structuredClone(schema) as { fields: object[] }
  copy.fields.push({ name: 'required', type: 'string' })
  return copy
}

describe('in-memory schema registry', () => {
  it('accepts v1, v2 and v3 in order under BACKWARD', async () => {
    const registry = new MemorySchemaRegistry()
    const ids = []
    for (const schema of [healthDataBatchV1, healthDataBatchV2, healthDataBatchV3()]) {
      ids.push(await registry.register(subject, schema))
    }
    assert.deepEqual(ids, [1, 2, 3])
    assert.deepEqual(await registry.getSubjectVersions(subject), [1, 2, 3])
  })

  it('gives the same id to the same schema, also under another subject', async () => {
    const registry = new MemorySchemaRegistry()
    const first = await registry.register(subject, healthDataBatchV1)
    assert.equal(await registry.register(subject, healthDataBatchV1), first)
    assert.equal(await registry.register('other-value', healthDataBatchV1), first)
  })

  it('rejects a new required field without default as INCOMPATIBLE_SCHEMA under BACKWARD', async () => {
    const registry = new MemorySchemaRegistry()
    await registry.register(subject, healthDataBatchV2)
    await assert.rejects(registry.register(subject, withRequired(healthDataBatchV2)), {
      code: 'INCOMPATIBLE_SCHEMA',
    })
  })

  it('accepts the same change when the subject rule is NONE', async () => {
    const registry = new MemorySchemaRegistry()
    await registry.register(subject, healthDataBatchV2)
    await registry.setCompatibility(subject, 'NONE')
    assert.equal(await registry.register(subject, withRequired(healthDataBatchV2)), 2)
  })

  it('rejects under FORWARD what old readers could not read', async () => {
    const registry = new MemorySchemaRegistry({ defaultCompatibility: 'FORWARD' })
    await registry.register(subject, withRequired(healthDataBatchV2))
    assert.equal(await registry.checkCompatibility(subject, healthDataBatchV2), false)
  })

  it('answers unknown ids with SCHEMA_NOT_FOUND and unknown subjects with SUBJECT_NOT_FOUND', async () => {
    const registry = new MemorySchemaRegistry()
    await assert.rejects(registry.getSchemaById(1), { code: 'SCHEMA_NOT_FOUND', canRetry: false })
    await assert.rejects(registry.getSubjectVersion('nope'), { code: 'SUBJECT_NOT_FOUND' })
  })

  it('rejects text that is not an Avro schema as INVALID_SCHEMA', async () => {
    await assert.rejects(new MemorySchemaRegistry().register(subject, '{"type":"nope"}'), {
      code: 'INVALID_SCHEMA',
    })
  })
})
