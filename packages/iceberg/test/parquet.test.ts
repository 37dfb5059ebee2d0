import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parquetMetadata } from 'hyparquet'
import { readParquet } from '../src/parquet/reader.ts'
import { writeParquet, writeParquetRows } from '../src/parquet/writer.ts'
import { fromBytes } from '../src/spec/single-value.ts'
import type { Schema } from '../src/spec/types.ts'
import { NESTED_FIELDS } from './fixtures/schema.ts'

const schema: Schema = {
  schemaId: 0,
  fields: [
    ...NESTED_FIELDS,
    { id: 11, name: 'day', type: 'date', required: false },
    { id: 12, name: 'big', type: 'long', required: false },
    { id: 13, name: 'uid', type: 'uuid', required: false },
    { id: 14, name: 'local', type: 'timestamp', required: false },
    { id: 15, name: 'ok', type: 'boolean', required: false },
    { id: 16, name: 'f', type: 'float', required: false },
    { id: 17, name: 'blob', type: 'binary', required: false },
  ],
}

const rows = [
  {
    user_id: 'u1',
    start: 1_795_651_200_000_001n,
    value: 1.5,
    source: { partition: 3 },
    tags: ['a', 'b'],
    attrs: new Map([['x', 1n]]),
    day: 20782,
    big: 2n ** 62n,
    uid: 'f79c3e09-677c-4bbd-a479-3f349cb785e7',
    local: 5n,
    ok: true,
    f: 0.5,
    blob: Uint8Array.of(1, 2),
  },
  {
    user_id: 'u2',
    start: 1_795_651_200_000_000n,
    value: null,
    source: null,
    tags: null,
    attrs: null,
    day: null,
    big: null,
    uid: null,
    local: null,
    ok: null,
    f: null,
    blob: null,
  },
  {
    user_id: 'u0-a-very-long-user-identifier',
    start: 1_795_651_200_000_002n,
    value: Number.NaN,
    source: { partition: null },
    tags: [],
    attrs: new Map(),
    day: 1,
    big: -(2n ** 62n),
    uid: null,
    local: -5n,
    ok: false,
    f: -0.5,
    blob: Uint8Array.of(),
  },
]

describe('Parquet data files', () => {
  const written = writeParquet(schema, rows)
  const meta = parquetMetadata(written.bytes)

  it('puts the Iceberg field id on every column, nested ones included', () => {
    const ids = meta.schema.filter((e) => e.field_id !== undefined).map((e) => `${e.name}:${e.field_id}`)
    assert.deepEqual(ids, [
      'user_id:1',
      'start:2',
      'value:3',
      'source:4',
      'partition:5',
      'tags:6',
      'element:7',
      'attrs:8',
      'key:9',
      'value:10',
      'day:11',
      'big:12',
      'uid:13',
      'local:14',
      'ok:15',
      'f:16',
      'blob:17',
    ])
  })

  it('uses 3-level lists and maps, and UTC-adjusted micros only for timestamptz', () => {
    const names = meta.schema.map((e) => e.name)
    assert.deepEqual(names.slice(names.indexOf('tags'), names.indexOf('tags') + 3), [
      'tags',
      'list',
      'element',
    ])
    assert.deepEqual(names.slice(names.indexOf('attrs'), names.indexOf('attrs') + 4), [
      'attrs',
      'key_value',
      'key',
      'value',
    ])
    const start = meta.schema.find((e) => e.name === 'start')!
    const local = meta.schema.find((e) => e.name === 'local')!
    assert.deepEqual(start.logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' })
    assert.deepEqual(local.logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' })
  })

  it('compresses pages with ZSTD and keeps the Iceberg schema in the footer', () => {
    for (const c of meta.row_groups[0]!.columns) assert.equal(c.meta_data?.codec, 'ZSTD')
    assert.ok(meta.key_value_metadata?.some((kv) => kv.key === 'iceberg.schema'))
  })

  it('reads back exactly the rows written', async () => {
    const back = await readParquet(written.bytes, schema)
    assert.deepEqual(
      back,
      rows.map((r) => ({ ...r, attrs: r.attrs === null ? null : new Map(r.attrs) })),
    )
  })

  it('splits row groups by row count and reports one split offset per group', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ ...rows[1]!, user_id: `u${i}`, start: BigInt(i) }))
    const w = writeParquet(schema, many, { rowGroupRows: 10 })
    assert.equal(parquetMetadata(w.bytes).row_groups.length, 3)
    assert.equal(w.splitOffsets.length, 3)
    assert.deepEqual(
      [...w.splitOffsets].sort((a, b) => a - b),
      w.splitOffsets,
    )
  })

  it('reports column sizes for every leaf column by field id', () => {
    for (const id of [1, 2, 3, 5, 7, 9, 10, 11, 12])
      assert.ok((written.columnSizes.get(id) ?? 0) > 0, `field ${id}`)
  })

  it('rejects a null in a required column, naming it', () => {
    assert.throws(
      () => writeParquet(schema, [{ ...rows[0], user_id: null }]),
      /required column user_id is null/,
    )
  })
})

