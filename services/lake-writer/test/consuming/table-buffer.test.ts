import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseOffsets } from '../../src/committing/offsets.ts'
import { type Row, TABLES, TableNames } from '../../src/committing/tables.ts'
import { rawRow } from '../../src/consuming/rows.ts'
import { TableBuffer } from '../../src/consuming/table-buffer.ts'
import { validatedSample } from '../support/records.ts'

const raw = TABLES.find((t) => t.name === TableNames.raw)!
const daily = TABLES.find((t) => t.name === TableNames.daily)!
/** A whole `health_data_raw` row with this event time. */
const row = (startTime: number | bigint) => ({
  ...rawRow(validatedSample(0), { partition: 0, offset: 0n }),
  start_time: startTime,
})
/** A record of partition `p` at `offset`: its row, if any, then the offset (as the router hands them). */
const consume = (b: TableBuffer, p: number, offset: bigint, r: Row | undefined, now: number) => {
  if (r !== undefined) b.add(r)
  b.advance('t', p, offset, now)
}
const owned = [
  { topic: 't', partition: 0 },
  { topic: 't', partition: 1 },
]

describe('a table buffer', () => {
  it('needs records from the offset the table holds, from the log start when it holds none', () => {
    const b = new TableBuffer(raw)
    b.reset(parseOffsets('{"t":{"0":10},"other":{"0":99}}'), owned)
    assert.equal(b.startOf('t', 0), 10n)
    assert.equal(b.startOf('t', 1), null)
    assert.equal(b.neededFrom('t', 0), 10n)
    assert.equal(b.neededFrom('t', 1), null)
    assert.equal(b.neededFrom('t', 2), undefined, 'a partition it does not own')
    assert.equal(b.neededFrom('other', 0), undefined, 'recorded, yet not owned')
  })

  it('needs no record twice once it moved past it', () => {
    const b = new TableBuffer(raw)
    b.reset(new Map(), owned)
    consume(b, 0, 5n, row(1), 0)
    assert.equal(b.neededFrom('t', 0), 6n)
    assert.equal(b.startOf('t', 0), null, 'the table holds it only once committed')
  })

  it('hands over rows, the fence and the next offsets, and tracks the largest event time', () => {
    const b = new TableBuffer(raw)
    b.reset(parseOffsets('{"t":{"0":10}}'), owned)
    consume(b, 0, 10n, row(300), 1000)
    consume(b, 0, 11n, undefined, 1001)
    consume(b, 1, 0n, row(200n), 1002)
    assert.equal(b.dirtySince, 1000)
    assert.equal(b.rowCount, 2)
    const work = b.take()
    assert.deepEqual(work.expected, [
      { topic: 't', partition: 0, offset: 10n },
      { topic: 't', partition: 1, offset: null },
    ])
    assert.deepEqual(work.next, [
      { topic: 't', partition: 0, offset: 12n },
      { topic: 't', partition: 1, offset: 1n },
    ])
    assert.equal(work.watermark, 300n)
    assert.equal(work.rowCount, 2)
    assert.equal(work.batch?.length, 2, 'an append table holds its rows as columns')
    assert.deepEqual(work.rows, [])
    assert.equal(b.dirtySince, undefined)
    assert.equal(b.rowCount, 0)
    b.committed(work)
    assert.equal(b.startOf('t', 0), 12n)
    assert.equal(b.take().expected.length, 0)
  })

  it('takes the largest event time whether it came as a number or a bigint', () => {
    const b = new TableBuffer(raw)
    b.reset(new Map(), owned)
    consume(b, 0, 0n, row(2 ** 53 - 1), 0)
    consume(b, 1, 0n, row(2n ** 60n), 0)
    consume(b, 0, 1n, row(7), 0)
    assert.equal(b.take().watermark, 2n ** 60n)
    consume(b, 0, 2n, row(5n), 0)
    consume(b, 1, 1n, row(9), 0)
    assert.equal(b.take().watermark, 9n)
  })

  it('moves its offsets with records that went to a sibling table (no row for this one)', () => {
    const b = new TableBuffer(raw)
    b.reset(new Map(), owned)
    consume(b, 1, 41n, undefined, 5)
    assert.equal(b.rowCount, 0)
    assert.deepEqual(b.take().next, [{ topic: 't', partition: 1, offset: 42n }])
  })

  it('refuses a row that does not fit its columns and takes nothing of it', () => {
    const b = new TableBuffer(raw)
    b.reset(new Map(), owned)
    consume(b, 0, 0n, row(1), 0)
    assert.throws(() => consume(b, 0, 1n, { ...row(2), value: 'high' }, 0), /value/)
    assert.equal(b.rowCount, 1)
    assert.equal(b.neededFrom('t', 0), 1n, 'the offset did not move')
    consume(b, 0, 1n, row(3), 0)
    assert.equal(b.take().batch?.length, 2)
  })

  it('keeps the rows of an upsert table as rows (copy-on-write reads them by key)', () => {
    const b = new TableBuffer(daily)
    b.reset(new Map(), owned)
    consume(b, 0, 0n, { window_start: 1 }, 0)
    const work = b.take()
    assert.equal(work.batch, undefined)
    assert.deepEqual(work.rows, [{ window_start: 1 }])
    assert.equal(work.rowCount, 1)
  })
})
