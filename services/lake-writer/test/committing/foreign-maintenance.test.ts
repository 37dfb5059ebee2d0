import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Table } from '@healthstream/iceberg'
import { PositionUnknownError } from '../../src/committing/errors.ts'
import { formatOffsets, SummaryKeys } from '../../src/committing/offsets.ts'
import { TableNames } from '../../src/committing/tables.ts'
import { aggregateRow } from '../../src/consuming/rows.ts'
import { memoryLake, sinksOf } from '../support/memory.ts'
import { aggregate } from '../support/records.ts'
import { raws, sinkOf, work } from '../support/sink-work.ts'

describe("another engine's maintenance between two commits", () => {
  /** The same table as another engine sees it (Spark or pyiceberg on the same catalog). */
  const foreign = (lake: Awaited<ReturnType<typeof memoryLake>>, name: string) =>
    Table.load(lake.catalog, lake.store, { namespace: lake.namespace, name })
  const expireAll = (t: Table) => t.expireSnapshots({ olderThanMs: Date.now() + 1000, retainLast: 1 })

  it('commits on the compacted, expired table without being fenced, and resumes where it stood', async () => {
    const lake = await memoryLake()
    const raw = sinkOf(await sinksOf(lake, 'w1'), TableNames.raw)
    await raw.commit(work(raws(0, 10), 0, null, 10n))
    await raw.commit(work(raws(10, 20), 0, 10n, 20n))
    const other = await foreign(lake, TableNames.raw)
    assert.equal((await other.compact({ minInputFiles: 2 })).rewrittenFiles > 0, true)
    await expireAll(other)
    assert.equal(
      other.currentSnapshot!.summary[SummaryKeys.offsets],
      undefined,
      'no snapshot records offsets',
    )
    const result = await raw.commit(work(raws(20, 30), 0, 20n, 30n))
    assert.equal(result.attempts, 2, 'the stale base, then the new one')
    const state = await raw.refresh()
    assert.equal(state.source, 'properties')
    assert.equal(state.offsets.get('t:0')?.offset, 30n)
    const ids = (await raw.table.readRows()).map((r) => r.sample_id)
    assert.equal(ids.length, 30)
    assert.equal(new Set(ids).size, 30)
  })

  it('re-plans an upsert on the compacted table instead of giving up', async () => {
    const lake = await memoryLake()
    const daily = sinkOf(await sinksOf(lake, 'w1'), TableNames.daily)
    const agg = (user: string, rev: number, offset: number) =>
      aggregateRow(aggregate(user, 0, rev), { partition: 0, offset: BigInt(offset) })
    await daily.commit(work([agg('a', 1, 0)], 0, null, 1n))
    await daily.commit(work([agg('b', 1, 1)], 0, 1n, 2n))
    const other = await foreign(lake, TableNames.daily)
    await other.compact({ minInputFiles: 2 })
    await expireAll(other)
    await daily.commit(work([agg('a', 2, 2)], 0, 2n, 3n))
    const rows = (await (await daily.table.refresh()).readRows()).map((r) => `${r.user_id}/${r.revision}`)
    assert.deepEqual(rows.sort(), ['a/2', 'b/1'])
  })

  it('recovers the position from the rows when the properties were removed and the snapshots expired', async () => {
    const lake = await memoryLake()
    const raw = sinkOf(
      await sinksOf(lake, 'w1', {
        lineage: (r) => ({
          topic: 't',
          partition: r.kafka_partition as number,
          offset: r.kafka_offset as bigint,
        }),
      }),
      TableNames.raw,
    )
    await raw.commit(work(raws(0, 10), 0, null, 10n))
    await raw.commit(work(raws(100, 105, 1), 1, null, 105n))
    const other = await foreign(lake, TableNames.raw)
    await other.append([])
    await expireAll(other)
    await other.removeProperties([SummaryKeys.offsets, SummaryKeys.watermark, SummaryKeys.commitId])
    const state = await raw.refresh()
    assert.equal(state.source, 'rows')
    assert.equal(formatOffsets(state.offsets.values()), '{"t":{"0":10,"1":105}}')
  })

  it('refuses to re-read the log for a table that holds rows but no position, without a lineage', async () => {
    const lake = await memoryLake()
    const raw = sinkOf(await sinksOf(lake, 'w1'), TableNames.raw)
    await raw.commit(work(raws(0, 3), 0, null, 3n))
    const other = await foreign(lake, TableNames.raw)
    await other.append([])
    await expireAll(other)
    await other.removeProperties([SummaryKeys.offsets])
    await assert.rejects(raw.refresh(), PositionUnknownError)
  })
})
