/**
 * The readers' fixture: a table pyiceberg writes (make_fixture_table.py, two appends: rows 1-2, then
 * row 3), the rows and snapshots every reader must give back, and the engines that read it.
 */
import assert from 'node:assert/strict'
import {
  type Row,
  runLakeScript,
  type SnapshotInfo,
  type TableRef,
  tableArgs,
} from '../../src/lake/reader.ts'

export interface Fixture {
  readonly metadataLocation: string
  readonly location: string
  readonly snapshotId: string
}

/** Creates the fixture table with pyiceberg (two appends: rows 1-2, then row 3). */
export async function createFixture(ref: TableRef): Promise<Fixture> {
  const { args, env } = tableArgs(ref)
  return JSON.parse(await runLakeScript('make_fixture_table.py', args, env)) as Fixture
}

const micros = (iso: string, extraMicros = 0): number => Date.parse(iso) * 1000 + extraMicros

/** What the fixture holds, as readTable must print it (defaults: epoch micros, sorted by every column). */
const EXPECTED: readonly Row[] = [
  {
    id: 1,
    name: 'alpha',
    reading: 72.5,
    recorded_at: micros('2026-01-02T03:04:05.123Z', 456),
    day: '2026-01-02',
    payload: Buffer.from([0x00, 0x01, 0xfe, 0xff]).toString('base64'),
    big: (2n ** 53n + 1n).toString(),
  },
  {
    id: 2,
    name: null,
    reading: 'NaN',
    recorded_at: micros('2026-01-03T00:00:00.000Z', 1),
    day: null,
    payload: null,
    big: -1,
  },
  {
    id: 3,
    name: 'ünïcödé "quoted"\n',
    reading: '-Infinity',
    recorded_at: 0,
    day: '1969-12-31',
    payload: '',
    big: null,
  },
]

export const ENGINES = ['pyiceberg', 'duckdb'] as const

export function assertFixtureRows(rows: readonly Row[]): void {
  assert.deepEqual(rows, EXPECTED)
  // Columns in schema order, not just the same set.
  assert.deepEqual(Object.keys(rows[0] ?? {}), [
    'id',
    'name',
    'reading',
    'recorded_at',
    'day',
    'payload',
    'big',
  ])
}

export function assertFixtureSnapshots(
  all: readonly SnapshotInfo[],
  current: SnapshotInfo | null,
  fixture: Fixture,
): void {
  assert.equal(all.length, 2)
  const [first, second] = all
  assert.ok(first && second && current)
  assert.equal(first.parentSnapshotId, null)
  assert.equal(first.summary['healthstream.test'], 'first')
  assert.equal(first.summary['added-records'], '2')
  assert.equal(second.parentSnapshotId, first.snapshotId)
  assert.deepEqual(current, second)
  assert.equal(current.snapshotId, fixture.snapshotId)
  assert.match(current.snapshotId, /^-?\d+$/)
  assert.equal(current.operation, 'append')
  assert.equal(current.sequenceNumber, 2)
  assert.equal(current.summary['healthstream.test'], 'second')
  assert.equal(current.summary['added-records'], '1')
  assert.equal(current.summary['total-records'], '3')
  assert.equal(current.summary['total-data-files'], '3')
}
