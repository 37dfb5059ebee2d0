import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { partitionKey } from '@healthstream/shared/kafka'
import {
  type LogEdges,
  partitionReport,
  reconcileReport,
  type ScanResult,
  scanRequests,
  type TableState,
} from '../../src/operating/reconcile-report.ts'

const T = 'validated'
const edge = (partition: number, start: bigint, end: bigint): LogEdges => ({
  topic: T,
  partition,
  start,
  end,
})
const scan = (partition: number, offsets: bigint[], reached: bigint): ScanResult => ({
  topic: T,
  partition,
  offsets,
  reached,
})

function table(name: string, recorded: Record<number, bigint>, rows?: Record<number, number>): TableState {
  const entries = Object.entries(recorded).map(([p, offset]) => [
    partitionKey(T, Number(p)),
    { topic: T, partition: Number(p), offset },
  ])
  const counts = Object.entries(rows ?? {}).map(([p, n]) => [
    partitionKey(T, Number(p)),
    { topic: T, partition: Number(p), rows: n },
  ])
  return {
    table: name,
    mode: 'append',
    topics: [T],
    offsets: new Map(entries as [string, { topic: string; partition: number; offset: bigint }][]),
    rows:
      rows === undefined
        ? undefined
        : new Map(counts as [string, { topic: string; partition: number; rows: number }][]),
    totalRows: undefined,
  }
}

describe('how far a table is behind its topic', () => {
  // A transactional partition: records at 0-2 and 4-5, commit markers at 3 and 6, LSO 7
  const committed = [0n, 1n, 2n, 4n, 5n]
  const cases: [string, Record<number, bigint>, ScanResult | undefined, LogEdges, number, boolean][] = [
    ['recorded at the LSO: nothing to read', { 0: 7n }, undefined, edge(0, 0n, 7n), 0, true],
    [
      'drained: only the last commit marker between the recorded offset and the LSO',
      { 0: 6n },
      scan(0, [], 7n),
      edge(0, 0n, 7n),
      0,
      true,
    ],
    ['a stretch not scanned is not counted as complete', { 0: 6n }, undefined, edge(0, 0n, 7n), 0, false],
    [
      'the records past the recorded offset, markers left out',
      { 0: 3n },
      scan(0, [4n, 5n], 7n),
      edge(0, 0n, 7n),
      2,
      true,
    ],
    [
      'no recorded offset: everything from the log start',
      {},
      scan(0, committed, 7n),
      edge(0, 0n, 7n),
      5,
      true,
    ],
    [
      'retention took the start: counted from the log start',
      { 0: 1n },
      scan(0, [4n, 5n], 7n),
      edge(0, 4n, 7n),
      2,
      true,
    ],
    ['a scan cut short is a lower bound', { 0: 0n }, scan(0, [0n, 1n], 2n), edge(0, 0n, 7n), 2, false],
    [
      'records scanned for a table further back are not this one’s',
      { 0: 4n },
      scan(0, committed, 7n),
      edge(0, 0n, 7n),
      2,
      true,
    ],
    ['an empty partition', {}, undefined, edge(0, 0n, 0n), 0, true],
  ]
  for (const [what, recorded, s, e, behind, exact] of cases)
    it(what, () => {
      const got = partitionReport(table('t', recorded), e, s)
      assert.equal(got.behind, behind)
      assert.equal(got.exact, exact)
      if (!exact) assert.equal(got.behindAtMost, Number(e.end - (recorded[0] ?? e.start)))
    })

  it('reports the offsets as strings, the rows held, and what retention took', () => {
    const got = partitionReport(table('t', { 0: 1n }, { 0: 1 }), edge(0, 4n, 7n), scan(0, [4n, 5n], 7n))
    assert.deepEqual(got, {
      topic: T,
      partition: 0,
      end: '7',
      recorded: '1',
      rows: 1,
      expired: 3,
      behind: 2,
      exact: true,
    })
    assert.equal(partitionReport(table('t', {}), edge(0, 0n, 0n), undefined).rows, null)
    assert.equal(partitionReport(table('t', {}, {}), edge(0, 0n, 0n), undefined).rows, 0)
  })
})

describe('what to scan', () => {
  it('reads each partition once, from the table furthest back, and skips partitions every table holds', () => {
    const tables = [table('raw', { 0: 5n, 1: 9n }), table('errors', { 0: 3n, 1: 9n })]
    assert.deepEqual(scanRequests(tables, [edge(0, 0n, 9n), edge(1, 0n, 10n), edge(2, 0n, 0n)]), [
      { topic: T, partition: 0, from: 3n, end: 9n },
      { topic: T, partition: 1, from: 9n, end: 10n },
    ])
    assert.deepEqual(scanRequests(tables, [{ ...edge(0, 0n, 9n), topic: 'other' }]), [])
  })
})

describe('the report', () => {
  it('is complete only when every count is exact and 0', () => {
    const now = new Date('2026-01-01T00:00:00Z')
    const tables = [table('raw', { 0: 7n, 1: 2n })]
    const edges = [edge(1, 0n, 4n), edge(0, 0n, 7n)]
    const behind = reconcileReport(tables, edges, [scan(1, [2n], 4n)], now)
    assert.equal(behind.complete, false)
    assert.equal(behind.behind, 1)
    assert.deepEqual(
      behind.tables[0]!.partitions.map((p) => [p.partition, p.behind]),
      [
        [0, 0],
        [1, 1],
      ],
    )
    const drained = reconcileReport([table('raw', { 0: 7n, 1: 3n })], edges, [scan(1, [], 4n)], now)
    assert.deepEqual([drained.complete, drained.behind, drained.at], [true, 0, '2026-01-01T00:00:00.000Z'])
    const cut = reconcileReport([table('raw', { 0: 7n, 1: 0n })], edges, [scan(1, [], 1n)], now)
    assert.deepEqual([cut.complete, cut.behind], [false, 0])
  })
})
