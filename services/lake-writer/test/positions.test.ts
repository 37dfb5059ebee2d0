import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ConsumedRecord } from '@healthstream/shared/kafka'
import { routeRecords } from '../src/positions.ts'
import type { TopicRoute } from '../src/routes.ts'
import { rawRow } from '../src/rows.ts'
import { TableBuffer } from '../src/table-buffer.ts'
import { TABLES, TableNames } from '../src/tables.ts'
import { validatedSample } from './support/records.ts'

const record = (offset: number): ConsumedRecord =>
  ({
    topic: 'v',
    partition: 0,
    offset: BigInt(offset),
    key: null,
    value: Buffer.from([offset]),
  }) as ConsumedRecord

describe('handing records to the tables', () => {
  it('makes a decoded row that does not fit its table a dead letter, and moves both tables on', async () => {
    const buffers = new Map(TABLES.map((t) => [t.name, new TableBuffer(t)]))
    for (const b of buffers.values()) b.reset(new Map(), [{ topic: 'v', partition: 0 }])
    const route: TopicRoute = {
      topic: 'v',
      tables: [TableNames.raw, TableNames.errors],
      prepare: async () => undefined,
      decode: (r) => {
        const row = rawRow(validatedSample(Number(r.offset)), { partition: 0, offset: r.offset })
        // the middle record's value is text where the column holds doubles
        return { table: TableNames.raw, row: r.offset === 1n ? { ...row, value: 'high' } : row }
      },
    }
    const skipped = await routeRecords([record(0), record(1), record(2)], [route], buffers, 7)
    assert.deepEqual(
      skipped.map((s) => [s.offset, s.reason]),
      [[1n, 'DECODE_FAILED']],
    )
    assert.match(skipped[0]!.detail, /row does not fit health_data_raw/)
    const raw = buffers.get(TableNames.raw)!.take()
    const errors = buffers.get(TableNames.errors)!.take()
    assert.equal(raw.rowCount, 2)
    assert.deepEqual(raw.next, [{ topic: 'v', partition: 0, offset: 3n }])
    assert.equal(errors.rowCount, 1)
    assert.deepEqual(errors.next, [{ topic: 'v', partition: 0, offset: 3n }])
  })

  it('reads rows straight into the columns where the route can, and decodes the rest', async () => {
    const buffers = new Map(TABLES.map((t) => [t.name, new TableBuffer(t)]))
    for (const b of buffers.values()) b.reset(new Map(), [{ topic: 'v', partition: 0 }])
    const rawDef = TABLES.find((t) => t.name === TableNames.raw)!
    const rowOf = (r: ConsumedRecord) =>
      rawRow(validatedSample(Number(r.offset)), { partition: 0, offset: r.offset })
    const decoded: bigint[] = []
    const route: TopicRoute = {
      topic: 'v',
      tables: [TableNames.raw, TableNames.errors],
      prepare: async () => undefined,
      decode: (r) => {
        decoded.push(r.offset)
        // record 1 cannot be read directly; its decoded value is text where the column holds doubles
        return { table: TableNames.raw, row: r.offset === 1n ? { ...rowOf(r), value: 'high' } : rowOf(r) }
      },
      direct: {
        table: TableNames.raw,
        read: (r, columns) => {
          if (r.offset === 1n) return false
          const row = rowOf(r)
          // record 3's read is broken: it claims a row after filling one column (undone, then decoded)
          if (r.offset === 3n) return columns[0]!.push(row.sample_id) === undefined
          for (const [i, f] of rawDef.schema.fields.entries()) columns[i]!.push(row[f.name])
          return true
        },
      },
    }
    const skipped = await routeRecords([record(0), record(1), record(2), record(3)], [route], buffers, 7)
    assert.deepEqual(decoded, [1n, 3n], 'only the records the direct read refused or got wrong were decoded')
    assert.deepEqual(
      skipped.map((s) => [s.offset, s.reason]),
      [[1n, 'DECODE_FAILED']],
    )
    const raw = buffers.get(TableNames.raw)!.take()
    const errors = buffers.get(TableNames.errors)!.take()
    assert.equal(raw.rowCount, 3)
    assert.ok(raw.batch!.columns.every((c) => c.length === 3))
    assert.deepEqual(raw.next, [{ topic: 'v', partition: 0, offset: 4n }])
    // the largest start_time of the rows taken, off the column
    const starts = [0, 2, 3].map((o) => rowOf(record(o)).start_time as number)
    assert.equal(raw.watermark, BigInt(Math.max(...starts)))
    assert.equal(errors.rowCount, 1)
    assert.deepEqual(errors.next, [{ topic: 'v', partition: 0, offset: 4n }])
  })
})
