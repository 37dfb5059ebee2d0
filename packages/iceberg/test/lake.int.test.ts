/**
 * The contract test: tables written by this library are read by pyiceberg and DuckDB (through
 * packages/testkit/src/lake/read_table.py), row for row, through the SQL catalog (SQLite file) and the Apache
 * REST catalog fixture, on a local directory.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import {
  contractRows as expectedRows,
  CONTRACT_FIELDS as FIELDS,
  contractSource as row,
} from '@healthstream/testkit/lake'
import type { Catalog } from '../src/catalog/catalog.ts'
import { RestCatalog } from '../src/catalog/rest-catalog.ts'
import { SqlCatalog } from '../src/catalog/sql-catalog.ts'
import { openNodeSqlite } from '../src/catalog/sqlite-node.ts'
import { fileUri, LocalObjectStore } from '../src/io/local.ts'
import { partitionSpecOf } from '../src/spec/new-table.ts'
import { Table } from '../src/table/table.ts'
import { type ReadTableArgs, readTable } from './support/readers.ts'
import { stackEnv, uniqueName } from './support/stack.ts'

const BIG = 2n ** 62n + 7n

type Row = Record<string, unknown>
const ROWS: Row[] = [
  row('a', 0, 1.5, { count: BIG, day: 20782, ok: true, tags: ['x', 'y'], src: { topic: 't', partition: 3 } }),
  row('b', 0, null, { count: -1n, tags: [], src: { topic: 'u', partition: null } }),
  row('c', 1, Number.NaN, { ok: false }),
]

async function readBoth(args: ReadTableArgs): Promise<[unknown[], unknown[]]> {
  const sort = ['user_id', 'start']
  return [
    await readTable({ ...args, sort, engine: 'pyiceberg' }),
    await readTable({ ...args, sort, engine: 'duckdb' }),
  ]
}

/** Writes, rewrites and evolves a table, checking after each step that both readers see exactly our rows. */
async function exercise(
  catalog: Catalog,
  id: { namespace: string[]; name: string },
  args: ReadTableArgs,
): Promise<void> {
  const store = new LocalObjectStore()
  const table = await Table.create(catalog, store, id, {
    schema: FIELDS,
    partitionSpec: partitionSpecOf(FIELDS, [{ source: 'start', transform: 'day' }]),
    // Merge early so the readers also see manifests this library merged.
    properties: { 'commit.manifest.min-count-to-merge': '2' },
  })
  await table.append(ROWS, { 'kafka.offsets': '{"health-data-validated":{"0":42}}' })
  for (const rows of await readBoth(args)) assert.deepEqual(rows, expectedRows(ROWS))
  const [summary] = (await readTable({ ...args, mode: '--snapshot-summary' })) as {
    summary: Record<string, string>
    operation: string
  }[]
  assert.equal(summary!.summary['kafka.offsets'], '{"health-data-validated":{"0":42}}')
  assert.equal(summary!.summary['total-records'], '3')
  assert.equal(summary!.operation, 'append')

  // Upsert by copy-on-write: the day-0 file is replaced by one with a changed row.
  const day0 = (await table.dataFiles()).find((f) => f.partition[0] === 20782)!
  const upserted = [{ ...ROWS[0]!, value: 9.25 }, ROWS[1]!]
  await table
    .newOverwrite()
    .deleteFile(day0)
    .appendFiles(await table.writeDataFiles(upserted))
    .set('kafka.offsets', '43')
    .commit()
  // Schema evolution, then rows that carry the new column.
  await table.addColumns([{ name: 'unit', type: 'string' }])
  const more = [
    { ...row('d', 1, 4), unit: 'bpm' },
    { ...row('e', 1, 5), unit: 'kg' },
  ]
  await table.append(more.slice(0, 1))
  await table.append(more.slice(1))
  await table.compact({ targetFileSizeBytes: 1 << 20 })
  await table.expireSnapshots({ olderThanMs: Date.now() + 1000 })
  const now: Row[] = [...[...upserted, ROWS[2]!].map((r) => ({ ...r, unit: null })), ...more]
  for (const rows of await readBoth(args)) assert.deepEqual(rows, expectedRows(now))
  assert.equal(table.metadata.snapshots.length, 1)
}

describe('tables written here, read by pyiceberg and DuckDB', { timeout: 300_000 }, () => {
  it('through the SQL catalog on a SQLite file and a local directory', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'lake-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const dbPath = join(dir, 'catalog.db')
    const db = openNodeSqlite(dbPath)
    t.after(() => db.close())
    const warehouse = fileUri(join(dir, 'warehouse'))
    const catalog = new SqlCatalog({ name: 'healthstream', db, store: new LocalObjectStore(), warehouse })
    await catalog.createNamespace(['health'])
    await exercise(
      catalog,
      { namespace: ['health'], name: 'samples' },
      {
        catalog: 'sql',
        uri: `sqlite:///${dbPath}`,
        warehouse,
        namespace: 'health',
        table: 'samples',
      },
    )
  })

  it('through the Apache Iceberg REST catalog fixture', async () => {
    const uri = stackEnv().ICEBERG_REST_URI ?? 'http://127.0.0.1:18181'
    const catalog = new RestCatalog({ uri })
    const ns = uniqueName('it')
    await catalog.createNamespace([ns])
    await exercise(
      catalog,
      { namespace: [ns], name: 'samples' },
      { catalog: 'rest', uri, namespace: ns, table: 'samples' },
    )
  })
})
