/** What a table's data files carry: the Iceberg schema and this library's name in the footer, and metrics. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { ColumnBatch, writeParquet, writeParquetRows } from '@healthstream/parquet'
import fc from 'fast-check'
import { parquetMetadata } from 'hyparquet'
import { CREATED_BY } from '../src/created-by.ts'
import { parseJson } from '../src/json/lossless.ts'
import { computeMetrics, metricsOf } from '../src/spec/metrics.ts'
import { schemaToJson } from '../src/spec/schema.ts'
import { fromBytes } from '../src/spec/single-value.ts'
import type { Schema } from '../src/spec/types.ts'
import { DATED_SCHEMA, datedRow } from './fixtures/dated-rows.ts'
import { NESTED_FIELDS } from './fixtures/schema.ts'
import { memoryLake, sample } from './support/memory-table.ts'

const packageVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version

describe('the footer of a data file', () => {
  it('keeps the table schema and names this library, from rows and from a batch alike', async () => {
    const { table, store } = await memoryLake()
    const batch = ColumnBatch.of(table.schema)!
    batch.push(sample('b', 1, 2))
    const files = [
      ...(await table.writeDataFiles([sample('a', 0, 1)])),
      ...(await table.writeBatchFiles(batch)),
    ]
    for (const file of files) {
      const meta = parquetMetadata(await store.get(file.filePath))
      const schema = meta.key_value_metadata?.find((kv) => kv.key === 'iceberg.schema')?.value
      assert.deepEqual(parseJson(schema ?? 'null'), schemaToJson(table.schema))
      assert.equal(meta.created_by, CREATED_BY)
    }
  })

  it('names this library in the created_by form Java readers parse, with its package version', () => {
    // parquet-java's VersionParser.FORMAT; its version part must be a semantic version
    const match = /^(.*?)\s+version\s*(?:([^(]*?)\s*(?:\(\s*build\s*([^)]*?)\s*\))?)?$/.exec(CREATED_BY)
    assert.ok(match, `created_by ${CREATED_BY} does not parse`)
    assert.equal(match[1], 'healthstream-iceberg')
    assert.equal(match[2], packageVersion)
    assert.ok((match[3] ?? '').length > 0, 'a build id')
  })
})

const schema: Schema = {
  schemaId: 0,
  fields: [
    ...NESTED_FIELDS,
    { id: 11, name: 'day', type: 'date', required: false },
    { id: 12, name: 'big', type: 'long', required: false },
    { id: 13, name: 'uid', type: 'uuid', required: false },
    { id: 15, name: 'ok', type: 'boolean', required: false },
    { id: 16, name: 'dec', type: 'decimal(9,2)', required: false },
    { id: 17, name: 'wide', type: 'decimal(38,0)', required: false },
  ],
}

const rows = [
  {
    user_id: 'u1',
    start: 1_795_651_200_000_001n,
    value: 1.5,
    source: { partition: 3 },
    tags: ['a'],
    attrs: new Map([['x', 1n]]),
    day: 20782,
    big: 2n ** 62n,
    uid: 'f79c3e09-677c-4bbd-a479-3f349cb785e7',
    ok: true,
    dec: 1420n,
    wide: 10n ** 37n,
  },
  { user_id: 'u2', start: 1_795_651_200_000_000n, value: null, source: null, tags: null, attrs: null },
  {
    user_id: 'u0-a-very-long-user-identifier',
    start: 1_795_651_200_000_002n,
    value: Number.NaN,
    source: { partition: null },
    day: 1,
    big: -(2n ** 62n),
    ok: false,
    dec: -5n,
    wide: -(10n ** 37n),
  },
].map((r) => ({
  tags: [],
  attrs: new Map(),
  day: null,
  big: null,
  uid: null,
  ok: null,
  dec: null,
  wide: null,
  ...r,
}))

describe('column metrics', () => {
  const metrics = metricsOf(writeParquet(schema, rows).columnStats)

  it('count values, nulls and NaNs per column, fields of structs included', () => {
    assert.equal(metrics.valueCounts.get(3), 3)
    assert.equal(metrics.nullValueCounts.get(3), 1)
    assert.equal(metrics.nanValueCounts.get(3), 1)
    assert.equal(metrics.nullValueCounts.get(5), 2)
    assert.equal(metrics.nanValueCounts.has(1), false)
  })

  it('bound values in their single-value form, NaN and null left out', () => {
    assert.equal(fromBytes('double', metrics.lowerBounds.get(3)!), 1.5)
    assert.equal(fromBytes('double', metrics.upperBounds.get(3)!), 1.5)
    assert.equal(fromBytes('long', metrics.lowerBounds.get(12)!), -(2n ** 62n))
    assert.equal(fromBytes('timestamptz', metrics.upperBounds.get(2)!), 1_795_651_200_000_002n)
    assert.equal(fromBytes('date', metrics.lowerBounds.get(11)!), 1)
    assert.equal(fromBytes('boolean', metrics.lowerBounds.get(15)!), false)
    assert.equal(fromBytes('uuid', metrics.upperBounds.get(13)!), 'f79c3e09-677c-4bbd-a479-3f349cb785e7')
  })

  it('bound decimals as minimal big-endian bytes', () => {
    assert.equal(fromBytes('decimal(9,2)', metrics.lowerBounds.get(16)!), -5n)
    assert.equal(fromBytes('decimal(38,0)', metrics.lowerBounds.get(17)!), -(10n ** 37n))
  })

  it('truncate string bounds to 16 characters, the upper one incremented', () => {
    assert.equal(fromBytes('string', metrics.lowerBounds.get(1)!), 'u0-a-very-long-u')
    assert.equal(fromBytes('string', metrics.upperBounds.get(1)!), 'u2')
    const short = metricsOf(writeParquet(schema, rows).columnStats, 4)
    assert.equal(fromBytes('string', short.lowerBounds.get(1)!), 'u0-a')
  })

  it('keep none for columns inside lists and maps', () => {
    for (const id of [7, 9, 10]) assert.equal(metrics.valueCounts.has(id), false)
  })

  it('are the same from the columnar writer, the row writer and the rows themselves', () => {
    fc.assert(
      fc.property(fc.array(datedRow, { maxLength: 60 }), (dated) => {
        const columnar = metricsOf(writeParquet(DATED_SCHEMA, dated).columnStats)
        assert.deepEqual(metricsOf(writeParquetRows(DATED_SCHEMA, dated).columnStats), columnar)
        assert.deepEqual(computeMetrics(DATED_SCHEMA, dated), columnar)
      }),
      { numRuns: 60 },
    )
  })
})
