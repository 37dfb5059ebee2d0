/**
 * The SQL catalog on the stack's PostgreSQL (LAKE_POSTGRES_URL): the same contract as on SQLite, each
 * test in a schema of its own; two writers racing on one table lose nothing; and pyiceberg's
 * SqlCatalog (postgresql+psycopg2) reads a table written through it, value for value.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { MemoryObjectStore } from '@healthstream/testkit/memory'
import { openPostgres } from '../src/catalog/postgres-sql.ts'
import { SqlCatalog } from '../src/catalog/sql-catalog.ts'
import type { SqlDatabase } from '../src/catalog/sql-database.ts'
import { fileUri, LocalObjectStore } from '../src/io/local.ts'
import { Table } from '../src/table/table.ts'
import { SAMPLE_FIELDS, sample, sorted } from './support/memory-table.ts'
import { readTable } from './support/readers.ts'
import { sqlCatalogContract } from './support/sql-catalog-contract.ts'
import { stackEnv, uniqueName } from './support/stack.ts'

function postgresUrl(): string {
  const url = stackEnv().LAKE_POSTGRES_URL
  if (!url) throw new Error("LAKE_POSTGRES_URL is not set: run 'npm run stack -- up postgres'")
  return url
}

/** A fresh schema, dropped after the test; `open` gives pools whose tables land in it. */
async function freshSchema(t: TestContext): Promise<(options?: { maxConnections?: number }) => SqlDatabase> {
  const schema = uniqueName('cat').toLowerCase()
  const admin = openPostgres(postgresUrl())
  await admin.exec(`CREATE SCHEMA ${schema}`)
  const pools: SqlDatabase[] = []
  t.after(async () => {
    for (const p of pools) await p.close()
    await admin.exec(`DROP SCHEMA ${schema} CASCADE`)
    await admin.close()
  })
  return (options = {}) => {
    const db = openPostgres(postgresUrl(), { ...options, searchPath: schema })
    pools.push(db)
    return db
  }
}

sqlCatalogContract('PostgreSQL', {
  async open(t) {
    return (await freshSchema(t))()
  },
  async columns(db, table) {
    const rows = await db.all(
      `SELECT c.column_name AS name, COALESCE(k.ordinal_position, 0) AS pk
       FROM information_schema.columns c
       LEFT JOIN information_schema.key_column_usage k
         ON k.table_schema = c.table_schema AND k.table_name = c.table_name AND k.column_name = c.column_name
       WHERE c.table_schema = current_schema() AND c.table_name = ?
       ORDER BY c.ordinal_position`,
      [table],
    )
    return rows.map((r) => `${r.name}:${r.pk}`)
  },
})

const ID = { namespace: ['health'], name: 'samples' }

describe('SQL catalog on PostgreSQL with concurrent writers', () => {
  it('loses no commit when two writers race on one table (each retries after losing the swap)', async (t) => {
    const open = await freshSchema(t)
    const store = new MemoryObjectStore()
    const losses = { n: 0 }
    // Each writer is its own catalog client with its own pool, as two processes would be.
    const writer = (name: string): SqlCatalog => {
      const inner = open({ maxConnections: 2 })
      const db: SqlDatabase = {
        ...inner,
        async run(sql, params) {
          const changed = await inner.run(sql, params)
          if (sql.startsWith('UPDATE iceberg_tables') && changed === 0) losses.n++
          return changed
        },
      }
      return new SqlCatalog({ name: 'hs', db, store, warehouse: `mem://wh-${name}` })
    }
    const [a, b] = [writer('a'), writer('b')]
    await a.createNamespace(['health'])
    await Table.create(a, store, ID, { schema: SAMPLE_FIELDS })
    const COMMITS = 12
    // Every commit appends one row and counts itself in the summary from the base it was made on,
    // so a lost update would show both as a missing row and as a short count.
    const run = async (catalog: SqlCatalog, user: string): Promise<void> => {
      const table = await Table.load(catalog, store, ID)
      for (let i = 0; i < COMMITS; i++) {
        const files = await table.writeDataFiles([sample(user, i % 3, i)])
        await table.commitChange(
          (base) => {
            const current = base.snapshots.find((s) => s.snapshotId === base.currentSnapshotId)
            const n = Number(current?.summary['test.commits'] ?? 0) + 1
            return { operation: 'append', added: files, summary: { 'test.commits': String(n) } }
          },
          { retries: 100 },
        )
      }
    }
    await Promise.all([run(a, 'a'), run(b, 'b')])
    const table = await Table.load(b, store, ID)
    const byValue = (rows: Record<string, unknown>[]) =>
      sorted(rows).sort(
        (x, y) => String(x.user_id).localeCompare(String(y.user_id)) || Number(x.value) - Number(y.value),
      )
    const want = ['a', 'b'].flatMap((u) => Array.from({ length: COMMITS }, (_, i) => sample(u, i % 3, i)))
    assert.deepEqual(byValue(await table.readRows()), byValue(want))
    const current = table.metadata.snapshots.find((s) => s.snapshotId === table.metadata.currentSnapshotId)
    assert.equal(current?.summary['test.commits'], String(2 * COMMITS))
    assert.equal(table.metadata.snapshots.length, 2 * COMMITS)
    assert.ok(losses.n > 0, 'the writers never raced: the test proved nothing')
  })
})

describe('tables written through the PostgreSQL catalog, read by pyiceberg', { timeout: 120_000 }, () => {
  it('returns exactly the rows written, value for value', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'lake-pg-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const name = uniqueName('pyice').toLowerCase()
    // pyiceberg's SqlCatalog has no schema setting: the tables go to `public`, told apart by catalog name.
    const db = openPostgres(postgresUrl())
    const warehouse = fileUri(join(dir, 'warehouse'))
    const catalog = new SqlCatalog({ name, db, store: new LocalObjectStore(), warehouse })
    t.after(async () => {
      await db.run('DELETE FROM iceberg_tables WHERE catalog_name = ?', [name])
      await db.run('DELETE FROM iceberg_namespace_properties WHERE catalog_name = ?', [name])
      await db.close()
    })
    await catalog.createNamespace(['health'])
    const table = await Table.create(catalog, new LocalObjectStore(), ID, { schema: SAMPLE_FIELDS })
    const rows = [sample('u1', 0, 72.5), sample('u2', 1, null), sample('u1', 2, 1e-9, 123n)]
    await table.append(rows.slice(0, 2))
    await table.append(rows.slice(2))
    const read = await readTable({
      catalog: 'sql',
      uri: postgresUrl().replace(/^postgres(ql)?:\/\//, 'postgresql+psycopg2://'),
      warehouse,
      catalogName: name,
      namespace: 'health',
      table: 'samples',
      sort: ['user_id', 'start'],
    })
    const want = sorted(rows).map((r) => ({ ...r, start: Number(r.start) }))
    assert.deepEqual(read, want)
  })
})
