/**
 * Tables we did not create: pyiceberg creates a table (assigning its own field ids and partition field
 * ids) in a SQL catalog; this library loads it, appends to it, and pyiceberg and DuckDB read back both
 * pyiceberg's rows and ours.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import {
  readTable,
  runLakeScript,
  snapshotSummary,
  type TableRef,
  tableArgs,
} from '@healthstream/testkit/lake'
import { SqlCatalog } from '../src/catalog/sql-catalog.ts'
import { openNodeSqlite } from '../src/catalog/sqlite-node.ts'
import { fileUri, LocalObjectStore } from '../src/io/local.ts'
import { Table } from '../src/table/table.ts'

describe('a table created by pyiceberg', () => {
  let dir = ''
  after(() => rm(dir, { recursive: true, force: true }))

  it('is appended to by our writer and read back whole by pyiceberg and DuckDB', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hs-pyiceberg-'))
    const ref: TableRef = {
      catalog: 'sql',
      uri: `sqlite:///${join(dir, 'catalog.db')}`,
      warehouse: fileUri(join(dir, 'warehouse')),
      namespace: 'fixture',
      table: 'readings',
    }
    const { args, env } = tableArgs(ref)
    await runLakeScript('make_fixture_table.py', args, env)

    const store = new LocalObjectStore()
    const catalog = new SqlCatalog({
      name: 'healthstream',
      db: openNodeSqlite(join(dir, 'catalog.db')),
      store,
      warehouse: fileUri(join(dir, 'warehouse')),
    })
    const table = await Table.load(catalog, store, { namespace: ['fixture'], name: 'readings' })
    const recordedAt = BigInt(Date.parse('2026-11-25T10:00:00Z')) * 1000n + 7n
    const files = await table.writeDataFiles([
      {
        id: 4n,
        name: 'from typescript',
        reading: 98.6,
        recorded_at: recordedAt,
        day: 20_417,
        payload: new Uint8Array([1, 2, 3]),
        big: 2n ** 60n,
      },
    ])
    await table.newAppend().appendFiles(files).set('healthstream.test', 'ours').commit()

    for (const engine of ['pyiceberg', 'duckdb'] as const) {
      const rows = await readTable({ ...ref, engine, sort: ['id'] })
      assert.deepEqual(
        rows.map((r) => r.id),
        [1, 2, 3, 4],
        `${engine} reads pyiceberg's rows and ours`,
      )
      assert.deepEqual(rows[3], {
        id: 4,
        name: 'from typescript',
        reading: 98.6,
        recorded_at: Number(recordedAt),
        day: '2025-11-25',
        payload: Buffer.from([1, 2, 3]).toString('base64'),
        big: (2n ** 60n).toString(),
      })
    }
    const summary = await snapshotSummary(ref)
    assert.equal(summary?.summary['healthstream.test'], 'ours')
    assert.equal(summary?.summary['total-records'], '4')
  })
})
