import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { parquetMetadata } from 'hyparquet'
import { ByteSink } from '../src/encode/bytes.ts'
import {
  ColumnBatch,
  readParquet,
  type Schema,
  writeColumnBatch,
  writeParquet,
  writeParquetRows,
} from '../src/index.ts'
import { ALL_TYPES_SCHEMA, allTypesRow } from './fixtures/all-types.ts'
import { readHybrid } from './fixtures/hybrid.ts'

const packageVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version

type Row = Record<string, unknown>

function columnar(schema: Schema, rows: readonly Row[], options = {}) {
  const batch = ColumnBatch.of(schema)!
  for (const r of rows) batch.push(r)
  return writeColumnBatch(batch, options)
}

describe('the RLE/bit-packing hybrid', () => {
  it('decodes to the levels and indexes it was given, for every bit width', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.nat(1 << 20), fc.integer({ min: 1, max: 20 })), { maxLength: 40 }),
        (width, runs) => {
          const values = runs.flatMap(([v, n]) => Array<number>(n).fill(v % 2 ** width))
          const sink = new ByteSink(8)
          sink.hybrid(values, 0, values.length, width)
          assert.deepEqual(readHybrid(sink.view(), width, values.length), values)
        },
      ),
    )
  })
})

describe('the columnar Parquet writer', () => {
  const rowsArb = fc.array(allTypesRow, { maxLength: 120 })
  const optionsArb = fc.record({
    rowGroupRows: fc.integer({ min: 1, max: 200 }),
    pageSize: fc.constantFrom(64, 1024, 1 << 20),
  })

  it('computes the same column statistics as the row writer, on random rows of every type', () => {
    fc.assert(
      fc.property(rowsArb, optionsArb, (rows, options) => {
        const fast = columnar(ALL_TYPES_SCHEMA, rows, options)
        const slow = writeParquetRows(ALL_TYPES_SCHEMA, rows, options)
        assert.deepEqual(fast.columnStats, slow.columnStats)
        assert.equal(fast.recordCount, rows.length)
        assert.deepEqual([...fast.columnSizes.keys()].sort(), [...slow.columnSizes.keys()].sort())
      }),
      { numRuns: 150 },
    )
  })

  it('writes files that read back (by hyparquet) to the rows written, page and row-group splits included', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb, optionsArb, async (rows, options) => {
        const fast = columnar(ALL_TYPES_SCHEMA, rows, options)
        assert.deepEqual(await readParquet(fast.bytes, ALL_TYPES_SCHEMA), rows.map(asRead))
        const meta = parquetMetadata(fast.bytes)
        assert.equal(Number(meta.num_rows), rows.length)
        assert.deepEqual(
          fast.splitOffsets,
          meta.row_groups.map((g) => {
            const first = g.columns[0]!.meta_data!
            return Number(first.dictionary_page_offset ?? first.data_page_offset)
          }),
        )
      }),
      { numRuns: 100 },
    )
  })

  it('is what writeParquet uses for schemas of primitives, lists and maps', () => {
    const rows = [allTypesRowExample()]
    assert.deepEqual(writeParquet(ALL_TYPES_SCHEMA, rows).bytes, columnar(ALL_TYPES_SCHEMA, rows).bytes)
  })

  it('names its writer in the created_by form Java readers parse (application version semver (build id))', () => {
    const createdBy = parquetMetadata(columnar(ALL_TYPES_SCHEMA, [allTypesRowExample()]).bytes).created_by
    // parquet-java's VersionParser.FORMAT; its version part must be a semantic version
    const match = /^(.*?)\s+version\s*(?:([^(]*?)\s*(?:\(\s*build\s*([^)]*?)\s*\))?)?$/.exec(createdBy ?? '')
    assert.ok(match, `created_by ${createdBy} does not parse`)
    assert.equal(match[1], 'healthstream-parquet')
    assert.match(match[2] ?? '', /^\d+\.\d+\.\d+$/)
    assert.equal(match[2], packageVersion)
    assert.ok((match[3] ?? '').length > 0, 'a build id')
  })

  it('dictionary-encodes repeating strings and writes ids as plain strings', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      ...allTypesRowExample(),
      s: `id-${i}`,
      ls: ['x'],
    }))
    const meta = parquetMetadata(columnar(ALL_TYPES_SCHEMA, rows).bytes)
    const encodings = (name: string) =>
      meta.row_groups[0]!.columns.find((c) => c.meta_data!.path_in_schema[0] === name)!.meta_data!.encodings
    assert.deepEqual(encodings('s'), ['PLAIN'])
    assert.deepEqual(encodings('ls'), ['PLAIN', 'RLE_DICTIONARY'])
  })

  it('rejects a null in a required column and a value of the wrong type, naming the column', () => {
    assert.throws(
      () => columnar(ALL_TYPES_SCHEMA, [{ ...allTypesRowExample(), s: null }]),
      /required column s is null/,
    )
    assert.throws(
      () => columnar(ALL_TYPES_SCHEMA, [{ ...allTypesRowExample(), l: 1.5 }]),
      /l must be an integer/,
    )
    assert.throws(
      () => columnar(ALL_TYPES_SCHEMA, [{ ...allTypesRowExample(), s: 5 }]),
      /column s must be a string/,
    )
  })

  it('names the application the caller gives instead', () => {
    const createdBy = 'some-table-writer version 1.2.3 (build x)'
    const written = columnar(ALL_TYPES_SCHEMA, [allTypesRowExample()], { createdBy })
    assert.equal(parquetMetadata(written.bytes).created_by, createdBy)
  })

  it('leaves schemas with structs and decimals to the row writer', () => {
    assert.equal(
      ColumnBatch.of({ fields: [{ id: 1, name: 'd', type: 'decimal(9,2)', required: true }] }),
      undefined,
    )
  })
})

const LONGS = new Set(['l', 'ts', 'tz'])

/** A row as `readParquet` returns it: longs as bigints, floats rounded to 32 bits, maps as Maps. */
function asRead(row: Row): Row {
  const out: Row = { ...row }
  for (const k of LONGS) out[k] = row[k] === null ? null : BigInt(row[k] as number | bigint)
  if (typeof row.f === 'number') out.f = Math.fround(row.f)
  out.ll = (row.ll as (number | bigint | null)[]).map((v) => (v === null ? null : BigInt(v)))
  if (row.m !== null) out.m = new Map(Object.entries(row.m as object))
  return out
}

function allTypesRowExample(): Row {
  return fc.sample(allTypesRow, { numRuns: 1, seed: 42 })[0]!
}
