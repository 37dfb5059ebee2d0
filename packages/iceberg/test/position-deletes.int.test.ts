/**
 * Erasure with position delete files, read by engines we do not write: a table is written, one
 * person's rows are deleted (`deleteRows`), and pyiceberg, DuckDB and Spark must all see every other
 * row unchanged and none of that person's, through the SQL catalog on a local directory and on S3,
 * and through the REST catalog fixture. Then a rewrite (copy-on-write of one file, and compaction)
 * keeps the rows gone.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import {
  readTable,
  type Spark,
  snapshotSummary,
  startSpark,
  type TableRef,
  tableFiles,
} from '@healthstream/testkit/lake'
import type { Catalog } from '../src/catalog/catalog.ts'
import { RestCatalog } from '../src/catalog/rest-catalog.ts'
import { SqlCatalog } from '../src/catalog/sql-catalog.ts'
import { openNodeSqlite } from '../src/catalog/sqlite-node.ts'
import { fileUri, LocalObjectStore } from '../src/io/local.ts'
import type { ObjectStore } from '../src/io/object-store.ts'
import { S3ObjectStore } from '../src/io/s3.ts'
import { partitionSpecOf } from '../src/spec/new-table.ts'
import { readLiveRows } from '../src/table/read-rows.ts'
import { Table } from '../src/table/table.ts'
import { SAMPLE_FIELDS, sample } from './support/memory-table.ts'
import { stackEnv, uniqueName } from './support/stack.ts'

type Row = Record<string, unknown>

/** 12 users × 4 days × 5 samples, appended in two commits (two files per day). */
function source(): Row[] {
  const out: Row[] = []
  for (let day = 0; day < 4; day++)
    for (let u = 0; u < 12; u++)
      for (let i = 0; i < 5; i++)
        out.push(sample(`u${u}`, day, u * 100 + i + day / 10, BigInt(i * 60_000_000 + u)))
  return out
}

const line = (r: Row): string =>
  `${r.user_id}|${Number(r.start)}|${r.value === null ? 'null' : Number(r.value)}`
const lines = (rows: readonly Row[]): string[] => rows.map(line).sort()

interface Target {
  readonly name: string
  readonly catalog: Catalog
  readonly store: ObjectStore
  readonly ref: (table: string) => TableRef
}

async function sqlTarget(dir: string, s3: boolean): Promise<Target> {
  const env = stackEnv()
  const db = join(dir, `${s3 ? 's3' : 'local'}-catalog.db`)
  const store = s3
    ? new S3ObjectStore({
        endpoint: env.S3_ENDPOINT!,
        region: env.S3_REGION,
        accessKeyId: env.S3_ACCESS_KEY_ID,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      })
    : new LocalObjectStore()
  const warehouse = s3 ? `s3://${env.S3_BUCKET}/${uniqueName('erase-it')}` : fileUri(join(dir, 'wh'))
  const catalog = new SqlCatalog({ name: 'healthstream', db: openNodeSqlite(db), store, warehouse })
  await catalog.createNamespace(['health'])
  return {
    name: s3 ? 'SQL catalog, S3' : 'SQL catalog, local directory',
    catalog,
    store,
    ref: (table) => ({
      catalog: 'sql',
      uri: `sqlite:///${db}`,
      warehouse: s3 ? warehouse : pathToFileURL(join(dir, 'wh')).href,
      namespace: 'health',
      table,
      ...(s3
        ? { s3: { endpoint: env.S3_ENDPOINT!, ...(env.S3_REGION ? { region: env.S3_REGION } : {}) } }
        : {}),
    }),
  }
}

async function restTarget(): Promise<Target> {
  const uri = stackEnv().ICEBERG_REST_URI!
  const namespace = uniqueName('erase').replaceAll('-', '_')
  const catalog = new RestCatalog({ uri })
  await catalog.createNamespace([namespace])
  return {
    name: 'REST catalog, local directory',
    catalog,
    store: new LocalObjectStore(),
    ref: (table) => ({ catalog: 'rest', uri, namespace, table }),
  }
}

/** Rows of the table as pyiceberg, DuckDB and Spark read them, as sorted lines. */
async function readAll(spark: Spark, ref: TableRef): Promise<Record<string, string[]>> {
  const columns = ['user_id', 'start', 'value']
  const session = await spark.open(ref)
  const spark3 = await session.sql(`SELECT user_id, start, value FROM ${ref.namespace}.${ref.table}`)
  return {
    pyiceberg: lines(await readTable({ ...ref, engine: 'pyiceberg', columns })),
    duckdb: lines(await readTable({ ...ref, engine: 'duckdb', columns })),
    spark: lines(spark3),
  }
}

