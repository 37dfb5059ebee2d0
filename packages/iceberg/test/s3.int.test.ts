/**
 * The S3 adapter against a real S3-compatible server (the stack's versitygw), and a table on S3
 * through the SQL catalog read back by pyiceberg and DuckDB.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { SqlCatalog } from '../src/catalog/sql-catalog.ts'
import { openNodeSqlite } from '../src/catalog/sqlite-node.ts'
import { S3ObjectStore } from '../src/io/s3.ts'
import { partitionSpecOf } from '../src/spec/new-table.ts'
import { Table } from '../src/table/table.ts'
import { SAMPLE_FIELDS, sample } from './support/memory-table.ts'
import { readTable } from './support/readers.ts'
import { stackEnv, uniqueName } from './support/stack.ts'

function s3(options: { multipartThreshold?: number } = {}): {
  store: S3ObjectStore
  base: string
  endpoint: string
} {
  const env = stackEnv()
  const endpoint = env.S3_ENDPOINT ?? 'http://127.0.0.1:17070'
  const store = new S3ObjectStore({
    endpoint,
    region: env.S3_REGION,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    ...options,
  })
  return { store, base: `s3://${env.S3_BUCKET ?? 'healthstream'}/${uniqueName('iceberg-it')}`, endpoint }
}

describe('S3 object store', { timeout: 120_000 }, () => {
  it('stores, reads, lists and deletes objects, and refuses to overwrite one', async () => {
    const { store, base } = s3()
    await store.put(`${base}/a/1.bin`, Uint8Array.of(1, 2))
    await store.put(`${base}/a/2.bin`, Uint8Array.of(3))
    assert.deepEqual(await store.get(`${base}/a/1.bin`), Uint8Array.of(1, 2))
    await assert.rejects(store.put(`${base}/a/1.bin`, Uint8Array.of(9)), { code: 'OBJECT_EXISTS' })
    assert.deepEqual(await store.get(`${base}/a/1.bin`), Uint8Array.of(1, 2))
    assert.deepEqual(
      (await store.list(`${base}/a/`)).map((o) => [o.location, o.size]),
      [
        [`${base}/a/1.bin`, 2],
        [`${base}/a/2.bin`, 1],
      ],
    )
    for (const o of await store.list(`${base}/`)) await store.delete(o.location)
    assert.equal(await store.exists(`${base}/a/1.bin`), false)
    await assert.rejects(store.get(`${base}/a/1.bin`), { code: 'OBJECT_NOT_FOUND' })
  })

  it('uploads a big object in parts and still refuses to overwrite it', async () => {
    const { store, base } = s3({ multipartThreshold: 6 * 1024 * 1024 })
    const big = new Uint8Array(12 * 1024 * 1024 + 17).map((_, i) => i % 251)
    await store.put(`${base}/big.bin`, big)
    assert.deepEqual(await store.get(`${base}/big.bin`), big)
    await assert.rejects(store.put(`${base}/big.bin`, big), { code: 'OBJECT_EXISTS' })
    await store.delete(`${base}/big.bin`)
  })
})

describe('a table on S3 through the SQL catalog', { timeout: 300_000 }, () => {
  it('is read row for row by pyiceberg and DuckDB', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'lake-s3-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const { store, base, endpoint } = s3()
    const dbPath = join(dir, 'catalog.db')
    const db = openNodeSqlite(dbPath)
    t.after(() => db.close())
    const catalog = new SqlCatalog({ name: 'healthstream', db, store, warehouse: base })
    await catalog.createNamespace(['health'])
    const table = await Table.create(
      catalog,
      store,
      { namespace: ['health'], name: 'samples' },
      {
        schema: SAMPLE_FIELDS,
        partitionSpec: partitionSpecOf(SAMPLE_FIELDS, [{ source: 'start', transform: 'day' }]),
      },
    )
    const rows = [sample('a', 0, 1.25), sample('b', 1, null), sample('c', 1, 3)]
    await table.append(rows, { 'kafka.offsets': 's3' })
    assert.match(table.currentSnapshot!.manifestList, /^s3:\/\//)
    const args = {
      catalog: 'sql',
      uri: `sqlite:///${dbPath}`,
      warehouse: base,
      namespace: 'health',
      table: 'samples',
      s3Endpoint: endpoint,
      sort: ['user_id'],
    } as const
    const want = rows.map((r) => ({ ...r, start: Number(r.start) }))
    assert.deepEqual(await readTable({ ...args, engine: 'pyiceberg' }), want)
    assert.deepEqual(await readTable({ ...args, engine: 'duckdb' }), want)
    await catalog.dropTable(table.identifier, { purge: true })
    assert.deepEqual(await store.list(`${base}/`), [])
  })
})
