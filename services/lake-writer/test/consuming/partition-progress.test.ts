import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Row, TABLES, TableNames } from '../../src/committing/tables.ts'
import { rawRow } from '../../src/consuming/rows.ts'
import { TableBuffer } from '../../src/consuming/table-buffer.ts'
import { validatedSample } from '../support/records.ts'

const raw = TABLES.find((t) => t.name === TableNames.raw)!
const daily = TABLES.find((t) => t.name === TableNames.daily)!
const row = (startTime: number | bigint) => ({
  ...rawRow(validatedSample(0), { partition: 0, offset: 0n }),
  start_time: startTime,
})
/** A run of one partition as the router hands it: the rows, then one advance past its last offset. */
const run = (b: TableBuffer, p: number, last: bigint, rows: readonly Row[]) => {
  for (const r of rows) b.add(r)
  b.advance('t', p, last, 0)
}
const owned = [0, 1, 2].map((partition) => ({ topic: 't', partition }))
const sorted = (ts: readonly { partition: number; source?: number; micros: bigint }[]) =>
  ts.map((t) => [t.partition, t.source ?? null, t.micros]).sort((a, b) => Number(a[0]) - Number(b[0]))

describe('the progress a table buffer hands its commit', () => {
  for (const def of [raw, daily]) {
    const eventTime = def.eventTime
    const make = (t: number | bigint) => (def === raw ? row(t) : { [eventTime]: t })
    it(`is the largest event time per partition of the rows each run added (${def.name})`, () => {
      const b = new TableBuffer(def)
      b.reset(new Map(), owned)
      run(b, 0, 4n, [make(50), make(70), make(60)])
      run(b, 1, 9n, [make(2n ** 60n)])
      run(b, 0, 6n, [make(65)])
      run(b, 2, 3n, [])
      assert.deepEqual(sorted(b.take().times ?? []), [
        [0, null, 70n],
        [1, null, 2n ** 60n],
      ])
      run(b, 0, 7n, [make(10)])
      assert.deepEqual(sorted(b.take().times ?? []), [[0, null, 10n]], 'per commit, from empty')
    })
  }

  it('carries the watermark marks read, the largest per partition and aggregator partition', () => {
    const b = new TableBuffer(daily)
    b.reset(new Map(), owned)
    b.mark('t', 1, { sourcePartition: 3, watermark: 500n })
    b.mark('t', 1, { sourcePartition: 3, watermark: 400n })
    b.mark('t', 1, { sourcePartition: 0, watermark: 100n })
    b.advance('t', 1, 12n, 0)
    assert.deepEqual(
      sorted(b.take().times ?? []).sort((x, y) => Number(x[1]) - Number(y[1])),
      [
        [1, 0, 100n],
        [1, 3, 500n],
      ],
    )
  })

  it('forgets what it had not committed when it resyncs', () => {
    const b = new TableBuffer(raw)
    b.reset(new Map(), owned)
    run(b, 0, 1n, [row(5)])
    b.reset(new Map(), owned)
    assert.deepEqual(b.take().times, [])
  })
})
