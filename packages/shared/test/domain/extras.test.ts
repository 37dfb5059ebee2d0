import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import avro from 'avsc'
import { healthDataBatchV1, healthDataBatchV2 } from '../../src/avro/index.ts'
import {
  type ExtraType,
  extrasPlan,
  extraTypeOf,
  hasExtras,
  parseExtras,
  sampleExtras,
} from '../../src/domain/index.ts'

type Fields = { fields: { name: string; type: unknown; default?: unknown }[] }

/** v2 plus batch `deviceModel` and per-sample `tags` and `sensorLocation`: what issue 19 describes. */
function v3(extraBatch: Fields['fields'] = [], extraSample: Fields['fields'] = []): object {
  const schema = structuredClone(healthDataBatchV2) as Fields
  schema.fields.push({ name: 'deviceModel', type: ['null', 'string'], default: null }, ...extraBatch)
  const samples = schema.fields.find((f) => f.name === 'samples')!
  const item = (samples.type as { items: Fields }).items
  item.fields.push(
    { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
    { name: 'sensorLocation', type: ['null', 'string'], default: null },
    ...extraSample,
  )
  return schema
}

describe('extraTypeOf', () => {
  const cases: [string, unknown, ExtraType][] = [
    ['a string', 'string', 'string'],
    ['an optional string', ['null', 'string'], 'string'],
    ['an int, as long (promotion never changes the column)', 'int', 'long'],
    ['a long', 'long', 'long'],
    ['a timestamp-micros long', { type: 'long', logicalType: 'timestamp-micros' }, 'long'],
    ['a float, as double', 'float', 'double'],
    ['an optional double', ['null', 'double'], 'double'],
    ['a boolean', 'boolean', 'boolean'],
    ['an enum', { type: 'enum', name: 'Side', symbols: ['LEFT', 'RIGHT'] }, 'string'],
    ['an array of strings', { type: 'array', items: 'string' }, 'array<string>'],
    ['an optional array of strings', ['null', { type: 'array', items: 'string' }], 'array<string>'],
    ['an array of longs, as json', { type: 'array', items: 'long' }, 'json'],
    [
      'a nested record, as json',
      { type: 'record', name: 'Pos', fields: [{ name: 'x', type: 'int' }] },
      'json',
    ],
    ['a map, as json', { type: 'map', values: 'string' }, 'json'],
    ['a union of string and long, as json', ['null', 'string', 'long'], 'json'],
    ['bytes, as json', 'bytes', 'json'],
    ['a named reference, as json', 'com.example.Thing', 'json'],
  ]
  for (const [what, type, expected] of cases)
    it(`maps ${what} to ${expected}`, () => assert.equal(extraTypeOf(type), expected))
})

describe('extrasPlan', () => {
  it('finds the batch and sample fields a v3 adds to v2, with their kinds', () => {
    const plan = extrasPlan(v3(), healthDataBatchV2)
    assert.deepEqual(plan, {
      ok: true,
      batch: [{ name: 'deviceModel', type: 'string' }],
      sample: [
        { name: 'tags', type: 'array<string>' },
        { name: 'sensorLocation', type: 'string' },
      ],
    })
  })

  it('finds nothing in v1 and v2 themselves (no second decode for them)', () => {
    assert.equal(hasExtras(extrasPlan(healthDataBatchV1, healthDataBatchV2)), false)
    assert.equal(hasExtras(extrasPlan(healthDataBatchV2, healthDataBatchV2)), false)
  })

  it('refuses a name that is a batch field and a sample field at once', () => {
    const plan = extrasPlan(v3([], [{ name: 'deviceModel', type: 'string' }]), healthDataBatchV2)
    assert.equal(plan.ok, false)
    assert.match(!plan.ok ? plan.detail : '', /deviceModel is both a batch and a sample field/)
  })

  it('reads the schema avsc gives back for a writer id (Type.schema())', () => {
    const plan = extrasPlan(avro.Type.forSchema(v3() as avro.Schema).schema() as object, healthDataBatchV2)
    assert.ok(plan.ok && plan.batch.length === 1 && plan.sample.length === 2)
  })
})

describe('sampleExtras', () => {
  const schema = v3(
    [],
    [{ name: 'position', type: { type: 'record', name: 'Pos', fields: [{ name: 'x', type: 'double' }] } }],
  )
  const plan = extrasPlan(schema, healthDataBatchV2)
  assert.ok(plan.ok)
  const written = {
    deviceModel: 'Pixel 9',
    samples: [
      { tags: ['rest', 'left'], sensorLocation: 'wrist', position: { x: 1.5 } },
      { tags: [], sensorLocation: null, position: { x: Number.NaN } },
    ],
  }

  it('gives every sample the batch extras and its own, each with its kind', () => {
    const [first, second] = sampleExtras(plan, written).map((s) => JSON.parse(s!))
    assert.deepEqual(first, {
      deviceModel: { type: 'string', value: 'Pixel 9' },
      tags: { type: 'array<string>', value: ['rest', 'left'] },
      sensorLocation: { type: 'string', value: 'wrist' },
      position: { type: 'json', value: { x: 1.5 } },
    })
    assert.deepEqual(second.sensorLocation, { type: 'string', value: null }, 'a null keeps its kind')
  })

  it('round-trips through parseExtras', () => {
    const [text] = sampleExtras(plan, written)
    const parsed = parseExtras(text!)
    assert.ok(parsed.ok)
    assert.equal(parsed.extras.deviceModel?.value, 'Pixel 9')
  })

  it('keeps a non-finite double as a string rather than a JSON null', () => {
    const p = extrasPlan(v3([{ name: 'score', type: 'double' }]), healthDataBatchV2)
    assert.ok(p.ok)
    const [text] = sampleExtras(p, { deviceModel: null, score: Number.NaN, samples: [{ tags: [] }] })
    assert.deepEqual(JSON.parse(text!).score, { type: 'double', value: 'NaN' })
  })
})

describe('parseExtras', () => {
  it('rejects what is not JSON, not an object, or has an unknown kind', () => {
    assert.equal(parseExtras('{').ok, false)
    assert.equal(parseExtras('[1]').ok, false)
    assert.equal(parseExtras('{"a":{"type":"decimal","value":1}}').ok, false)
  })
})
