import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import fc from 'fast-check'
import { exportBatch, importBatch } from '../src/parquet/batch-transfer.ts'
import { writeColumnBatch } from '../src/parquet/columnar.ts'
import { takeRows, valueAt } from '../src/parquet/take.ts'
import { writeParquet } from '../src/parquet/writer.ts'
import type { PartitionSpec, Schema } from '../src/spec/types.ts'
import { encodeBatchFiles } from '../src/table/batch-files.ts'
import { ParquetEncodePool } from '../src/table/encode-pool.ts'
import { groupByPartition } from '../src/table/write.ts'
import { ALL_TYPES_SCHEMA, allTypesRow } from './fixtures/all-types.ts'
import { batchOf } from './fixtures/batches.ts'

const rowsArb = fc.array(allTypesRow, { maxLength: 80 })
/** Rows whose `tz` has a day a date can name (partition paths are dates), spread over a few days. */
const datedRow = fc
  .tuple(allTypesRow, fc.integer({ min: 0, max: 5 * 86_400_000_000 }))
  .map(([row, tz]) => ({ ...row, tz: 1_700_000_000_000_000 + tz }))
const datedRowsArb = fc.array(datedRow, { maxLength: 80 })

/** Partitions of ALL_TYPES_SCHEMA: by day of `tz` and by 4 buckets of `s` (strings, nulls never). */
const SPECS: Record<string, PartitionSpec> = {
  unpartitioned: { specId: 0, fields: [] },
  'day(tz), bucket[4](s)': {
    specId: 1,
    fields: [
      { sourceId: 9, fieldId: 1000, name: 'tz_day', transform: 'day' },
      { sourceId: 11, fieldId: 1001, name: 's_bucket', transform: 'bucket[4]' },
    ],
  },
  'identity(cat)': {
    specId: 2,
    fields: [{ sourceId: 12, fieldId: 1000, name: 'cat', transform: 'identity' }],
  },
  'identity(b)': {
    specId: 3,
    fields: [{ sourceId: 1, fieldId: 1000, name: 'b', transform: 'identity' }],
  },
}

describe('picking rows out of a column batch', () => {
  it('gives the batch the picked rows would have made, for every column type (lists and maps too)', () => {
    fc.assert(
      fc.property(
        rowsArb.filter((r) => r.length > 0),
        fc.array(fc.nat(), { maxLength: 100 }),
        (rows, picks) => {
          const indices = Int32Array.from(picks.map((p) => p % rows.length))
          const taken = takeRows(batchOf(ALL_TYPES_SCHEMA, rows), indices)
          const expected = batchOf(
            ALL_TYPES_SCHEMA,
            [...indices].map((i) => rows[i]!),
          )
          assert.deepEqual(exportBatch(taken), exportBatch(expected))
          assert.deepEqual(writeColumnBatch(taken).bytes, writeColumnBatch(expected).bytes)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('reads a long back as a number while it is exact, as a bigint beyond', () => {
    const batch = batchOf(ALL_TYPES_SCHEMA, [])
    const l = batch.columns[2]!
    assert.equal(l.kind, 'long')
    if (l.kind !== 'long') return
    const values = [0, -1, 2 ** 53 - 1, -(2 ** 53), 2n ** 53n, -(2n ** 63n), 2n ** 63n - 1n]
    for (const v of values) l.push(v)
    assert.deepEqual(
      values.map((_, i) => valueAt(l, i)),
      [0, -1, 2 ** 53 - 1, -(2 ** 53), 2n ** 53n, -(2n ** 63n), 2n ** 63n - 1n],
    )
  })
})

describe('a column batch sent as plain data', () => {
  it('is the same batch after a structured clone (same file bytes)', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const batch = batchOf(ALL_TYPES_SCHEMA, rows)
        const copy = importBatch(ALL_TYPES_SCHEMA, structuredClone(exportBatch(batch)))
        assert.equal(copy.length, rows.length)
        assert.deepEqual(writeColumnBatch(copy).bytes, writeColumnBatch(batch).bytes)
        // and it still takes rows afterwards
        copy.push(rows[0] ?? fc.sample(allTypesRow, 1)[0]!)
        assert.equal(copy.length, rows.length + 1)
      }),
      { numRuns: 60 },
    )
  })

  it('refuses column data of another schema', () => {
    const other: Schema = { schemaId: 1, fields: [ALL_TYPES_SCHEMA.fields[0]!] }
    assert.throws(() => importBatch(other, exportBatch(batchOf(ALL_TYPES_SCHEMA, []))), /does not fit/)
  })
})

describe('encoding a batch as the files of its partitions', () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    it(`makes the files the row path makes, partition by partition (${name})`, () => {
      fc.assert(
        fc.property(datedRowsArb, fc.integer({ min: 1, max: 50 }), (rows, maxRowsPerFile) => {
          const files = encodeBatchFiles(spec, batchOf(ALL_TYPES_SCHEMA, rows), { maxRowsPerFile })
          const expected = groupByPartition(spec, ALL_TYPES_SCHEMA, rows).flatMap((g) => {
            const out = []
            for (let i = 0; i < g.rows.length; i += maxRowsPerFile)
              out.push({ partition: g.partition, path: g.path, rows: g.rows.slice(i, i + maxRowsPerFile) })
            return out
          })
          assert.deepEqual(
            files.map((f) => [f.partition, f.path, f.written.recordCount]),
            expected.map((e) => [e.partition, e.path, e.rows.length]),
          )
          files.forEach((f, i) => {
            const rowPath = writeParquet(ALL_TYPES_SCHEMA, expected[i]!.rows)
            assert.deepEqual(f.written.bytes, rowPath.bytes)
            assert.deepEqual(f.written.metrics, rowPath.metrics)
          })
        }),
        { numRuns: 40 },
      )
    })
  }
})

