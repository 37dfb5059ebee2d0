/**
 * Spark 3.5 with the Iceberg Spark runtime, the third engine we do not write, reads tables our
 * library writes and runs Iceberg's maintenance procedures on them, through the SQL catalog on
 * SQLite and on PostgreSQL, the REST catalog, and a warehouse on S3; afterwards pyiceberg, DuckDB,
 * Spark and our own library still see the same rows. One Spark JVM serves the whole file.
 * Needs LAKE_SPARK_*, LAKE_PYTHON and the stack's endpoints (`npm test` sets them).
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, type TestContext, test } from 'node:test'
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import {
  type Catalog,
  fileUri,
  LocalObjectStore,
  localPath,
  type ObjectStore,
  openNodeSqlite,
  openPostgres,
  RestCatalog,
  S3ObjectStore,
  SqlCatalog,
  Table,
} from '@healthstream/iceberg'
import { type Row, readTable, snapshots, type TableRef, tableFiles } from '../../src/lake/reader.ts'
import { type Spark, SparkError, startSpark } from '../../src/lake/spark.ts'
import { type SparkSession, sparkString } from '../../src/lake/spark-session.ts'
import { endpoint, uniqueName } from '../../src/stack/endpoints.ts'
import { BATCHES, backdate, expectedRows, row, writeTable } from './spark-table.ts'

const DAY_MS = 86_400_000
const ALL = BATCHES.flat()

/** A TIMESTAMP literal (the session's time zone is UTC). */
const timestamp = (ms: number): string =>
  `TIMESTAMP ${sparkString(new Date(ms).toISOString().replace('T', ' ').replace('Z', ''))}`

interface Lake {
  readonly ref: TableRef
  readonly catalog: Catalog
  readonly store: ObjectStore
  /** Orphan removal needs old files: only where the test can set modification times. */
  readonly localFiles: boolean
}

async function allReaders(ref: TableRef, lake: SparkSession): Promise<Record<string, Row[]>> {
  const sort = ['user_id', 'start']
  return {
    pyiceberg: await readTable({ ...ref, sort, engine: 'pyiceberg' }),
    duckdb: await readTable({ ...ref, sort, engine: 'duckdb' }),
    spark: await lake.sql(`SELECT * FROM ${lake.table(ref)} ORDER BY user_id, start`),
  }
}

async function assertAllRead(ref: TableRef, lake: SparkSession, want: readonly Row[]): Promise<void> {
  for (const [engine, rows] of Object.entries(await allReaders(ref, lake)))
    assert.deepEqual(rows, want, engine)
}

