import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseOffsets } from '../src/offsets.ts'
import { TableBuffer } from '../src/table-buffer.ts'
import { TABLES } from '../src/tables.ts'

const raw = TABLES[0]!
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
    b.consume('t', 0, 5n, { start_time: 1 }, 0)
    assert.equal(b.wants('t', 0, 5n), false)
    assert.equal(b.wants('t', 0, 6n), true)
  })

  it('hands over rows, the fence and the next offsets, and tracks the largest event time', () => {
    const b = new TableBuffer(raw)
    b.reset(parseOffsets('{"t":{"0":10}}'), owned)
    b.consume('t', 0, 10n, { start_time: 300 }, 1000)
    b.consume('t', 0, 11n, undefined, 1001)
    b.consume('t', 1, 0n, { start_time: 200n }, 1002)
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
    assert.equal(b.dirtySince, undefined)
    b.committed(work)
    assert.equal(b.startOf('t', 0), 12n)
    assert.equal(b.take().expected.length, 0)
  })

  it('takes the largest event time whether it came as a number or a bigint', () => {
    const b = new TableBuffer(raw)
    b.reset(new Map(), owned)
    b.consume('t', 0, 0n, { start_time: 2 ** 53 - 1 }, 0)
    b.consume('t', 1, 0n, { start_time: 2n ** 60n }, 0)
    b.consume('t', 0, 1n, { start_time: 7 }, 0)
    assert.equal(b.take().watermark, 2n ** 60n)
    b.consume('t', 0, 2n, { start_time: 5n }, 0)
    b.consume('t', 1, 1n, { start_time: 9 }, 0)
    assert.equal(b.take().watermark, 9n)
  })

  it('moves its offsets with records that went to a sibling table (no row for this one)', () => {
    const b = new TableBuffer(raw)
    b.reset(new Map(), owned)
    b.consume('t', 1, 41n, undefined, 5)
    assert.equal(b.rowCount, 0)
    assert.deepEqual(b.take().next, [{ topic: 't', partition: 1, offset: 42n }])
  })
})
