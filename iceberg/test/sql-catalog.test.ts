import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SqlCatalog } from '../src/catalog/sql-catalog.ts'
import type { SqlDatabase } from '../src/catalog/sql-database.ts'
import { openNodeSqlite } from '../src/catalog/sqlite-node.ts'
import { MemoryObjectStore } from '../src/io/object-store.ts'
import { SAMPLE_FIELDS } from './support/memory-table.ts'

const ID = { namespace: ['health'], name: 't' }

function setup(db: SqlDatabase = openNodeSqlite(':memory:')) {
  const store = new MemoryObjectStore()
  const catalog = new SqlCatalog({ name: 'hs', db, store, warehouse: 'mem://wh' })
  return { db, store, catalog }
}

describe('SQL catalog layout', () => {
  it('creates the JDBC catalog tables with their exact columns', () => {
    const { db } = setup()
    const cols = (t: string) => db.all(`PRAGMA table_info(${t})`).map((r) => `${r.name}:${r.pk}`)
    assert.deepEqual(cols('iceberg_tables'), [
      'catalog_name:1',
      'table_namespace:2',
      'table_name:3',
      'metadata_location:0',
      'previous_metadata_location:0',
      'iceberg_type:0',
    ])
    assert.deepEqual(cols('iceberg_namespace_properties'), [
      'catalog_name:1',
      'namespace:2',
      'property_key:3',
      'property_value:0',
    ])
  })

  it('adds iceberg_type to a table made by an older catalog', () => {
    const db = openNodeSqlite(':memory:')
    db.exec(
      `CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, table_name))`,
    )
    setup(db)
    assert.ok(db.all('PRAGMA table_info(iceberg_tables)').some((r) => r.name === 'iceberg_type'))
  })
})

describe('SQL catalog namespaces', () => {
  it('stores {exists: true} for a namespace without properties, as pyiceberg does', async () => {
    const { catalog } = setup()
    await catalog.createNamespace(['health'])
    assert.deepEqual(await catalog.loadNamespace(['health']), { exists: 'true' })
    await assert.rejects(catalog.createNamespace(['health']), { code: 'ALREADY_EXISTS' })
    await assert.rejects(catalog.loadNamespace(['nope']), { code: 'NO_SUCH_NAMESPACE' })
  })

  it('refuses a table in a namespace that does not exist', async () => {
    const { catalog } = setup()
    await assert.rejects(catalog.createTable(ID, { schema: SAMPLE_FIELDS }), { code: 'NO_SUCH_NAMESPACE' })
  })
})

describe('SQL catalog tables', () => {
  it('writes metadata version 00000 at create and points the TABLE row at it', async () => {
    const { catalog, db } = setup()
    await catalog.createNamespace(['health'])
    const t = await catalog.createTable(ID, { schema: SAMPLE_FIELDS })
    assert.match(
      t.metadataLocation,
      /^mem:\/\/wh\/health\.db\/t\/metadata\/00000-[0-9a-f-]{36}\.metadata\.json$/,
    )
    assert.deepEqual(
      db.all('SELECT catalog_name, table_namespace, table_name, iceberg_type FROM iceberg_tables'),
      [{ catalog_name: 'hs', table_namespace: 'health', table_name: 't', iceberg_type: 'TABLE' }],
    )
    await assert.rejects(catalog.createTable(ID, { schema: SAMPLE_FIELDS }), { code: 'ALREADY_EXISTS' })
    assert.deepEqual(await catalog.listTables(['health']), [ID])
  })

  it('commits by writing the next metadata version and logging the previous one', async () => {
    const { catalog, db } = setup()
    await catalog.createNamespace(['health'])
    const t = await catalog.createTable(ID, { schema: SAMPLE_FIELDS })
    const next = await catalog.commit(
      ID,
      [{ type: 'assert-table-uuid', uuid: t.metadata.tableUuid }],
      [{ action: 'set-properties', updates: { a: 'b' } }],
    )
    assert.match(next.metadataLocation, /\/00001-[0-9a-f-]{36}\.metadata\.json$/)
    assert.deepEqual(
      next.metadata.metadataLog.map((e) => e.metadataFile),
      [t.metadataLocation],
    )
    assert.deepEqual(db.all('SELECT metadata_location, previous_metadata_location FROM iceberg_tables')[0], {
      metadata_location: next.metadataLocation,
      previous_metadata_location: t.metadataLocation,
    })
    assert.equal((await catalog.loadTable(ID)).metadata.properties.a, 'b')
  })

  it('loses the compare-and-swap when another writer moved the pointer, and removes its file', async () => {
    const inner = openNodeSqlite(':memory:')
    let sneak: (() => void) | undefined
    const db: SqlDatabase = {
      ...inner,
      run(sql, params) {
        if (sql.startsWith('UPDATE') && sneak) {
          const s = sneak
          sneak = undefined
          s()
        }
        return inner.run(sql, params)
      },
    }
    const { catalog, store } = setup(db)
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

  it('fails a requirement with a conflict when the table moved since it was read', async () => {
    const { catalog } = setup()
    await catalog.createNamespace(['health'])
    await catalog.createTable(ID, { schema: SAMPLE_FIELDS })
    await assert.rejects(catalog.commit(ID, [{ type: 'assert-current-schema-id', currentSchemaId: 3 }], []), {
      code: 'COMMIT_CONFLICT',
    })
  })

  it('drops a table, purging its files on request', async () => {
    const { catalog, store } = setup()
    await catalog.createNamespace(['health'])
    await catalog.createTable(ID, { schema: SAMPLE_FIELDS })
    await catalog.dropTable(ID, { purge: true })
    assert.equal(await catalog.tableExists(ID), false)
    assert.equal(store.objects.size, 0)
    await assert.rejects(catalog.loadTable(ID), { code: 'NO_SUCH_TABLE' })
  })
})
