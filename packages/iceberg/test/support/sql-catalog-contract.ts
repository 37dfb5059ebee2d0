/**
 * What every database behind the SQL catalog must do, as tests: the JDBC catalog's tables, the
 * migration of an older layout, namespaces, create/load/commit/drop, and the compare-and-swap that
 * loses cleanly. `sql-catalog.test.ts` runs it on SQLite, `sql-catalog-postgres.int.test.ts` on the
 * stack's PostgreSQL.
 */
import assert from 'node:assert/strict'
import { describe, it, type TestContext } from 'node:test'
import { MemoryObjectStore } from '@healthstream/testkit/memory'
import { SqlCatalog } from '../../src/catalog/sql-catalog.ts'
import type { SqlDatabase } from '../../src/catalog/sql-database.ts'
import { SAMPLE_FIELDS } from './memory-table.ts'

/** A database to run the contract on. */
export interface SqlBackend {
  /** A fresh, empty database (closed and removed by `t.after`). */
  open(t: TestContext): Promise<SqlDatabase>
  /** `name:primary-key-position` (0: not in the key) of each column of `table`, in column order. */
  columns(db: SqlDatabase, table: string): Promise<string[]>
}

const ID = { namespace: ['health'], name: 't' }

async function setup(t: TestContext, backend: SqlBackend, db?: SqlDatabase) {
  const sql = db ?? (await backend.open(t))
  const store = new MemoryObjectStore()
  const catalog = new SqlCatalog({ name: 'hs', db: sql, store, warehouse: 'mem://wh' })
  return { db: sql, store, catalog }
}

/** Registers the contract's tests for `backend` under `label`. */
export function sqlCatalogContract(label: string, backend: SqlBackend): void {
  describe(`SQL catalog layout on ${label}`, () => {
    it('creates the JDBC catalog tables with their exact columns', async (t) => {
      const { db, catalog } = await setup(t, backend)
      await catalog.initialize()
      assert.deepEqual(await backend.columns(db, 'iceberg_tables'), [
        'catalog_name:1',
        'table_namespace:2',
        'table_name:3',
        'metadata_location:0',
        'previous_metadata_location:0',
        'iceberg_type:0',
      ])
      assert.deepEqual(await backend.columns(db, 'iceberg_namespace_properties'), [
        'catalog_name:1',
        'namespace:2',
        'property_key:3',
        'property_value:0',
      ])
    })

    it('adds iceberg_type to a table made by an older catalog', async (t) => {
      const db = await backend.open(t)
      await db.exec(
        `CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, table_name))`,
      )
      const { catalog } = await setup(t, backend, db)
      await catalog.initialize()
      assert.ok((await backend.columns(db, 'iceberg_tables')).includes('iceberg_type:0'))
    })
  })

  describe(`SQL catalog namespaces on ${label}`, () => {
    it('stores {exists: true} for a namespace without properties, as pyiceberg does', async (t) => {
      const { catalog } = await setup(t, backend)
      await catalog.createNamespace(['health'])
      assert.deepEqual(await catalog.loadNamespace(['health']), { exists: 'true' })
      await assert.rejects(catalog.createNamespace(['health']), { code: 'ALREADY_EXISTS' })
      await assert.rejects(catalog.loadNamespace(['nope']), { code: 'NO_SUCH_NAMESPACE' })
    })

    it('refuses a table in a namespace that does not exist', async (t) => {
      const { catalog } = await setup(t, backend)
      await assert.rejects(catalog.createTable(ID, { schema: SAMPLE_FIELDS }), { code: 'NO_SUCH_NAMESPACE' })
    })
  })

  describe(`SQL catalog tables on ${label}`, () => {
    it('writes metadata version 00000 at create and points the TABLE row at it', async (t) => {
      const { catalog, db } = await setup(t, backend)
      await catalog.createNamespace(['health'])
      const created = await catalog.createTable(ID, { schema: SAMPLE_FIELDS })
      assert.match(
        created.metadataLocation,
        /^mem:\/\/wh\/health\.db\/t\/metadata\/00000-[0-9a-f-]{36}\.metadata\.json$/,
      )
      assert.deepEqual(
        await db.all('SELECT catalog_name, table_namespace, table_name, iceberg_type FROM iceberg_tables'),
        [{ catalog_name: 'hs', table_namespace: 'health', table_name: 't', iceberg_type: 'TABLE' }],
      )
      await assert.rejects(catalog.createTable(ID, { schema: SAMPLE_FIELDS }), { code: 'ALREADY_EXISTS' })
      assert.deepEqual(await catalog.listTables(['health']), [ID])
    })

    it('commits by writing the next metadata version and logging the previous one', async (t) => {
      const { catalog, db } = await setup(t, backend)
      await catalog.createNamespace(['health'])
      const created = await catalog.createTable(ID, { schema: SAMPLE_FIELDS })
      const next = await catalog.commit(
        ID,
        [{ type: 'assert-table-uuid', uuid: created.metadata.tableUuid }],
        [{ action: 'set-properties', updates: { a: 'b' } }],
      )
      assert.match(next.metadataLocation, /\/00001-[0-9a-f-]{36}\.metadata\.json$/)
      assert.deepEqual(
        next.metadata.metadataLog.map((e) => e.metadataFile),
        [created.metadataLocation],
      )
      assert.deepEqual(
        (await db.all('SELECT metadata_location, previous_metadata_location FROM iceberg_tables'))[0],
        { metadata_location: next.metadataLocation, previous_metadata_location: created.metadataLocation },
      )
      assert.equal((await catalog.loadTable(ID)).metadata.properties.a, 'b')
    })

    it('loses the compare-and-swap when another writer moved the pointer, and removes its file', async (t) => {
      const inner = await backend.open(t)
      let sneak: (() => Promise<unknown>) | undefined
      const db: SqlDatabase = {
        ...inner,
        async run(sql, params) {
          if (sql.startsWith('UPDATE') && sneak) {
            const s = sneak
            sneak = undefined
            await s()
          }
          return inner.run(sql, params)
        },
      }
      const { catalog, store } = await setup(t, backend, db)
      await catalog.createNamespace(['health'])
      await catalog.createTable(ID, { schema: SAMPLE_FIELDS })
      sneak = () => inner.run(`UPDATE iceberg_tables SET metadata_location = 'elsewhere'`)
      const before = store.objects.size
      await assert.rejects(catalog.commit(ID, [], [{ action: 'set-properties', updates: { a: 'b' } }]), {
        name: 'CommitConflictError',
        canRetry: true,
      })
      assert.equal(store.objects.size, before)
    })

    it('fails a requirement with a conflict when the table moved since it was read', async (t) => {
      const { catalog } = await setup(t, backend)
      await catalog.createNamespace(['health'])
      await catalog.createTable(ID, { schema: SAMPLE_FIELDS })
      await assert.rejects(
        catalog.commit(ID, [{ type: 'assert-current-schema-id', currentSchemaId: 3 }], []),
        { code: 'COMMIT_CONFLICT' },
      )
    })

    it('drops a table, purging its files on request', async (t) => {
      const { catalog, store } = await setup(t, backend)
      await catalog.createNamespace(['health'])
      await catalog.createTable(ID, { schema: SAMPLE_FIELDS })
      await catalog.dropTable(ID, { purge: true })
      assert.equal(await catalog.tableExists(ID), false)
      assert.equal(store.objects.size, 0)
      await assert.rejects(catalog.loadTable(ID), { code: 'NO_SUCH_TABLE' })
      await assert.rejects(catalog.dropTable(ID), { code: 'NO_SUCH_TABLE' })
    })
  })
}
