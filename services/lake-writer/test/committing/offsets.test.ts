import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Table } from '@healthstream/iceberg'
import {
  carriedSummary,
  fenceViolations,
  formatOffsets,
  mergeOffsets,
  parseOffsets,
  recordedState,
  SummaryKeys,
  stateProperties,
  stateSummary,
} from '../../src/committing/offsets.ts'
import { TableNames } from '../../src/committing/tables.ts'
import { memoryLake } from '../support/memory.ts'

const at = (topic: string, partition: number, offset: bigint) => ({ topic, partition, offset })

describe('offsets in the snapshot summary', () => {
  it('round-trips offsets beyond 2^53 exactly, topics and partitions in order', () => {
    const text = formatOffsets([at('b', 1, 9_007_199_254_740_993n), at('a', 2, 5n), at('a', 0, 7n)])
    assert.equal(text, '{"a":{"0":7,"2":5},"b":{"1":9007199254740993}}')
    assert.deepEqual(
      [...parseOffsets(text).values()],
      [at('a', 0, 7n), at('a', 2, 5n), at('b', 1, 9_007_199_254_740_993n)],
    )
  })

  it('reads a missing property as nothing consumed, and refuses a malformed one', () => {
    assert.equal(parseOffsets(undefined).size, 0)
    assert.throws(() => parseOffsets('[1]'), /not a JSON object/)
    assert.throws(() => parseOffsets('{"a":{"0":"x"}}'), /non-integer offset/)
  })

  it("merges this writer's partitions into the base and keeps the other writers' partitions", () => {
    const base = parseOffsets('{"t":{"0":10,"1":20}}')
    const merged = mergeOffsets(base, [at('t', 1, 25n), at('t', 2, 3n)])
    assert.equal(formatOffsets(merged.values()), '{"t":{"0":10,"1":25,"2":3}}')
  })

  it('fences a commit whose partitions moved since the writer read them', () => {
    const base = parseOffsets('{"t":{"0":10,"1":20}}')
    assert.deepEqual(fenceViolations(base, [{ topic: 't', partition: 0, offset: 10n }]), [])
    assert.deepEqual(fenceViolations(base, [{ topic: 't', partition: 2, offset: null }]), [])
    assert.deepEqual(fenceViolations(base, [{ topic: 't', partition: 1, offset: 15n }]), [
      't[1] is at 20, not 15',
    ])
    assert.deepEqual(fenceViolations(base, [{ topic: 't', partition: 0, offset: null }]), [
      't[0] is at 10, not nothing',
    ])
  })

  it('keeps the larger watermark of the base and the commit', () => {
    const base = { offsets: new Map(), watermark: 100n }
    assert.equal(stateSummary(base, [], 50n, 'w')[SummaryKeys.watermark], '100')
    assert.equal(stateSummary(base, [], 150n, 'w')[SummaryKeys.watermark], '150')
    assert.equal(
      stateSummary({ offsets: new Map(), watermark: undefined }, [], undefined, 'w')[SummaryKeys.watermark],
      undefined,
    )
  })

  it('finds the offsets behind snapshots other tools made, and carries them into maintenance snapshots', async () => {
    const lake = await memoryLake()
    const table = await Table.load(lake.catalog, lake.store, {
      namespace: ['health'],
      name: TableNames.errors,
    })
    await table
      .newAppend()
      .set(SummaryKeys.offsets, '{"t":{"0":4}}')
      .set(SummaryKeys.watermark, '77')
      .commit()
    await table.newAppend().set('foreign', 'pyiceberg').commit()
    assert.deepEqual(recordedState(table.metadata), {
      offsets: parseOffsets('{"t":{"0":4}}'),
      watermark: 77n,
      source: 'snapshot',
    })
    const carried = carriedSummary(table.metadata, 'admin')
    assert.equal(carried[SummaryKeys.offsets], '{"t":{"0":4}}')
    assert.equal(carried[SummaryKeys.watermark], '77')
  })
})

describe('offsets in the table properties', () => {
  const snapshotOf = (id: number, parent: number | undefined, summary: Record<string, string>) => ({
    snapshotId: BigInt(id),
    ...(parent === undefined ? {} : { parentSnapshotId: BigInt(parent) }),
    sequenceNumber: id,
    timestampMs: id,
    manifestList: `m${id}`,
    summary: { operation: 'append', ...summary },
  })
  const metadata = (properties: Record<string, string>, snapshots: ReturnType<typeof snapshotOf>[]) =>
    ({
      properties,
      snapshots,
      currentSnapshotId: snapshots.at(-1)?.snapshotId ?? null,
    }) as unknown as Parameters<typeof recordedState>[0]
  const mine = {
    [SummaryKeys.offsets]: '{"t":{"0":9}}',
    [SummaryKeys.commitId]: 'c9',
    [SummaryKeys.watermark]: '5',
  }

  const cases: [string, Parameters<typeof recordedState>[0], string, string][] = [
    [
      'read first, whatever the snapshots say',
      metadata(mine, [snapshotOf(1, undefined, { [SummaryKeys.offsets]: '{"t":{"0":3}}' })]),
      '{"t":{"0":9}}',
      'properties',
    ],
    [
      'survive the expiry of every snapshot that recorded them',
      metadata(mine, [snapshotOf(7, undefined, { operation: 'replace' })]),
      '{"t":{"0":9}}',
      'properties',
    ],
    [
      'survive a foreign snapshot on top',
      metadata(mine, [snapshotOf(1, undefined, mine), snapshotOf(2, 1, {})]),
      '{"t":{"0":9}}',
      'properties',
    ],
    [
      'stay ahead of a compaction that carried the same offsets without a commit id',
      metadata(mine, [
        snapshotOf(1, undefined, mine),
        snapshotOf(2, 1, { [SummaryKeys.offsets]: '{"t":{"0":9}}' }),
      ]),
      '{"t":{"0":9}}',
      'properties',
    ],
    [
      'yield to a newer commit of a writer that does not set them (a rolling upgrade)',
      metadata(mine, [
        snapshotOf(1, undefined, mine),
        snapshotOf(2, 1, { [SummaryKeys.offsets]: '{"t":{"0":12}}', [SummaryKeys.commitId]: 'old-writer' }),
      ]),
      '{"t":{"0":12}}',
      'snapshot',
    ],
    [
      'are absent on a table written before them: the snapshots tell',
      metadata({}, [
        snapshotOf(1, undefined, { [SummaryKeys.offsets]: '{"t":{"0":3}}', [SummaryKeys.commitId]: 'c3' }),
      ]),
      '{"t":{"0":3}}',
      'snapshot',
    ],
    ['and nothing at all is nothing consumed', metadata({}, [snapshotOf(1, undefined, {})]), '{}', 'none'],
  ]
  for (const [name, m, offsets, source] of cases) {
    it(name, () => {
      const state = recordedState(m)
      assert.equal(formatOffsets(state.offsets.values()), offsets)
      assert.equal(state.source, source)
    })
  }

  it('are the offsets, watermark and commit id of the summary, not its writer', () => {
    const summary = stateSummary({ offsets: new Map(), watermark: 4n }, [at('t', 0, 9n)], 5n, 'w')
    assert.deepEqual(stateProperties({ ...summary, [SummaryKeys.commitId]: 'c9' }), mine)
  })
})
