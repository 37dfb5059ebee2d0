import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { ColumnBatch, writeParquet } from '@healthstream/parquet'
import fc from 'fast-check'
import type { PartitionSpec } from '../src/spec/types.ts'
import { encodeBatchFiles } from '../src/table/batch-files.ts'
import { ParquetEncodePool } from '../src/table/encode-pool.ts'
import { dataFileOptions } from '../src/table/parquet-options.ts'
import { groupByPartition } from '../src/table/write.ts'
import { DATED_SCHEMA, datedRow, SPECS } from './fixtures/dated-rows.ts'

const datedRowsArb = fc.array(datedRow, { maxLength: 80 })

/** A batch of `schema` holding `rows`. */
function batchOf(schema: ColumnBatch['schema'], rows: readonly Record<string, unknown>[]): ColumnBatch {
  const batch = ColumnBatch.of(schema)!
  for (const r of rows) batch.push(r)
  return batch
}

describe('encoding a batch as the files of its partitions', () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    it(`makes the files the row path makes, partition by partition (${name})`, () => {
      fc.assert(
        fc.property(datedRowsArb, fc.integer({ min: 1, max: 50 }), (rows, maxRowsPerFile) => {
          const files = encodeBatchFiles(spec, batchOf(DATED_SCHEMA, rows), { maxRowsPerFile })
          const expected = groupByPartition(spec, DATED_SCHEMA, rows).flatMap((g) => {
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
            const rowPath = writeParquet(DATED_SCHEMA, expected[i]!.rows, dataFileOptions(DATED_SCHEMA))
            assert.deepEqual(f.written.bytes, rowPath.bytes)
            assert.deepEqual(f.written.columnStats, rowPath.columnStats)
          })
        }),
        { numRuns: 40 },
      )
    })
  }

  it('refuses a batch made for a schema that is not an Iceberg schema (it has no schema id)', () => {
    const bare = batchOf({ fields: DATED_SCHEMA.fields }, fc.sample(datedRow, 2))
    assert.throws(() => encodeBatchFiles(SPECS.unpartitioned!, bare), { code: 'INVALID_ARGUMENT' })
  })
})

describe('the Parquet encode pool (worker threads)', () => {
  const pool = new ParquetEncodePool(2)
  after(() => pool.close())
  const spec = SPECS['day(tz), bucket[4](s)']!

  it('encodes exactly what this thread encodes, several batches at once', async () => {
    const batches = fc.sample(datedRowsArb, 6).map((rows) => batchOf(DATED_SCHEMA, rows))
    const results = await Promise.all(batches.map((b) => pool.encode(spec, b, { maxRowsPerFile: 7 })))
    results.forEach((files, i) => {
      const here = encodeBatchFiles(spec, batches[i]!, { maxRowsPerFile: 7 })
      assert.deepEqual(
        files.map((f) => [
          f.partition,
          f.path,
          f.written.bytes,
          f.written.columnStats,
          f.written.splitOffsets,
        ]),
        here.map((f) => [
          f.partition,
          f.path,
          f.written.bytes,
          f.written.columnStats,
          f.written.splitOffsets,
        ]),
      )
    })
  })

  it('fails a job that cannot be done with the error’s code, and goes on working', async () => {
    const batch = batchOf(DATED_SCHEMA, fc.sample(datedRow, 3))
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
    await assert.rejects(closed.encode(spec, batchOf(DATED_SCHEMA, []), {}), { code: 'ENCODER_FAILED' })
  })
})
