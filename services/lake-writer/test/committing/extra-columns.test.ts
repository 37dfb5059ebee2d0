import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { NestedField, Schema } from '@healthstream/iceberg'
import type { Extras } from '@healthstream/shared/domain'
import {
  bufferSchema,
  columnName,
  extraDoc,
  extraTypeOfColumn,
  fitExtras,
  icebergTypeOf,
} from '../../src/committing/extra-columns.ts'
import { TABLES, TableNames } from '../../src/committing/tables.ts'

const raw = TABLES.find((t) => t.name === TableNames.raw)!

/** health_data_raw as created, plus the extra columns given (ids after the table's own). */
function tableSchema(...extras: [string, string, NestedField['type']][]): Schema {
  const last = Math.max(...raw.schema.fields.map((f) => f.id), 40)
  const fields = extras.map(([field, kind, type], i) => ({
    id: last + 1 + i,
    name: columnName(field),
    type,
    required: false,
    doc: `upstream field ${field} (healthstream.extra=${kind})`,
  }))
  return { schemaId: 1, fields: [...raw.schema.fields, ...fields] }
}

describe('columnName', () => {
  const cases: [string, string][] = [
    ['deviceModel', 'device_model'],
    ['sensorLocation', 'sensor_location'],
    ['tags', 'tags'],
    ['HRVScore', 'hrv_score'],
    ['spo2Level', 'spo2_level'],
    ['already_snake', 'already_snake'],
  ]
  for (const [field, column] of cases)
    it(`names ${field} ${column}`, () => assert.equal(columnName(field), column))
})

describe('icebergTypeOf and the column doc', () => {
  it('maps every kind to an Iceberg type', () => {
    assert.equal(icebergTypeOf('string'), 'string')
    assert.equal(icebergTypeOf('long'), 'long')
    assert.equal(icebergTypeOf('double'), 'double')
    assert.equal(icebergTypeOf('boolean'), 'boolean')
    assert.equal(icebergTypeOf('json'), 'string')
    assert.deepEqual(icebergTypeOf('array<string>'), {
      type: 'list',
      elementId: 0,
      element: 'string',
      elementRequired: true,
    })
  })
  it('reads the kind back from the doc, and none from a column of our own', () => {
    const doc = extraDoc('tags', 'array<string>')
    assert.equal(
      extraTypeOfColumn({ id: 50, name: 'tags', type: 'string', required: false, doc }),
      'array<string>',
    )
    assert.equal(extraTypeOfColumn(raw.schema.fields[0]!), undefined)
  })
})

describe('fitExtras', () => {
  const extras: Extras = {
    deviceModel: { type: 'string', value: 'Pixel 9' },
    tags: { type: 'array<string>', value: ['rest'] },
    position: { type: 'json', value: { x: 1 } },
    score: { type: 'double', value: 'NaN' },
  }

  it('asks for the columns the table lacks, typed and marked', () => {
    const fit = fitExtras(extras, raw.schema)
    assert.equal(fit.kind, 'missing')
    assert.deepEqual(fit.kind === 'missing' ? fit.columns.map((c) => [c.name, c.type, c.doc]) : [], [
      ['device_model', 'string', 'upstream field deviceModel (healthstream.extra=string)'],
      ['tags', icebergTypeOf('array<string>'), 'upstream field tags (healthstream.extra=array<string>)'],
      ['position', 'string', 'upstream field position (healthstream.extra=json)'],
      ['score', 'double', 'upstream field score (healthstream.extra=double)'],
    ])
  })

  it('gives the values by column once the columns are there (json as text, NaN as a number)', () => {
    const schema = tableSchema(
      ['deviceModel', 'string', 'string'],
      ['tags', 'array<string>', icebergTypeOf('array<string>')],
      ['position', 'json', 'string'],
      ['score', 'double', 'double'],
    )
    const fit = fitExtras(extras, schema)
    assert.equal(fit.kind, 'fit')
    const values = fit.kind === 'fit' ? fit.values : {}
    assert.equal(values.device_model, 'Pixel 9')
    assert.deepEqual(values.tags, ['rest'])
    assert.equal(values.position, '{"x":1}')
    assert.ok(Number.isNaN(values.score))
  })

  it('is a conflict when an extra is named like a column of our own', () => {
    const fit = fitExtras({ userId: { type: 'string', value: 'x' } }, raw.schema)
    assert.deepEqual(fit, {
      kind: 'conflict',
      detail: 'extra userId would be column user_id, a column not made for extras',
    })
  })

  it('is a conflict when an extra comes with another kind than its column holds', () => {
    const fit = fitExtras(
      { deviceModel: { type: 'long', value: 9 } },
      tableSchema(['deviceModel', 'string', 'string']),
    )
    assert.deepEqual(fit, {
      kind: 'conflict',
      detail: 'extra deviceModel is long, its column device_model holds string',
    })
  })

  it('is a conflict when two extras map to one column', () => {
    const fit = fitExtras(
      { deviceModel: { type: 'string', value: 'a' }, device_model: { type: 'string', value: 'b' } },
      raw.schema,
    )
    assert.equal(fit.kind, 'conflict')
  })

  it('keeps a null with its kind: the column is still made', () => {
    const fit = fitExtras({ sensorLocation: { type: 'string', value: null } }, raw.schema)
    assert.equal(fit.kind === 'missing' ? fit.columns[0]?.name : undefined, 'sensor_location')
  })
})

describe('bufferSchema', () => {
  it('is the definition when the table has no other columns', () => {
    assert.equal(bufferSchema(raw, { ...raw.schema, schemaId: 3 }), raw.schema)
  })
  it('puts the table own columns first, in the definition order, then the extras', () => {
    const schema = tableSchema(['deviceModel', 'string', 'string'])
    const reversed = { ...schema, fields: [...schema.fields].reverse() }
    const buffered = bufferSchema(raw, reversed)
    assert.deepEqual(
      buffered.fields.map((f) => f.name),
      [...raw.schema.fields.map((f) => f.name), 'device_model'],
    )
  })
})