describe('the Parquet encode pool (worker threads)', () => {
  const pool = new ParquetEncodePool(2)
  after(() => pool.close())
  const spec = SPECS['day(tz), bucket[4](s)']!

  it('encodes exactly what this thread encodes, several batches at once', async () => {
    const batches = fc.sample(datedRowsArb, 6).map((rows) => batchOf(ALL_TYPES_SCHEMA, rows))
    const results = await Promise.all(batches.map((b) => pool.encode(spec, b, { maxRowsPerFile: 7 })))
    results.forEach((files, i) => {
      const here = encodeBatchFiles(spec, batches[i]!, { maxRowsPerFile: 7 })
      assert.deepEqual(
        files.map((f) => [f.partition, f.path, f.written.bytes, f.written.metrics, f.written.splitOffsets]),
        here.map((f) => [f.partition, f.path, f.written.bytes, f.written.metrics, f.written.splitOffsets]),
      )
    })
  })

  it('fails a job that cannot be done with the error’s code, and goes on working', async () => {
    const batch = batchOf(ALL_TYPES_SCHEMA, fc.sample(datedRow, 3))
    const noSource: PartitionSpec = {
      specId: 9,
      fields: [{ sourceId: 999, fieldId: 1000, name: 'x', transform: 'identity' }],
    }
    await assert.rejects(pool.encode(noSource, batch, {}), (e: Error & { code?: string }) => {
      assert.match(e.message, /Parquet encoding failed/)
      assert.equal(e.code, 'INVALID_ARGUMENT')
      return true
    })
    const files = await pool.encode(spec, batch, {})
    assert.equal(
      files.reduce((n, f) => n + f.written.recordCount, 0),
      3,
    )
  })

  it('refuses work once closed', async () => {
    const closed = new ParquetEncodePool(1)
    await closed.close()
    await assert.rejects(closed.encode(spec, batchOf(ALL_TYPES_SCHEMA, []), {}), { code: 'ENCODER_FAILED' })
  })
})

describe('a row that does not fit a column batch', () => {
  it('throws and leaves the batch as it was, lists and maps included', () => {
    fc.assert(
      fc.property(
        fc.array(allTypesRow, { maxLength: 20 }),
        allTypesRow,
        fc.constantFrom(
          { ll: [1, 'x'] }, // fails inside a list, after an item went in
          { md: { a: 1, b: 'x' } }, // inside a map
          { s: 42 }, // a leaf after several columns took their value
          { tz: null }, // a required column
        ),
        (rows, good, bad) => {
          const batch = batchOf(ALL_TYPES_SCHEMA, rows)
          const before = structuredClone(exportBatch(batch))
          assert.throws(() => batch.push({ ...good, ...bad }))
          assert.deepEqual(exportBatch(batch), before)
          batch.push(good)
          assert.deepEqual(exportBatch(batch), exportBatch(batchOf(ALL_TYPES_SCHEMA, [...rows, good])))
        },
      ),
      { numRuns: 80 },
    )
  })
})
