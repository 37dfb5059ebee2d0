import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TableMetadata } from '@healthstream/iceberg'
import { topicNames } from '@healthstream/shared/topics'
import { SummaryKeys } from '../../src/committing/offsets.ts'
import { tableLineage } from '../../src/committing/recovery.ts'
import {
  addRows,
  carriedRows,
  formatRowCounts,
  parseRowCounts,
  ROWS_KEY,
  recordedRows,
  rowDelta,
  rowsSummary,
} from '../../src/committing/row-counts.ts'
import { TableNames } from '../../src/committing/tables.ts'
import { aggregateRow } from '../../src/consuming/rows.ts'
import { TableMaintenance } from '../../src/operating/table-maintenance.ts'
import { memoryLake, sinksOf } from '../support/memory.ts'
import { aggregate } from '../support/records.ts'
import { raws, sinkOf, work } from '../support/sink-work.ts'

const rows = (topic: string, partition: number, n: number) => ({ topic, partition, rows: n })
const text = (m: ReadonlyMap<string, { topic: string; partition: number; rows: number }> | undefined) =>
  m === undefined ? undefined : formatRowCounts(m.values())

/** Metadata with one current snapshot of this summary and these properties. */
function metadata(summary: Record<string, string>, properties: Record<string, string> = {}): TableMetadata {
  return {
    currentSnapshotId: 1n,
    snapshots: [{ snapshotId: 1n, summary: { operation: 'append', ...summary } }],
    properties,
  } as unknown as TableMetadata
}

describe('row counts per Kafka partition', () => {
  it('round-trips counts, topics and partitions in order, and refuses anything else', () => {
    const t = formatRowCounts([rows('b', 1, 3), rows('a', 2, 5), rows('a', 0, 7)])
    assert.equal(t, '{"a":{"0":7,"2":5},"b":{"1":3}}')
    assert.equal(formatRowCounts(parseRowCounts(t).values()), t)
    for (const bad of ['[1]', '{"a":3}', '{"a":{"0":"x"}}', 'not json'])
      assert.throws(() => parseRowCounts(bad), { code: 'LAKE_ROW_COUNTS_MALFORMED' }, bad)
  })

  it('adds a commit’s rows and subtracts what an upsert replaced', () => {
    const cases: [string, string, [string, number, number][], string][] = [
      ['a new partition starts at 0', '{"t":{"0":4}}', [['t', 1, 2]], '{"t":{"0":4,"1":2}}'],
      ['rows add up', '{"t":{"0":4}}', [['t', 0, 3]], '{"t":{"0":7}}'],
      [
        'replacements subtract',
        '{"t":{"0":4,"1":1}}',
        [
          ['t', 0, -1],
          ['t', 1, 1],
        ],
        '{"t":{"0":3,"1":2}}',
      ],
    ]
    for (const [what, base, delta, want] of cases) {
      const got = addRows(
        parseRowCounts(base),
        delta.map(([t, p, n]) => rows(t, p, n)),
      )
      assert.equal(formatRowCounts(got.values()), want, what)
    }
    const before = parseRowCounts('{"t":{"0":3,"1":1}}')
    const after = parseRowCounts('{"t":{"0":3,"2":2}}')
    assert.deepEqual(rowDelta(before, after), [rows('t', 2, 2), rows('t', 1, -1)])
  })

  it('reads the counts from where the offsets are read, and knows none for a table that held rows before them', () => {
    const offsets = { [SummaryKeys.offsets]: '{"t":{"0":9}}' }
    const counts = { [ROWS_KEY]: '{"t":{"0":9}}' }
    const cases: [string, TableMetadata, string | undefined][] = [
      ['no snapshot: nothing held', { ...metadata({}), currentSnapshotId: null, snapshots: [] }, '{}'],
      ['an empty snapshot: nothing held', metadata({ 'total-records': '0' }), '{}'],
      ['the properties', metadata({ 'total-records': '9' }, { ...offsets, ...counts }), '{"t":{"0":9}}'],
      [
        'a summary (no properties)',
        metadata({ 'total-records': '9', ...offsets, ...counts }),
        '{"t":{"0":9}}',
      ],
      ['rows, offsets, no counts', metadata({ 'total-records': '9' }, offsets), undefined],
      ['rows another engine appended', metadata({ 'total-records': '9' }), undefined],
    ]
    for (const [what, m, want] of cases) assert.equal(text(recordedRows(m)), want, what)
  })

  it('never starts counting on a table that holds uncounted rows', () => {
    const legacy = metadata({ 'total-records': '9' }, { [SummaryKeys.offsets]: '{"t":{"0":9}}' })
    assert.deepEqual(rowsSummary(legacy, [rows('t', 0, 1)]), {})
    assert.deepEqual(carriedRows(legacy), {})
    const fresh = metadata({ 'total-records': '0' })
    assert.deepEqual(rowsSummary(fresh, [rows('t', 0, 1)]), { [ROWS_KEY]: '{"t":{"0":1}}' })
  })
})