/** Writes the table with our library, then reads and maintains it with Spark, checking every step. */
async function exercise(t: TestContext, spark: Spark, lake: Lake): Promise<void> {
  const { ref } = lake
  const id = { namespace: ref.namespace.split('.'), name: ref.table }
  const written = await writeTable(lake.catalog, lake.store, id)
  const session = await spark.open(ref)
  const name = session.table(ref)
  const call = async (procedure: string, args: string): Promise<Row> => {
    const result = await session.query(`CALL ${session.catalog}.system.${procedure}(${args})`)
    t.diagnostic(`${procedure}: ${result.ms} ms`)
    assert.equal(result.rows.length, 1, procedure)
    return result.rows[0]!
  }
  const tableArg = `table => ${sparkString(`${ref.namespace}.${ref.table}`)}`

  await assertAllRead(ref, session, expectedRows(ALL))
  const sums = await session.query(
    `SELECT count(*) AS n, CAST(sum(unix_micros(start)) AS STRING) AS start_sum, count(value) AS n_values FROM ${name}`,
  )
  t.diagnostic(`count and checksum: ${sums.ms} ms`)
  const startSum = ALL.reduce((sum, r) => sum + BigInt(r.start as bigint), 0n)
  assert.deepEqual(sums.rows, [{ n: ALL.length, start_sum: String(startSum), n_values: 4 }])

  const files = await tableFiles(ref)
  assert.equal(files.length, 5)
  const rewrite = await call('rewrite_data_files', `${tableArg}, options => map('rewrite-all', 'true')`)
  assert.equal(rewrite.rewritten_data_files_count, 5)
  assert.equal(rewrite.added_data_files_count, 2, 'one file per day partition')
  const manifests = await call('rewrite_manifests', tableArg)
  assert.equal(manifests.added_manifests_count, 1)
  const expired = await call(
    'expire_snapshots',
    `${tableArg}, older_than => ${timestamp(Date.now() + 1000)}, retain_last => 1`,
  )
  assert.equal(expired.deleted_data_files_count, 5)
  assert.equal((await snapshots(ref)).length, 1)
  assert.equal((await tableFiles(ref)).length, 2)

  if (lake.localFiles) {
    // Every file of the table looks old, so a live file mistaken for an orphan would go too.
    const dir = localPath(written.metadata.location)
    const orphan = join(dir, 'data', `orphan-${uniqueName('spark')}.parquet`)
    writeFileSync(orphan, 'not referenced by any snapshot')
    backdate(dir, Date.now() - 3 * DAY_MS)
    const removed = await session.sql(
      `CALL ${session.catalog}.system.remove_orphan_files(${tableArg}, older_than => ${timestamp(Date.now() - 2 * DAY_MS)})`,
    )
    assert.deepEqual(
      removed.map((r) => localPath(String(r.orphan_file_location))),
      [orphan],
    )
    assert.equal(existsSync(orphan), false)
  }
  await assertAllRead(ref, session, expectedRows(ALL))

  // Our library reads what Spark committed and goes on writing on top of it.
  const table = await Table.load(lake.catalog, lake.store, id)
  assert.equal((await table.readRows()).length, ALL.length)
  const more = row('f', 1, 7)
  await table.append([more])
  await assertAllRead(ref, session, expectedRows([...ALL, more]))
  await session.close()
}

/** The table `health.samples` in the SQL catalog on `<dir>/catalog.db`. */
const sqliteRef = (dir: string, warehouse: string): TableRef => ({
  catalog: 'sql',
  uri: `sqlite:///${join(dir, 'catalog.db')}`,
  warehouse,
  namespace: 'health',
  table: 'samples',
})

