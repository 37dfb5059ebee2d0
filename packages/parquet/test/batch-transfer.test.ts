/** Batches picked from by row index, and batches sent to another thread as plain data. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { exportBatch, importBatch, type Schema, takeRows, valueAt, writeColumnBatch } from '../src/index.ts'
import { ALL_TYPES_SCHEMA, allTypesRow } from './fixtures/all-types.ts'
import { batchOf } from './fixtures/batches.ts'

const rowsArb = fc.array(allTypesRow, { maxLength: 80 })

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
    const other: Schema = { fields: [ALL_TYPES_SCHEMA.fields[0]!] }
    assert.throws(() => importBatch(other, exportBatch(batchOf(ALL_TYPES_SCHEMA, []))), /does not fit/)
  })
})