describe('commits keep the row counts', () => {
  it('adds an append’s rows per partition, in the summary and the properties', async () => {
    const lake = await memoryLake()
    const raw = sinkOf(await sinksOf(lake, 'w1'), TableNames.raw)
    await raw.commit(work(raws(0, 30), 0, null, 30n))
    await raw.commit(work(raws(30, 35, 1), 1, null, 35n))
    await raw.commit(work(raws(35, 40), 0, 30n, 40n))
    assert.equal(raw.table.currentSnapshot!.summary[ROWS_KEY], '{"t":{"0":35,"1":5}}')
    assert.equal(raw.table.metadata.properties[ROWS_KEY], '{"t":{"0":35,"1":5}}')
  })

  it('counts the rows an upsert table holds, not the records it took, by each row’s own partition', async () => {
    const lake = await memoryLake()
    const topics = topicNames('')
    const lineage = tableLineage(TableNames.daily, topics)
    const daily = sinkOf(await sinksOf(lake, 'w1', { lineage }), TableNames.daily)
    const agg = (user: string, rev: number, partition: number, offset: number) =>
      aggregateRow(aggregate(user, 0, rev), { partition, offset: BigInt(offset) })
    await daily.commit(work([agg('a', 1, 0, 0), agg('b', 1, 0, 1), agg('c', 1, 0, 2)], 0, null, 3n))
    // a's newer revision comes from partition 1 (and a stale one of b from partition 0): a moves, b stays
    await daily.commit(work([agg('a', 2, 1, 0), agg('d', 1, 1, 1)], 1, null, 2n))
    await daily.commit(work([agg('b', 1, 0, 3), agg('b', 2, 0, 4)], 0, 3n, 5n))
    const agg1 = topics.aggregates
    assert.equal(daily.table.currentSnapshot!.summary[ROWS_KEY], `{"${agg1}":{"0":2,"1":2}}`)
    assert.equal(daily.table.currentSnapshot!.summary['total-records'], '4')
  })

  it('keeps the counts through a compaction, which rewrites files but no rows', async () => {
    const lake = await memoryLake()
    const sinks = await sinksOf(lake, 'w1')
    const raw = sinkOf(sinks, TableNames.raw)
    for (let i = 0; i < 3; i++)
      await raw.commit(
        work(raws(i * 10, i * 10 + 10), 0, i === 0 ? null : BigInt(i * 10), BigInt(i * 10 + 10)),
      )
    const maintenance = new TableMaintenance(sinks, {
      exclusive: (fn) => fn(),
      writer: 'w1',
      compactTargetBytes: 128 * 1024 * 1024,
      expireOlderThanMs: 86_400_000,
      expireRetainLast: 1,
    })
    await maintenance.compact(raw)
    assert.equal(raw.table.currentSnapshot!.summary.operation, 'replace')
    assert.equal(raw.table.currentSnapshot!.summary[ROWS_KEY], '{"t":{"0":30}}')
    assert.equal(text(recordedRows(raw.table.metadata)), '{"t":{"0":30}}')
  })
})
