import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  type Catalog,
  ColumnBatch,
  CommitStateUnknownError,
  ParquetEncodePool,
  Table,
} from '@healthstream/iceberg'
import { ensureTables } from '../../src/committing/ensure-tables.ts'
import { FencedError } from '../../src/committing/errors.ts'
import { parseOffsets, SummaryKeys } from '../../src/committing/offsets.ts'
import { type CatalogOperation, type SinkOptions, TableSink } from '../../src/committing/table-sink.ts'
import { TABLES, type TableDef, TableNames } from '../../src/committing/tables.ts'
import { aggregateRow, rawRow } from '../../src/consuming/rows.ts'
import { memoryLake, sinksOf } from '../support/memory.ts'
import { aggregate, validatedSample } from '../support/records.ts'
import { raws, sinkOf, work } from '../support/sink-work.ts'

/** A row as plain JSON values (longs as numbers, maps as objects), to compare rows read with rows written. */
const comparable = (row: Record<string, unknown>) =>
  JSON.parse(
    JSON.stringify(row, (_k, v) =>
      typeof v === 'bigint' ? Number(v) : v instanceof Map ? Object.fromEntries(v) : v,
    ),
  ) as { sample_id: unknown }

describe('committing a table', () => {
  it('lands rows and the next offsets in one snapshot', async () => {
    const lake = await memoryLake()
    const raw = sinkOf(await sinksOf(lake, 'w1'), TableNames.raw)
    const result = await raw.commit({ ...work(raws(0, 30), 0, null, 30n), watermark: 123n })
    assert.equal(result.rows, 30)
    assert.ok(result.files >= 1 && result.bytes > 0)
    const summary = raw.table.currentSnapshot!.summary
    assert.equal(summary[SummaryKeys.offsets], '{"t":{"0":30}}')
    assert.equal(summary[SummaryKeys.watermark], '123')
    assert.equal(summary[SummaryKeys.writer], 'w1')
    const ids = (await raw.table.readRows()).map((r) => r.sample_id).sort()
    assert.deepEqual(
      ids,
      raws(0, 30)
        .map((r) => r.sample_id)
        .sort(),
    )
  })

  it('lands a batch of columns encoded on a worker thread as the rows themselves, one file per day', async () => {
    const pool = new ParquetEncodePool(1)
    try {
      const lake = await memoryLake()
      const raw = sinkOf(await sinksOf(lake, 'w1', { encoder: pool.encode }), TableNames.raw)
      // 300 samples 20 minutes apart: 5 days, so 5 day partitions
      const rows = Array.from({ length: 300 }, (_, i) =>
        rawRow(validatedSample(i, 40, 20 * 60_000_000), { partition: 0, offset: BigInt(i) }),
      )
      const batch = ColumnBatch.of(raw.def.schema)!
      for (const r of rows) batch.push(r)
      const result = await raw.commit({ ...work([], 0, null, 300n), batch, rowCount: 300 })
      assert.equal(result.rows, 300)
      const days = new Set(rows.map((r) => Math.floor(Number(r.start_time) / 86_400_000_000)))
      assert.equal(result.files, days.size)
      const read = await raw.table.readRows()
      const byId = (a: { sample_id: unknown }, b: { sample_id: unknown }) =>
        String(a.sample_id).localeCompare(String(b.sample_id))
      assert.deepEqual(read.map(comparable).sort(byId), rows.map(comparable).sort(byId))
    } finally {
      await pool.close()
    }
  })

  it("keeps both writers' rows and offsets when two commit different partitions at the same time", async () => {
    const lake = await memoryLake()
    const a = sinkOf(await sinksOf(lake, 'a'), TableNames.raw)
    const b = sinkOf(await sinksOf(lake, 'b'), TableNames.raw)
    const [ra, rb] = await Promise.all([
      a.commit(work(raws(0, 10, 0), 0, null, 10n)),
      b.commit(work(raws(10, 25, 1), 1, null, 15n)),
    ])
    assert.equal(ra.attempts + rb.attempts, 3, 'one of them re-applied its commit on the other')
    const state = await a.refresh()
    assert.deepEqual(state.offsets, parseOffsets('{"t":{"0":10,"1":15}}'))
    assert.equal((await a.table.readRows()).length, 25)
  })

  it('fences a writer whose partition another writer committed since, leaving no files behind', async () => {
    const lake = await memoryLake()
    const owner = sinkOf(await sinksOf(lake, 'owner'), TableNames.raw)
    const zombie = sinkOf(await sinksOf(lake, 'zombie'), TableNames.raw)
    await owner.commit(work(raws(0, 10), 0, null, 10n))
    const before = await lake.store.list('mem://wh/')
    await assert.rejects(zombie.commit(work(raws(0, 8), 0, null, 8n)), FencedError)
    assert.deepEqual(await lake.store.list('mem://wh/'), before)
    assert.equal((await owner.refresh()).offsets.get('t:0')?.offset, 10n)
  })
})

