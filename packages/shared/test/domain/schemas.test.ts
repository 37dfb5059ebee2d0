import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import avro from 'avsc'
import type { RawBatch } from '../../src/domain/index.ts'
import { flattenBatch, sampleErrorRecord, validateSample } from '../../src/domain/index.ts'
import { TopicSchemas } from '../../src/topics.ts'
import { CONFIG, NOW, rawBatch, rawSample, SOURCE } from './fixtures.ts'

const shared = join(import.meta.dirname, '..', '..')
const schemaJson = (file: string) => JSON.parse(readFileSync(join(shared, file), 'utf8'))
const typeOf = (file: string) => avro.Type.forSchema(schemaJson(file))
const fieldNames = (file: string): string[] => schemaJson(file).fields.map((f: { name: string }) => f.name)

const sampleType = typeOf('schemas/health-sample.avsc')
const validatedType = typeOf('schemas/validated-sample.avsc')
const errorType = typeOf('schemas/error-record.avsc')

/** Asserts the record is valid for the type, naming the bad paths, and survives an Avro round trip. */
function assertRoundTrips(type: avro.Type, record: object): void {
  const bad: string[] = []
  type.isValid(record, { errorHook: (path) => bad.push(path.join('.')) })
  assert.deepEqual(bad, [])
  // avsc decodes into instances of a generated class: compare own fields only.
  assert.deepEqual({ ...type.fromBuffer(type.toBuffer(record)) }, { ...record })
}

const batch = rawBatch({
  samples: [
    rawSample({ confidence: 0.5 }),
    rawSample({
      sampleId: 's-2',
      dataType: 'body_weight',
      value: 150,
      unit: 'lb',
      endTime: '2026-11-25T08:16:00+01:00',
    }),
    rawSample({ sampleId: 's-3', startTime: 'garbage' }),
  ],
})
const { samples, errors } = flattenBatch(batch, SOURCE, NOW)

describe('health-sample.avsc', () => {
  it('has exactly the fields of HealthSample', () => {
    assert.deepEqual(fieldNames('schemas/health-sample.avsc'), Object.keys(samples[0]!))
  })
  it('carries flattened samples losslessly', () => {
    for (const sample of samples) assertRoundTrips(sampleType, sample)
  })
})

describe('validated-sample.avsc', () => {
  const validated = samples.map((s) => {
    const result = validateSample(s, CONFIG, NOW)
    assert.ok(result.ok)
    return result.validated
  })
  it('has exactly the fields of ValidatedSample', () => {
    assert.deepEqual(fieldNames('schemas/validated-sample.avsc'), Object.keys(validated[0]!))
  })
  it('repeats every sample field with the same type, except value, which is no longer nullable', () => {
    const sampleFields = schemaJson('schemas/health-sample.avsc').fields
    const validatedFields = new Map(
      schemaJson('schemas/validated-sample.avsc').fields.map((f: { name: string }) => [f.name, f]),
    )
    for (const field of sampleFields) {
      const twin = validatedFields.get(field.name) as { type: unknown } | undefined
      assert.deepEqual(twin?.type, field.name === 'value' ? 'double' : field.type, field.name)
    }
  })
  it('carries validated samples losslessly', () => {
    for (const v of validated) assertRoundTrips(validatedType, v)
  })
})

describe('error-record.avsc', () => {
  it('has exactly the fields of ErrorRecord', () => {
    assert.deepEqual(fieldNames('schemas/error-record.avsc'), Object.keys(errors[0]!))
  })
  it('carries ingest and validator errors losslessly', () => {
    assertRoundTrips(errorType, errors[0]!)
    const rejection = { reason: 'IN_FUTURE', message: 'later' } as const
    assertRoundTrips(errorType, sampleErrorRecord('validator', samples[0]!, rejection, NOW))
  })
})

// Rows of aggregate-record.avsc are built by the aggregator and tested there (its windows/record.test.ts)
describe('aggregate-record.avsc', () => {
  it('is the schema topics.ts registers for health-data-aggregates', () => {
    assert.deepEqual(TopicSchemas.aggregates, schemaJson('schemas/aggregate-record.avsc'))
  })
})

describe('schema conventions', () => {
  for (const file of ['health-sample.avsc', 'validated-sample.avsc', 'error-record.avsc']) {
    it(`${file}: every nullable field is ["null", T] with default null`, () => {
      for (const field of schemaJson(`schemas/${file}`).fields) {
        if (!Array.isArray(field.type)) continue
        assert.equal(field.type[0], 'null', field.name)
        assert.ok('default' in field && field.default === null, field.name)
      }
    })
  }
})

describe('contracts meet the domain', () => {
  it('flattens a v1 batch read with the v2 reader schema into valid samples', () => {
    const v1 = typeOf('contracts/health-data-batch.v1.avsc')
    const v2 = typeOf('contracts/health-data-batch.v2.avsc')
    const { timeZone: _tz, ...v1Batch } = rawBatch()
    const v1Samples = v1Batch.samples.map(({ confidence: _c, ...s }) => s)
    const bytes = v1.toBuffer({ ...v1Batch, samples: v1Samples })
    const decoded = v2.fromBuffer(bytes, v2.createResolver(v1)) as RawBatch
    const result = flattenBatch(decoded, SOURCE, NOW)
    assert.equal(result.errors.length, 0)
    assert.equal(result.samples[0]?.timeZone, null)
    assert.equal(result.samples[0]?.confidence, null)
    assertRoundTrips(sampleType, result.samples[0]!)
  })
})
