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
  stateSummary,
} from '../src/offsets.ts'
import { TableNames } from '../src/tables.ts'
import { memoryLake } from './support/memory.ts'

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
    })
    const carried = carriedSummary(table.metadata, 'admin')
    assert.equal(carried[SummaryKeys.offsets], '{"t":{"0":4}}')
    assert.equal(carried[SummaryKeys.watermark], '77')
  })
})