describe('upserting window results', () => {
  const aggs = (revs: [string, number, number][], from: number) =>
    revs.map(([user, day, rev], i) =>
      aggregateRow(aggregate(user, day, rev), { partition: 0, offset: BigInt(from + i) }),
    )
  const live = async (sink: TableSink) =>
    (await (await sink.table.refresh()).readRows())
      .map((r) => `${r.user_id}/${r.window_start}/${r.revision}`)
      .sort()

  it('replaces the earlier revision of a window and keeps the other windows of the rewritten file', async () => {
    const lake = await memoryLake()
    const daily = sinkOf(await sinksOf(lake, 'w'), TableNames.daily)
    await daily.commit(
      work(
        aggs(
          [
            ['a', 0, 1],
            ['b', 0, 1],
            ['c', 1, 1],
          ],
          0,
        ),
        0,
        null,
        3n,
      ),
    )
    await daily.commit(
      work(
        aggs(
          [
            ['a', 0, 2],
            ['a', 0, 3],
          ],
          3,
        ),
        0,
        3n,
        5n,
      ),
    )
    const start = (day: number) => BigInt(aggregate('x', day, 1).windowStart)
    assert.deepEqual(await live(daily), [`a/${start(0)}/3`, `b/${start(0)}/1`, `c/${start(1)}/1`].sort())
    assert.equal(daily.table.currentSnapshot!.summary.operation, 'overwrite')
  })

  it('keeps rows erased by position deletes erased when it rewrites their file', async () => {
    const lake = await memoryLake()
    const daily = sinkOf(await sinksOf(lake, 'w'), TableNames.daily)
    const three: [string, number, number][] = [
      ['a', 0, 1],
      ['b', 0, 1],
      ['c', 0, 1],
    ]
    await daily.commit(work(aggs(three, 0), 0, null, 3n))
    // Another engine (or an erasure) deletes user b's row by position
    const erased = await (await daily.table.refresh()).deleteRows({ column: 'user_id', in: ['b'] })
    assert.equal(erased.deletedRows, 1)
    // The upsert of a's window rewrites the file that still holds b's row bytes
    await daily.commit(work(aggs([['a', 0, 2]], 3), 0, 3n, 4n))
    const start = BigInt(aggregate('x', 0, 1).windowStart)
    assert.deepEqual(await live(daily), [`a/${start}/2`, `c/${start}/1`])
  })

  it('rewrites the file of a partition whose value is a long (a bigint when read back from the manifest)', async () => {
    const def: TableDef = {
      name: 'by_shard',
      schema: {
        schemaId: 0,
        fields: [
          { id: 1, name: 'k', type: 'string', required: true },
          { id: 2, name: 'shard', type: 'long', required: true },
          { id: 3, name: 'rev', type: 'long', required: true },
        ],
      },
      spec: { specId: 0, fields: [{ sourceId: 2, fieldId: 1000, name: 'shard', transform: 'identity' }] },
      key: ['k'],
      version: 'rev',
      eventTime: 'rev',
    }
    const lake = await memoryLake()
    const sink = new TableSink(def, (await ensureTables(lake, [def])).get(def.name)!, { writer: 'w' })
    await sink.commit(work([{ k: 'a', shard: 5, rev: 1 }], 0, null, 1n))
    await sink.commit(work([{ k: 'a', shard: 5, rev: 2 }], 0, 1n, 2n))
    const rows = await (await sink.table.refresh()).readRows()
    assert.deepEqual(
      rows.map((r) => [r.k, r.rev]),
      [['a', 2n]],
      'one row per key',
    )
  })

  it('does not let a late older revision replace a newer one', async () => {
    const lake = await memoryLake()
    const daily = sinkOf(await sinksOf(lake, 'w'), TableNames.daily)
    await daily.commit(work(aggs([['a', 0, 4]], 0), 0, null, 1n))
    const result = await daily.commit(work(aggs([['a', 0, 2]], 1), 0, 1n, 2n))
    assert.equal(result.stale, 1)
    assert.deepEqual(await live(daily), [`a/${BigInt(aggregate('a', 0, 1).windowStart)}/4`])
  })

  it('re-plans against the other writer when both rewrote the same file', async () => {
    const lake = await memoryLake()
    const a = sinkOf(await sinksOf(lake, 'a'), TableNames.daily)
    await a.commit(
      work(
        aggs(
          [
            ['a', 0, 1],
            ['b', 0, 1],
          ],
          0,
        ),
        0,
        null,
        2n,
      ),
    )
    const b = sinkOf(await sinksOf(lake, 'b'), TableNames.daily)
    const results = await Promise.all([
      a.commit(work(aggs([['a', 0, 2]], 2), 0, 2n, 3n)),
      b.commit(work(aggs([['b', 0, 2]], 0), 1, null, 1n)),
    ])
    assert.equal(results[0].attempts + results[1].attempts, 3)
    const start = BigInt(aggregate('a', 0, 1).windowStart)
    assert.deepEqual(await live(a), [`a/${start}/2`, `b/${start}/2`])
    const dataFiles = (await lake.store.list('mem://wh/')).filter((o) => o.location.endsWith('.parquet'))
    assert.equal(
      dataFiles.length,
      3,
      'the first file, the first rewrite, the re-planned rewrite; the lost attempt left nothing',
    )
  })
})

