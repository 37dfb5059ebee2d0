/**
 * The independent readers are real: pyiceberg writes a known table (make_fixture_table.py), and
 * readTable gives back exactly those rows through pyiceberg and through DuckDB's iceberg extension,
 * for a SQL catalog on a local warehouse, for the stack's REST catalog, and for a warehouse on the
 * stack's S3. Needs LAKE_PYTHON, ICEBERG_REST_URI and the S3_* endpoints (`npm test` sets them).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import {
  type ReadOptions,
  readTable,
  snapshotSummary,
  snapshots,
  type TableRef,
  tableFiles,
} from '../../src/lake/reader.ts'
import { endpoint, uniqueName } from '../../src/stack/endpoints.ts'

import {
  assertFixtureRows,
  assertFixtureSnapshots,
  createFixture,
  ENGINES,
  type Fixture,
} from './fixture-table.ts'

describe('SQL catalog, local warehouse', () => {
  let dir: string
  let ref: TableRef
  let fixture: Fixture

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lake-readers-'))
    ref = {
      catalog: 'sql',
      uri: `sqlite:///${join(dir, 'catalog.db')}`,
      warehouse: `file://${join(dir, 'warehouse')}`,
      namespace: 'fixture',
      table: 'readings',
    }
    fixture = await createFixture(ref)
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  for (const engine of ENGINES) {
    test(`${engine} reads back exactly the rows pyiceberg wrote`, async () => {
      assertFixtureRows(await readTable({ ...ref, engine }))
    })
  }

  test('both engines print ISO timestamps and honour --sort (nulls last, NaN after numbers)', async () => {
    const options: ReadOptions = { ...ref, timestamps: 'iso', sort: ['reading'] }
    for (const engine of ENGINES) {
      const rows = await readTable({ ...options, engine })
      assert.deepEqual(
        rows.map((r) => [r.id, r.reading, r.recorded_at]),
        [
          [3, '-Infinity', '1970-01-01T00:00:00.000000Z'],
          [1, 72.5, '2026-01-02T03:04:05.123456Z'],
          [2, 'NaN', '2026-01-03T00:00:00.000001Z'],
        ],
        engine,
      )
      const byName = await readTable({ ...options, engine, sort: ['name'] })
      assert.deepEqual(
        byName.map((r) => r.id),
        [1, 3, 2],
        `${engine}: null name last`,
      )
    }
  })

  test('snapshot summary and snapshot log, with our custom summary property', async () => {
    assertFixtureSnapshots(await snapshots(ref), await snapshotSummary(ref), fixture)
  })

  test('lists the data files of the current snapshot, one per day partition', async () => {
    const files = await tableFiles(ref)
    assert.deepEqual(
      files.map((f) => [f.content, f.format, f.recordCount, f.partition]),
      [
        ['data', 'PARQUET', 1, { recorded_at_day: '1970-01-01' }],
        ['data', 'PARQUET', 1, { recorded_at_day: '2026-01-02' }],
        ['data', 'PARQUET', 1, { recorded_at_day: '2026-01-03' }],
      ],
    )
    for (const file of files) assert.ok(file.path.startsWith(`${fixture.location}/data/`), file.path)
  })

  test('a missing table is an error naming it, for both engines', async () => {
    for (const engine of ENGINES) {
      await assert.rejects(readTable({ ...ref, table: 'nope', engine }), /fixture\.nope/)
    }
  })

  test('a missing catalog file is an error, not a new empty catalog', async () => {
    const uri = `sqlite:///${join(dir, 'absent.db')}`
    await assert.rejects(readTable({ ...ref, uri }), /absent\.db does not exist/)
  })

  test('without LAKE_PYTHON the reader throws naming it', async () => {
    const saved = process.env.LAKE_PYTHON
    delete process.env.LAKE_PYTHON
    try {
      await assert.rejects(readTable(ref), /LAKE_PYTHON is not set/)
    } finally {
      process.env.LAKE_PYTHON = saved
    }
  })
})

describe('REST catalog (the stack Iceberg REST fixture)', () => {
  const namespace = uniqueName('readers').replaceAll('-', '_')
  let ref: TableRef
  let fixture: Fixture

  const rest = (path: string, method = 'GET'): Promise<Response> =>
    fetch(`${endpoint('ICEBERG_REST_URI')}/v1${path}`, { method, signal: AbortSignal.timeout(10_000) })

  before(async () => {
    ref = { catalog: 'rest', uri: endpoint('ICEBERG_REST_URI'), namespace, table: 'readings' }
    fixture = await createFixture(ref)
  })
  after(async () => {
    await rest(`/namespaces/${namespace}/tables/readings?purgeRequested=true`, 'DELETE')
    await rest(`/namespaces/${namespace}`, 'DELETE')
  })

  test('the catalog serves the table pyiceberg created', async () => {
    const response = await rest(`/namespaces/${namespace}/tables/readings`)
    assert.equal(response.status, 200)
    const body = (await response.json()) as { 'metadata-location': string }
    assert.equal(body['metadata-location'], fixture.metadataLocation)
  })

  // DuckDB ATTACHes the REST catalog itself (AUTHORIZATION_TYPE 'none'): no pyiceberg involved.
  for (const engine of ENGINES) {
    test(`${engine} reads back exactly the rows pyiceberg wrote`, async () => {
      assertFixtureRows(await readTable({ ...ref, engine }))
    })
  }

  test('snapshot summary and snapshot log', async () => {
    assertFixtureSnapshots(await snapshots(ref), await snapshotSummary(ref), fixture)
  })
})

describe('SQL catalog, warehouse on the stack S3 (path-style endpoint)', () => {
  const prefix = uniqueName('lake-readers-test')
  let dir: string
  let ref: TableRef

  const client = (): S3Client =>
    new S3Client({
      endpoint: endpoint('S3_ENDPOINT'),
      region: endpoint('S3_REGION'),
      forcePathStyle: true,
      credentials: {
        accessKeyId: endpoint('S3_ACCESS_KEY_ID'),
        secretAccessKey: endpoint('S3_SECRET_ACCESS_KEY'),
      },
    })

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lake-readers-s3-'))
    ref = {
      catalog: 'sql',
      uri: `sqlite:///${join(dir, 'catalog.db')}`,
      warehouse: `s3://${endpoint('S3_BUCKET')}/${prefix}`,
      namespace: 'fixture',
      table: 'readings',
      s3: {
        endpoint: endpoint('S3_ENDPOINT'),
        region: endpoint('S3_REGION'),
        accessKeyId: endpoint('S3_ACCESS_KEY_ID'),
        secretAccessKey: endpoint('S3_SECRET_ACCESS_KEY'),
      },
    }
    const fixture = await createFixture(ref)
    assert.match(fixture.metadataLocation, new RegExp(`^s3://${endpoint('S3_BUCKET')}/${prefix}/`))
  })
  after(async () => {
    rmSync(dir, { recursive: true, force: true })
    const s3 = client()
    try {
      const Bucket = endpoint('S3_BUCKET')
      const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: `${prefix}/` }))
      const keys = (listed.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ Key: o.Key }]))
      if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys } }))
    } finally {
      s3.destroy()
    }
  })

  for (const engine of ENGINES) {
    test(`${engine} reads back exactly the rows pyiceberg wrote`, async () => {
      assertFixtureRows(await readTable({ ...ref, engine }))
    })
  }

  test('the data files are S3 objects', async () => {
    const files = await tableFiles(ref)
    assert.equal(files.length, 3)
    for (const file of files)
      assert.match(file.path, new RegExp(`^s3://[^/]+/${prefix}/fixture/readings/data/`))
  })

  test('wrong S3 credentials are an error, for both engines', async () => {
    const s3 = { ...ref.s3!, secretAccessKey: 'wrong' }
    for (const engine of ENGINES) {
      await assert.rejects(
        readTable({ ...ref, s3, engine }),
        /403|Forbidden|ACCESS_DENIED|SignatureDoesNotMatch/i,
      )
    }
  })
})
