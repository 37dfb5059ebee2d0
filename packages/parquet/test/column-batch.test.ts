/** String columns as dictionary codes, and rows written into a batch's columns by their reader. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  exportBatch,
  type LeafColumn,
  type Schema,
  takeRows,
  valueAt,
  writeColumnBatch,
} from '../src/index.ts'
import { ALL_TYPES_SCHEMA, allTypesRow } from './fixtures/all-types.ts'
import { batchOf } from './fixtures/batches.ts'

const schema: Schema = {
  fields: [
    { id: 1, name: 's', type: 'string', required: false },
    { id: 2, name: 'k', type: 'long', required: true },
  ],
}

describe('string columns kept as dictionary codes', () => {
  const rows = Array.from({ length: 5000 }, (_, k) => ({ s: k % 7 === 0 ? null : `value-${k % 3000}`, k }))

  it('encode the rows picked out of a batch of many strings as those rows on their own', () => {
    const batch = batchOf(schema, rows)
    // Few picks out of thousands of strings: each chunk numbers its strings apart from the batch's
    // codes, and a string appended under two codes (value-10 at 10 and 3010) is one dictionary entry
    for (const picks of [
      [4999, 3, 3, 1, 4999, 7, 2],
      [0, 7, 14],
      [10, 3010, 10, 3010, 1000, 4000],
    ]) {
      const indices = Int32Array.from(picks)
      const taken = takeRows(batch, indices)
      const alone = batchOf(
        schema,
        picks.map((i) => rows[i]!),
      )
      assert.deepEqual(writeColumnBatch(taken).bytes, writeColumnBatch(alone).bytes)
      assert.deepEqual(
        picks.map((_, j) => valueAt(taken.columns[0] as LeafColumn, j)),
        picks.map((i) => rows[i]!.s),
      )
    }
  })

  it('hold a string once when strings repeat, and give every slot its string either way', () => {
    const repeating = rows.map((r) => ({ ...r, s: r.s === null ? null : `value-${r.k % 300}` }))
    const batch = batchOf(schema, repeating)
    const column = batch.columns[0]!
    assert.equal(column.kind, 'string')
    if (column.kind !== 'string') return
    assert.equal(column.dictionary.strings.length, new Set(repeating.flatMap((r) => r.s ?? [])).size)
    const { codes, strings } = column.compacted()
    assert.deepEqual(
      repeating.map((r, i) => (r.s === null ? null : strings[codes[i]!])),
      repeating.map((r) => r.s),
    )
    // Mostly distinct strings are appended without a lookup; each slot still reads back its own
    const distinct = batchOf(schema, rows).columns[0]!
    assert.ok(distinct.kind === 'string')
    assert.deepEqual(
      rows.map((r, i) => (r.s === null ? null : distinct.at(i))),
      rows.map((r) => r.s),
    )
  })
})

describe('a row written into the columns by its reader', () => {
  it('lands whole, or leaves the batch as it was when the reader refuses, fails or fills too little', () => {
    const batch = batchOf(schema, [{ s: 'a', k: 1 }])
    const same = () => exportBatch(batchOf(schema, [{ s: 'a', k: 1 }]))
    const refused = batch.append((columns) => {
      columns[0]!.push('b')
      return false
    })
    assert.equal(refused, false)
    assert.deepEqual(exportBatch(batch), same())
    assert.throws(() =>
      batch.append((columns) => {
        columns[0]!.push('b')
        return columns[1]!.push('not a long') === undefined
      }),
    )
    assert.deepEqual(exportBatch(batch), same())
    assert.throws(
      () =>
        batch.append((columns) => {
          columns[0]!.push('b')
          return true
        }),
      /a row filled 1 of 2 columns/,
    )
    assert.deepEqual(exportBatch(batch), same())
    assert.ok(
      batch.append((columns) => {
        columns[1]!.push(2n)
        columns[0]!.push(null)
        return true
      }),
    )
    assert.deepEqual(
      exportBatch(batch),
      exportBatch(
        batchOf(schema, [
          { s: 'a', k: 1 },
          { s: null, k: 2n },
        ]),
      ),
    )
    assert.equal(batch.largest('k'), 2n)
    assert.equal(batch.largest('s'), 'a')
    assert.equal(batch.largest('s', 1), undefined, 'rows from 1 on: only a null')
    assert.equal(batch.largest('k', 1), 2n)
    assert.equal(batch.largest('k', 2), undefined, 'no rows from 2 on')
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
          assert.throws(() => batch.push({ ...good, ...bad }), {
            name: 'ParquetError',
            code: 'INVALID_ARGUMENT',
          })
          assert.deepEqual(exportBatch(batch), before)
          batch.push(good)
          assert.deepEqual(exportBatch(batch), exportBatch(batchOf(ALL_TYPES_SCHEMA, [...rows, good])))
        },
      ),
      { numRuns: 80 },
    )
  })
})
