import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ReasonCode } from '@healthstream/shared/domain'
import type { ConsumedRecord, PartitionOffset } from '@healthstream/shared/kafka'
import { parseOffsets } from '../../src/committing/offsets.ts'
import { RAW_FIELDS, TABLES, TableNames } from '../../src/committing/tables.ts'
import { routeRecords } from '../../src/consuming/positions.ts'
import { type DirectRead, deadLetterRow, type TopicRoute } from '../../src/consuming/routing.ts'
import { rawRow } from '../../src/consuming/rows.ts'
import { TableBuffer } from '../../src/consuming/table-buffer.ts'
import { validatedSample } from '../support/records.ts'

const record = (offset: number, partition = 0): ConsumedRecord =>
  ({
    topic: 'v',
    partition,
    offset: BigInt(offset),
    key: null,
    value: Buffer.from([offset]),
  }) as ConsumedRecord

/** A buffer per table, each owning the partitions of topic `v` given and holding nothing of them yet. */
function emptyBuffers(partitions = [0]): Map<string, TableBuffer> {
  const buffers = new Map(TABLES.map((t) => [t.name, new TableBuffer(t)]))
  for (const b of buffers.values())
    b.reset(
      new Map(),
      partitions.map((partition) => ({ topic: 'v', partition })),
    )
  return buffers
}

/** Topic `v` feeding the raw and errors tables, its records decoded by `decode`. */
const routeOf = (decode: TopicRoute['decode'], direct?: DirectRead): TopicRoute => ({
  topic: 'v',
  tables: [TableNames.raw, TableNames.errors],
  prepare: async () => undefined,
  decode,
  ...(direct === undefined ? {} : { direct }),
})

describe('handing records to the tables', () => {
  it('makes a decoded row that does not fit its table a dead letter, and moves both tables on', async () => {
    const buffers = emptyBuffers()
    const route = routeOf((r) => {
      const row = rawRow(validatedSample(Number(r.offset)), { partition: 0, offset: r.offset })
      // the middle record's value is text where the column holds doubles
      return { table: TableNames.raw, row: r.offset === 1n ? { ...row, value: 'high' } : row }
    })
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
    const buffers = emptyBuffers()
    const rawDef = TABLES.find((t) => t.name === TableNames.raw)!
    const rowOf = (r: ConsumedRecord) =>
      rawRow(validatedSample(Number(r.offset)), { partition: 0, offset: r.offset })
    const decoded: bigint[] = []
    const route = routeOf(
      (r) => {
        decoded.push(r.offset)
        // record 1 cannot be read directly; its decoded value is text where the column holds doubles
        return { table: TableNames.raw, row: r.offset === 1n ? { ...rowOf(r), value: 'high' } : rowOf(r) }
      },
      {
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
    )
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

  it('gives each table only the tail of each partition it does not hold yet, and decodes nothing no table wants', async () => {
    const buffers = emptyBuffers([0, 1])
    const owned = [0, 1].map((partition) => ({ topic: 'v', partition }))
    // the next offsets each table needs: raw 0@2 and 1@5, errors 0@1 and 1@5
    buffers.get(TableNames.raw)!.reset(parseOffsets('{"v":{"0":2,"1":5}}'), owned)
    buffers.get(TableNames.errors)!.reset(parseOffsets('{"v":{"0":1,"1":5}}'), owned)
    const decoded: string[] = []
    const route = routeOf((r) => {
      decoded.push(`${r.partition}@${r.offset}`)
      // odd offsets are dead letters (rows of the errors table), even ones raw rows
      if (r.offset % 2n === 1n)
        return deadLetterRow(r, { reason: ReasonCode.DECODE_FAILED, detail: 'odd' }, 7)
      return { table: TableNames.raw, row: rawRow(validatedSample(Number(r.offset)), r) }
    })
    // partition 0 in two runs (as two fetches would give it), partition 1 in between, partition 2 not owned
    const records = [record(0), record(1), record(2), record(3, 1), record(4, 1), record(5, 1), record(6, 1)]
    await routeRecords(records, [route], buffers, 7)
    await routeRecords([record(3), record(4), record(9, 2)], [route], buffers, 7)
    assert.deepEqual(decoded, ['0@1', '0@2', '1@5', '1@6', '0@3', '0@4'], 'nothing both tables hold')
    const raw = buffers.get(TableNames.raw)!.take()
    const errors = buffers.get(TableNames.errors)!.take()
    const kafkaOffsets = raw.batch!.columns[RAW_FIELDS.findIndex((f) => f.name === 'kafka_offset')] as {
      values: BigInt64Array
    }
    assert.deepEqual(
      [...kafkaOffsets.values.subarray(0, raw.rowCount)],
      [2n, 6n, 4n],
      'raw rows of 0@2, 1@6, 0@4',
    )
    assert.equal(errors.rowCount, 3, 'dead letters of 0@1, 1@5 and 0@3')
    const byPartition = (next: readonly PartitionOffset[]) =>
      Object.fromEntries(next.map((n) => [n.partition, n.offset]))
    assert.deepEqual(byPartition(raw.next), { 0: 5n, 1: 7n })
    assert.deepEqual(byPartition(errors.next), { 0: 5n, 1: 7n })
  })

  it("never moves a table back nor takes a record twice when a partition's offsets do not rise", async () => {
    const buffers = emptyBuffers()
    const route = routeOf((r) => ({
      table: TableNames.raw,
      row: rawRow(validatedSample(Number(r.offset)), r),
    }))
    await routeRecords([record(5), record(3), record(5), record(6)], [route], buffers, 7)
    const raw = buffers.get(TableNames.raw)!.take()
    assert.equal(raw.rowCount, 2, 'offsets 5 and 6, once each')
    assert.deepEqual(raw.next, [{ topic: 'v', partition: 0, offset: 7n }])
  })
})