describe('a commit whose answer was lost', () => {
  async function flakySink(landsFirst: boolean, onError?: SinkOptions['onError']) {
    const lake = await memoryLake()
    let calls = 0
    const real = lake.catalog
    const catalog: Catalog = {
      name: real.name,
      createNamespace: (ns, p) => real.createNamespace(ns, p),
      loadNamespace: (ns) => real.loadNamespace(ns),
      listTables: (ns) => real.listTables(ns),
      createTable: (id, r) => real.createTable(id, r),
      loadTable: (id) => real.loadTable(id),
      tableExists: (id) => real.tableExists(id),
      dropTable: (id, o) => real.dropTable(id, o),
      async commit(id, requirements, updates) {
        if (++calls > 1) return real.commit(id, requirements, updates)
        if (landsFirst) await real.commit(id, requirements, updates)
        throw new CommitStateUnknownError('the catalog did not answer')
      },
    }
    const table = await Table.load(catalog, lake.store, { namespace: ['health'], name: TableNames.raw })
    return { sink: new TableSink(TABLES[0]!, table, { writer: 'w', ...(onError ? { onError } : {}) }), lake }
  }

  for (const landsFirst of [true, false]) {
    it(`lands exactly once when the lost commit ${landsFirst ? 'did' : 'did not'} land`, async () => {
      const { sink } = await flakySink(landsFirst)
      await sink.commit(work(raws(0, 12), 0, null, 12n))
      await sink.table.refresh()
      assert.equal((await sink.table.readRows()).length, 12)
      assert.equal(sink.table.metadata.snapshots.length, 1)
      assert.equal((await sink.refresh()).offsets.get('t:0')?.offset, 12n)
    })
  }

  it('tells of the failed catalog call it retried', async () => {
    const failed: [CatalogOperation, string][] = []
    const { sink } = await flakySink(false, (operation, error) =>
      failed.push([operation, (error as Error).name]),
    )
    await sink.commit(work(raws(0, 12), 0, null, 12n))
    assert.deepEqual(failed, [['commit', 'CommitStateUnknownError']])
  })
})
