import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseOffsets } from '../src/offsets.ts'
import { rawRow } from '../src/rows.ts'
import { TableBuffer } from '../src/table-buffer.ts'
import { TABLES, TableNames } from '../src/tables.ts'
import { validatedSample } from './support/records.ts'

const raw = TABLES.find((t) => t.name === TableNames.raw)!
const daily = TABLES.find((t) => t.name === TableNames.daily)!
/** A whole `health_data_raw` row with this event time. */
const row = (startTime: number | bigint) => ({
  ...rawRow(validatedSample(0), { partition: 0, offset: 0n }),
  start_time: startTime,
})
const owned = [
  { topic: 't', partition: 0 },
  { topic: 't', partition: 1 },
]

describe('a table buffer', () => {
  it('wants only records at or after the offset the table holds, from the log start when it holds none', () => {
    const b = new TableBuffer(raw)
    b.reset(parseOffsets('{"t":{"0":10},"other":{"0":99}}'), owned)
    assert.equal(b.startOf('t', 0), 10n)
    assert.equal(b.startOf('t', 1), null)
    assert.equal(b.wants('t', 0, 9n), false)
    assert.equal(b.wants('t', 0, 10n), true)
    assert.equal(b.wants('t', 1, 0n), true)
    assert.equal(b.wants('t', 2, 0n), false, 'a partition it does not own')
  })

  it('does not take a record twice once consumed', () => {
    const b = new TableBuffer(raw)
    b.reset(new Map(), owned)
    b.consume('t', 0, 5n, row(1), 0)
    assert.equal(b.wants('t', 0, 5n), false)
    assert.equal(b.wants('t', 0, 6n), true)
  })

  it('hands over rows, the fence and the next offsets, and tracks the largest event time', () => {
    const b = new TableBuffer(raw)
    b.reset(parseOffsets('{"t":{"0":10}}'), owned)
    b.consume('t', 0, 10n, row(300), 1000)
    b.consume('t', 0, 11n, undefined, 1001)
    b.consume('t', 1, 0n, row(200n), 1002)
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
    b.consume('t', 0, 0n, row(2 ** 53 - 1), 0)
    b.consume('t', 1, 0n, row(2n ** 60n), 0)
    b.consume('t', 0, 1n, row(7), 0)
    assert.equal(b.take().watermark, 2n ** 60n)
    b.consume('t', 0, 2n, row(5n), 0)
    b.consume('t', 1, 1n, row(9), 0)
    assert.equal(b.take().watermark, 9n)
  })

  it('moves its offsets with records that went to a sibling table (no row for this one)', () => {
    const b = new TableBuffer(raw)
    b.reset(new Map(), owned)
    b.consume('t', 1, 41n, undefined, 5)
    assert.equal(b.rowCount, 0)
    assert.deepEqual(b.take().next, [{ topic: 't', partition: 1, offset: 42n }])
  })

  it('refuses a row that does not fit its columns and takes nothing of it', () => {
    const b = new TableBuffer(raw)
    b.reset(new Map(), owned)
    b.consume('t', 0, 0n, row(1), 0)
    assert.throws(() => b.consume('t', 0, 1n, { ...row(2), value: 'high' }, 0), /value/)
    assert.equal(b.rowCount, 1)
    assert.equal(b.wants('t', 0, 1n), true, 'the offset did not move')
    b.consume('t', 0, 1n, row(3), 0)
    assert.equal(b.take().batch?.length, 2)
  })

  it('keeps the rows of an upsert table as rows (copy-on-write reads them by key)', () => {
    const b = new TableBuffer(daily)
    b.reset(new Map(), owned)
    b.consume('t', 0, 0n, { window_start: 1 }, 0)
    const work = b.take()
    assert.equal(work.batch, undefined)
    assert.deepEqual(work.rows, [{ window_start: 1 }])
    assert.equal(work.rowCount, 1)
  })
})