describe('negative zero', () => {
  it('reads -0.0 back as -0.0 and 0.0 as 0.0 on both write paths, nested in a struct too', async () => {
    const signed: Schema = {
      schemaId: 0,
      fields: [
        { id: 1, name: 'd', type: 'double', required: true },
        {
          id: 2,
          name: 's',
          type: { type: 'struct', fields: [{ id: 3, name: 'f', type: 'float', required: true }] },
          required: true,
        },
      ],
    }
    const zeros = Array.from({ length: 200 }, (_, i) => (i % 2 === 1 ? -0 : 0))
    const written = zeros.map((z) => ({ d: z, s: { f: z } }))
    const negative = (xs: readonly unknown[]) => xs.filter((x) => Object.is(x, -0)).length
    for (const write of [writeParquet, writeParquetRows]) {
      const back = await readParquet(write(signed, written).bytes, signed)
      assert.equal(negative(back.map((r) => r.d)), 100, `${write.name}: doubles`)
      assert.equal(
        negative(back.map((r) => (r.s as { f: number }).f)),
        100,
        `${write.name}: floats in a struct`,
      )
    }
  })
})

describe('decimal columns', () => {
  const decimals: Schema = {
    schemaId: 0,
    fields: [
      { id: 1, name: 'small', type: 'decimal(9,2)', required: false },
      { id: 2, name: 'mid', type: 'decimal(18,4)', required: false },
      { id: 3, name: 'wide', type: 'decimal(38,0)', required: false },
    ],
  }
  const values = [
    { small: 1420n, mid: -5n, wide: 10n ** 37n },
    { small: null, mid: 123456789012345678n, wide: -(10n ** 37n) },
  ]

  it('round-trips unscaled values of every physical width and bounds them as minimal big-endian bytes', async () => {
    const w = writeParquet(decimals, values)
    assert.deepEqual(await readParquet(w.bytes, decimals), values)
    assert.equal(fromBytes('decimal(9,2)', w.metrics.lowerBounds.get(1)!), 1420n)
    assert.equal(fromBytes('decimal(38,0)', w.metrics.lowerBounds.get(3)!), -(10n ** 37n))
  })
})

describe('column metrics', () => {
  const { metrics } = writeParquet(schema, rows)

  it('counts values, nulls and NaNs per column', () => {
    assert.equal(metrics.valueCounts.get(3), 3)
    assert.equal(metrics.nullValueCounts.get(3), 1)
    assert.equal(metrics.nanValueCounts.get(3), 1)
    assert.equal(metrics.nullValueCounts.get(5), 2)
    assert.equal(metrics.nanValueCounts.has(1), false)
  })

  it('bounds values in their single-value form, NaN and null left out', () => {
    assert.equal(fromBytes('double', metrics.lowerBounds.get(3)!), 1.5)
    assert.equal(fromBytes('double', metrics.upperBounds.get(3)!), 1.5)
    assert.equal(fromBytes('long', metrics.lowerBounds.get(12)!), -(2n ** 62n))
    assert.equal(fromBytes('timestamptz', metrics.upperBounds.get(2)!), 1_795_651_200_000_002n)
    assert.equal(fromBytes('date', metrics.lowerBounds.get(11)!), 1)
    assert.equal(fromBytes('boolean', metrics.lowerBounds.get(15)!), false)
    assert.equal(fromBytes('uuid', metrics.upperBounds.get(13)!), 'f79c3e09-677c-4bbd-a479-3f349cb785e7')
  })

  it('truncates string bounds to 16 characters, the upper one incremented', () => {
    assert.equal(fromBytes('string', metrics.lowerBounds.get(1)!), 'u0-a-very-long-u')
    assert.equal(fromBytes('string', metrics.upperBounds.get(1)!), 'u2')
  })

  it('keeps no metrics for columns inside lists and maps', () => {
    for (const id of [7, 9, 10]) assert.equal(metrics.valueCounts.has(id), false)
  })
})