function assertAllSee(seen: Record<string, string[]>, expected: readonly Row[], step: string): void {
  for (const [engine, rows] of Object.entries(seen))
    assert.deepEqual(
      rows,
      lines(expected),
      `${engine} after ${step}: ${rows.length} rows, ${expected.length} expected`,
    )
}

describe('erasing a person with position deletes, read by pyiceberg, DuckDB and Spark', {
  timeout: 900_000,
}, () => {
  let spark: Spark
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'erase-it-'))
    spark = await startSpark()
  })
  after(async () => {
    await spark?.close()
    await rm(dir, { recursive: true, force: true })
  })

  for (const [where, make] of [
    ['SQL catalog, local directory', () => sqlTarget(dir, false)],
    ['SQL catalog, S3', () => sqlTarget(dir, true)],
    ['REST catalog, local directory', () => restTarget()],
  ] as const) {
    it(`hides the erased rows, keeps every other one, and a rewrite does not bring them back (${where})`, async () => {
      const target = await make()
      const id = { namespace: [target.ref('x').namespace], name: uniqueName('samples') }
      const table = await Table.create(target.catalog, target.store, id, {
        schema: SAMPLE_FIELDS,
        partitionSpec: partitionSpecOf(SAMPLE_FIELDS, [{ source: 'start', transform: 'day' }]),
      })
      const rows = source()
      await table.append(rows.filter((_, i) => i % 2 === 0))
      await table.append(rows.filter((_, i) => i % 2 === 1))
      const ref = target.ref(id.name)

      const result = await table.deleteRows({ column: 'user_id', in: ['u3', 'u7'] })
      const kept = rows.filter((r) => r.user_id !== 'u3' && r.user_id !== 'u7')
      assert.equal(result.deletedRows, rows.length - kept.length, target.name)
      assert.equal(result.filesTouched, 8)
      assertAllSee(await readAll(spark, ref), kept, `deleteRows (${target.name})`)
      const summary = await snapshotSummary(ref)
      assert.equal(summary?.operation, 'delete')
      assert.equal(summary?.summary['added-position-deletes'], String(rows.length - kept.length))
      const files = await tableFiles(ref)
      assert.equal(files.filter((f) => f.content === 'position-deletes').length, 8)

      // A copy-on-write rewrite of one file, with its deletes applied, then a second erasure
      const [task] = await table.scanTasks()
      const copy = await table.writeDataFiles(await readLiveRows(target.store, table.schema, task!))
      await table.commitChange(() => ({
        operation: 'overwrite',
        added: copy,
        deleted: [task!.data.dataFile.filePath],
        deletesApplied: true,
      }))
      await table.deleteRows({ column: 'user_id', in: ['u0'] })
      const left = kept.filter((r) => r.user_id !== 'u0')
      assertAllSee(await readAll(spark, ref), left, `rewrite and second erasure (${target.name})`)

      await table.compact({ minInputFiles: 1 })
      assert.equal(table.currentSnapshot?.summary['total-delete-files'], '0')
      assertAllSee(await readAll(spark, ref), left, `compaction (${target.name})`)
    })
  }

  it('re-plans an erasure when another writer compacts the table before it commits (REST catalog)', async () => {
    const target = await restTarget()
    const id = { namespace: [target.ref('x').namespace], name: uniqueName('samples') }
    const table = await Table.create(target.catalog, target.store, id, {
      schema: SAMPLE_FIELDS,
      partitionSpec: partitionSpecOf(SAMPLE_FIELDS, [{ source: 'start', transform: 'day' }]),
    })
    const rows = source()
    await table.append(rows.filter((_, i) => i % 2 === 0))
    await table.append(rows.filter((_, i) => i % 2 === 1))
    const other = await Table.load(target.catalog, target.store, id)
    const result = await table.deleteRows(
      { column: 'user_id', in: ['u5'] },
      {
        beforeCommit: async (attempt) => {
          if (attempt === 1) await (await other.refresh()).compact({ minInputFiles: 2 })
        },
      },
    )
    assert.equal(result.attempts, 2)
    assert.equal(result.replans, 1)
    assert.equal(result.filesTouched, 4)
    assertAllSee(
      await readAll(spark, target.ref(id.name)),
      rows.filter((r) => r.user_id !== 'u5'),
      'a concurrent compaction',
    )
  })
})