describe('Spark reads and maintains tables this library writes', { timeout: 900_000 }, () => {
  let spark: Spark

  before(async () => {
    spark = await startSpark()
  })
  after(() => spark?.close())

  test('Spark starts once for the file', (t) => {
    t.diagnostic(`Spark ${spark.version} started in ${spark.startMs} ms`)
    assert.match(spark.version, /^3\.5\./)
  })

  test('through the SQL catalog on a SQLite file and a local warehouse', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'lake-spark-'))
    const db = openNodeSqlite(join(dir, 'catalog.db'))
    t.after(() => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    })
    const warehouse = fileUri(join(dir, 'warehouse'))
    const catalog = new SqlCatalog({ name: 'healthstream', db, store: new LocalObjectStore(), warehouse })
    await catalog.createNamespace(['health'])
    const ref = sqliteRef(dir, warehouse)
    await exercise(t, spark, { ref, catalog, store: new LocalObjectStore(), localFiles: true })
  })

  test('through the SQL catalog on PostgreSQL', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'lake-spark-pg-'))
    // One catalog name per run: the rows of iceberg_tables are told apart by it.
    const name = uniqueName('spark').replaceAll('-', '_')
    const db = openPostgres(endpoint('LAKE_POSTGRES_URL'))
    t.after(async () => {
      await db.run('DELETE FROM iceberg_tables WHERE catalog_name = ?', [name])
      await db.run('DELETE FROM iceberg_namespace_properties WHERE catalog_name = ?', [name])
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    })
    const warehouse = fileUri(join(dir, 'warehouse'))
    const catalog = new SqlCatalog({ name, db, store: new LocalObjectStore(), warehouse })
    await catalog.createNamespace(['health'])
    const ref: TableRef = {
      catalog: 'sql',
      uri: endpoint('LAKE_POSTGRES_URL').replace(/^postgres(ql)?:\/\//, 'postgresql+psycopg2://'),
      warehouse,
      catalogName: name,
      namespace: 'health',
      table: 'samples',
    }
    await exercise(t, spark, { ref, catalog, store: new LocalObjectStore(), localFiles: true })
  })

  test('through the REST catalog (the stack Iceberg REST fixture)', async (t) => {
    const uri = endpoint('ICEBERG_REST_URI')
    const namespace = uniqueName('spark').replaceAll('-', '_')
    const rest = (path: string): Promise<Response> =>
      fetch(`${uri}/v1${path}`, { method: 'DELETE', signal: AbortSignal.timeout(10_000) })
    t.after(async () => {
      await rest(`/namespaces/${namespace}/tables/samples?purgeRequested=true`)
      await rest(`/namespaces/${namespace}`)
    })
    const catalog = new RestCatalog({ uri })
    await catalog.createNamespace([namespace])
    const ref: TableRef = { catalog: 'rest', uri, namespace, table: 'samples' }
    await exercise(t, spark, { ref, catalog, store: new LocalObjectStore(), localFiles: true })
  })

  test('through the SQL catalog with the warehouse on S3 (S3FileIO)', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'lake-spark-s3-'))
    const db = openNodeSqlite(join(dir, 'catalog.db'))
    const prefix = uniqueName('lake-spark-test')
    const s3 = {
      endpoint: endpoint('S3_ENDPOINT'),
      region: endpoint('S3_REGION'),
      accessKeyId: endpoint('S3_ACCESS_KEY_ID'),
      secretAccessKey: endpoint('S3_SECRET_ACCESS_KEY'),
    }
    const Bucket = endpoint('S3_BUCKET')
    t.after(async () => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
      const client = new S3Client({ ...s3, forcePathStyle: true, credentials: s3 })
      try {
        const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: `${prefix}/` }))
        const keys = (listed.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ Key: o.Key }]))
        if (keys.length > 0)
          await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys } }))
      } finally {
        client.destroy()
      }
    })
    const store = new S3ObjectStore({ ...s3, forcePathStyle: true })
    const warehouse = `s3://${Bucket}/${prefix}`
    const catalog = new SqlCatalog({ name: 'healthstream', db, store, warehouse })
    await catalog.createNamespace(['health'])
    const ref: TableRef = { ...sqliteRef(dir, warehouse), s3 }
    await exercise(t, spark, { ref, catalog, store, localFiles: false })
  })

  test('a failing statement rejects with Spark’s message, and the session goes on', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'lake-spark-err-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const db = openNodeSqlite(join(dir, 'catalog.db'))
    await new SqlCatalog({ name: 'healthstream', db, store: new LocalObjectStore(), warehouse: fileUri(dir) })
      .createNamespace(['health'])
      .finally(() => db.close())
    const session = await spark.open({
      catalog: 'sql',
      uri: `sqlite:///${join(dir, 'catalog.db')}`,
      warehouse: fileUri(dir),
    })
    await assert.rejects(
      session.sql('SELECT * FROM health.nope'),
      (error: unknown) =>
        error instanceof SparkError &&
        error.code === 'SPARK_SQL' &&
        /TABLE_OR_VIEW_NOT_FOUND/.test(error.message),
    )
    assert.deepEqual(await session.sql('SELECT 1 + 1 AS two'), [{ two: 2 }])
    await assert.rejects(
      spark.open({ catalog: 'sql', uri: `sqlite:///${join(dir, 'absent.db')}`, warehouse: fileUri(dir) }),
      /absent\.db does not exist/,
    )
  })

  // parquet-java parses created_by as `<app> version <semver> (build <id>)` and warns (once per JVM,
  // and ignores binary column statistics) when it cannot.
  test('Spark logs no warning about the created_by of our Parquet files', () => {
    const lines = spark.logs().split('\n')
    assert.deepEqual(
      lines.filter((line) => /VersionParseException|created_by could not be parsed/.test(line)),
      [],
    )
  })

  test('without LAKE_SPARK_PYTHON, startSpark fails naming it', async () => {
    const saved = process.env.LAKE_SPARK_PYTHON
    delete process.env.LAKE_SPARK_PYTHON
    try {
      await assert.rejects(startSpark(), /LAKE_SPARK_PYTHON is not set/)
    } finally {
      process.env.LAKE_SPARK_PYTHON = saved
    }
  })
})
