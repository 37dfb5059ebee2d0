import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseOffsets } from '../../src/committing/offsets.ts'
import { TABLES, TableNames } from '../../src/committing/tables.ts'
import { rawRow } from '../../src/consuming/rows.ts'
import { TableBuffer } from '../../src/consuming/table-buffer.ts'
import { validatedSample } from '../support/records.ts'

const raw = TABLES.find((t) => t.name === TableNames.raw)!
const row = (i: number) => rawRow(validatedSample(i), { partition: 0, offset: BigInt(i) })
const owned = [
  { topic: 't', partition: 0 },
  { topic: 't', partition: 1 },
]

/** Runs of one partition, as the router hands them: `[partition, rows, last offset]`. */
function feed(b: TableBuffer, runs: readonly [number, number, bigint][]): void {
  for (const [partition, rows, last] of runs) {
    for (let i = 0; i < rows; i++) b.add(row(i))
    b.advance('t', partition, last, 0)
  }
}

describe('a table buffer counting rows per partition', () => {
  const cases: [string, [number, number, bigint][], [number, number][]][] = [
    ['one run', [[0, 3, 2n]], [[0, 3]]],
    [
      'runs of two partitions, one of them twice',
      [
        [0, 3, 2n],
        [1, 2, 1n],
        [0, 1, 3n],
      ],
      [
        [0, 4],
        [1, 2],
      ],
    ],
    ['a run whose records are not this table’s rows', [[1, 0, 9n]], [[1, 0]]],
  ]
  for (const [what, runs, want] of cases)
    it(`hands each commit the rows of each partition: ${what}`, () => {
      const b = new TableBuffer(raw)
      b.reset(parseOffsets(undefined), owned)
      feed(b, runs)
      const work = b.take()
      assert.deepEqual(
        work.added.map((a) => [a.partition, a.rows]),
        want,
      )
      assert.equal(
        work.added.reduce((n, a) => n + a.rows, 0),
        work.rowCount,
      )
    })

  it('starts over after a take and after a reset', () => {
    const b = new TableBuffer(raw)
    b.reset(parseOffsets(undefined), owned)
    feed(b, [[0, 3, 2n]])
    b.take()
    feed(b, [[0, 2, 4n]])
    assert.deepEqual(
      b.take().added.map((a) => [a.partition, a.rows]),
      [[0, 2]],
    )
    feed(b, [[1, 5, 4n]])
    b.reset(parseOffsets(undefined), owned)
    feed(b, [[1, 1, 0n]])
    assert.deepEqual(
      b.take().added.map((a) => [a.partition, a.rows]),
      [[1, 1]],
    )
  })
})
