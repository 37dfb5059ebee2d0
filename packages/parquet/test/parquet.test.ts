import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parquetMetadata } from 'hyparquet'
import { readParquet, type Schema, uuidToBytes, writeParquet, writeParquetRows } from '../src/index.ts'

const schema: Schema = {
  fields: [
    { id: 1, name: 'user_id', type: 'string', required: true },
    { id: 2, name: 'start', type: 'timestamptz', required: true },
    { id: 3, name: 'value', type: 'double', required: false },
    {
      id: 4,
      name: 'source',
      type: { type: 'struct', fields: [{ id: 5, name: 'partition', type: 'int', required: false }] },
      required: false,
    },
    {
      id: 6,
      name: 'tags',
      type: { type: 'list', elementId: 7, element: 'string', elementRequired: true },
      required: false,
    },
    {
      id: 8,
      name: 'attrs',
      type: { type: 'map', keyId: 9, key: 'string', valueId: 10, value: 'long', valueRequired: false },
      required: false,
    },
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

describe('Parquet files of a schema with structs, lists and maps', () => {
  const keyValueMetadata = [{ key: 'writer.schema', value: '{}' }]
  const written = writeParquet(schema, rows, { keyValueMetadata })
  const meta = parquetMetadata(written.bytes)

  it('puts the field id on every column, nested ones included', () => {
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

  it('compresses pages with ZSTD and keeps the key-value metadata it is given in the footer', () => {
    for (const c of meta.row_groups[0]!.columns) assert.equal(c.meta_data?.codec, 'ZSTD')
    assert.deepEqual(meta.key_value_metadata, keyValueMetadata)
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
    assert.throws(() => writeParquet(schema, [{ ...rows[0], user_id: null }]), {
      name: 'ParquetError',
      code: 'INVALID_ARGUMENT',
      message: /required column user_id is null/,
    })
  })
})

describe('negative zero', () => {
  it('reads -0.0 back as -0.0 and 0.0 as 0.0 on both write paths, nested in a struct too', async () => {
    const signed: Schema = {
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

  it('round-trips unscaled values of every physical width, and bounds them as unscaled values', async () => {
    const w = writeParquet(decimals, values)
    assert.deepEqual(await readParquet(w.bytes, decimals), values)
    assert.equal(w.columnStats.get(1)!.min, 1420n)
    assert.equal(w.columnStats.get(3)!.min, -(10n ** 37n))
  })
})

describe('column statistics', () => {
  const { columnStats } = writeParquet(schema, rows)

  it('count values, nulls and NaNs per column, fields of structs included', () => {
    const value = columnStats.get(3)!
    assert.deepEqual([value.values, value.nulls, value.nans], [3, 1, 1])
    assert.deepEqual([columnStats.get(5)!.nulls, columnStats.get(5)!.values], [2, 3])
    assert.equal(columnStats.get(1)!.nans, 0)
  })

  it('bound values whole in their normalized shapes, NaN and null left out', () => {
    const bounds = (id: number) => [columnStats.get(id)!.min, columnStats.get(id)!.max]
    assert.deepEqual(bounds(3), [1.5, 1.5])
    assert.deepEqual(bounds(12), [-(2n ** 62n), 2n ** 62n])
    assert.deepEqual(bounds(2), [1_795_651_200_000_000n, 1_795_651_200_000_002n])
    assert.deepEqual(bounds(11), [1, 20782])
    assert.deepEqual(bounds(15), [false, true])
    assert.deepEqual(bounds(16), [-0.5, 0.5])
    const uid = uuidToBytes('f79c3e09-677c-4bbd-a479-3f349cb785e7')
    assert.deepEqual(bounds(13), [uid, uid])
    assert.deepEqual(bounds(1), ['u0-a-very-long-user-identifier', 'u2'])
  })

  it('keep none for columns inside lists and maps', () => {
    for (const id of [7, 9, 10]) assert.equal(columnStats.has(id), false)
  })
})
