import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parquetMetadata } from 'hyparquet'
import { isIcebergError } from '../src/errors.ts'
import { readManifest } from '../src/manifest/manifest.ts'
import { readManifestList } from '../src/manifest/manifest-list.ts'
import type { DataFile, ManifestEntry } from '../src/manifest/types.ts'
import { planScan } from '../src/table/delete-index.ts'
import { encodePositionDeletes, readPositionDeletes } from '../src/table/position-deletes.ts'
import { readLiveRows } from '../src/table/read-rows.ts'
import { bindFilter, matches, mayMatch } from '../src/table/row-filter.ts'
import { Table } from '../src/table/table.ts'
import { memoryLake, sample, sorted } from './support/memory-table.ts'

type Row = Record<string, unknown>

/** 3 days × users a, b, c: 9 rows in 3 data files (one per day). */
function rows(): Row[] {
  return [0, 1, 2].flatMap((day) => ['a', 'b', 'c'].map((u, i) => sample(u, day, day * 10 + i)))
}

function entry(file: Partial<DataFile>, seq: number): ManifestEntry {
  const dataFile: DataFile = {
    content: 0,
    filePath: 'file:///t/data/x.parquet',
    fileFormat: 'PARQUET',
    specId: 0,
    partition: [1],
    recordCount: 10,
    fileSizeInBytes: 1,
    ...file,
  }
  return { status: 1, snapshotId: 1n, sequenceNumber: seq, fileSequenceNumber: seq, dataFile }
}

describe('position delete files', () => {
  it('hold file_path and pos with the reserved field ids, sorted by position, naming their data file', async () => {
    const { table } = await memoryLake()
    const [data] = await table.writeDataFiles([sample('a', 0, 1), sample('b', 0, 2), sample('c', 0, 3)])
    const { bytes, file } = encodePositionDeletes(table.metadata, data!, [2, 0, 2])
    const schema = parquetMetadata(bytes.buffer.slice(0) as ArrayBuffer).schema
    assert.deepEqual(
      schema.slice(1).map((e) => [e.name, e.field_id, e.type, e.repetition_type]),
      [
        ['file_path', 2147483546, 'BYTE_ARRAY', 'REQUIRED'],
        ['pos', 2147483545, 'INT64', 'REQUIRED'],
      ],
    )
    assert.deepEqual(await readPositionDeletes(bytes), new Map([[data!.filePath, new Set([0, 2])]]))
    assert.equal(file.content, 1)
    assert.equal(file.recordCount, 2)
    assert.equal(file.referencedDataFile, data!.filePath)
    assert.deepEqual(file.partition, data!.partition)
    assert.equal(new TextDecoder().decode(file.upperBounds!.get(2147483546)), data!.filePath)
  })

  it('rejects positions beyond the data file', async () => {
    const { table } = await memoryLake()
    const [data] = await table.writeDataFiles([sample('a', 0, 1)])
    assert.throws(() => encodePositionDeletes(table.metadata, data!, [1]), { code: 'INVALID_ARGUMENT' })
  })
})

describe('which deletes apply', () => {
  it('applies a delete file to data of the same partition with a sequence number not above its own', () => {
    const older = entry({ filePath: 'd1' }, 1)
    const newer = entry({ filePath: 'd2' }, 3)
    const other = entry({ filePath: 'd3', partition: [2] }, 1)
    const del = entry({ content: 1, filePath: 'del', partition: [1] }, 2)
    const named = entry({ content: 1, filePath: 'del-d3', partition: [2], referencedDataFile: 'd1' }, 2)
    const tasks = planScan([older, newer, other], [del, named])
    assert.deepEqual(
      tasks.map((t) => [t.data.dataFile.filePath, t.deletes.map((d) => d.dataFile.filePath)]),
      [
        ['d1', ['del']],
        ['d2', []],
        ['d3', []],
      ],
    )
  })
})

describe('deleting rows', () => {
  it('writes one delete file per data file with matches and commits a delete snapshot with the counts', async () => {
    const { table, store } = await memoryLake()
    await table.append(rows())
    const result = await table.deleteRows({ column: 'user_id', in: ['a', 'c'] })
    assert.deepEqual(result, { deletedRows: 6, filesTouched: 3, attempts: 1, replans: 0 })
    const s = table.currentSnapshot!
    assert.equal(s.summary.operation, 'delete')
    assert.equal(s.summary['added-delete-files'], '3')
    assert.equal(s.summary['added-position-delete-files'], '3')
    assert.equal(s.summary['added-position-deletes'], '6')
    assert.equal(s.summary['total-delete-files'], '3')
    assert.equal(s.summary['total-position-deletes'], '6')
    assert.equal(s.summary['total-records'], '9')
    assert.equal(s.summary['total-data-files'], '3')
    assert.deepEqual(sorted(await table.readRows()), sorted(rows().filter((r) => r.user_id === 'b')))
    const list = readManifestList(await store.get(s.manifestList))
    const deletes = list.filter((m) => m.content === 1)
    assert.equal(deletes.length, 1)
    assert.equal(deletes[0]!.sequenceNumber, s.sequenceNumber)
    assert.equal(deletes[0]!.addedRowsCount, 6)
    const manifest = readManifest(await store.get(deletes[0]!.manifestPath))
    assert.equal(manifest.metadata.content, 'deletes')
    assert.ok(manifest.entries.every((e) => e.sequenceNumber === null && e.dataFile.content === 1))
    assert.ok(manifest.entries.every((e) => e.dataFile.referencedDataFile !== undefined))
  })

  it('does not count rows an earlier delete removed, and commits nothing when nothing matches', async () => {
    const { table } = await memoryLake()
    await table.append(rows())
    await table.deleteRows({ column: 'user_id', in: ['a'] })
    const before = table.currentSnapshot!.snapshotId
    assert.deepEqual(await table.deleteRows({ column: 'user_id', in: ['a', 'zz'] }), {
      deletedRows: 0,
      filesTouched: 0,
      attempts: 1,
      replans: 0,
    })
    assert.equal(table.currentSnapshot!.snapshotId, before)
    const second = await table.deleteRows({ column: 'user_id', in: ['a', 'b'] })
    assert.equal(second.deletedRows, 3)
    assert.equal(table.currentSnapshot!.summary['total-position-deletes'], '6')
  })

  it('re-plans when another writer rewrote an affected file meanwhile, and no deleted row comes back', async () => {
    const { table, catalog, store } = await memoryLake()
    await table.append(rows())
    const other = await Table.load(catalog, store, table.identifier)
    const result = await table.deleteRows(
      { column: 'user_id', in: ['a'] },
      {
        beforeCommit: async (attempt) => {
          if (attempt !== 1) return
          // A copy-on-write rewrite of day 0's file (same rows, new file) lands first
          const [task] = await other.refresh().then((t) => t.scanTasks())
          const copy = await other.writeDataFiles(await readLiveRows(store, other.schema, task!))
          await other.commitChange(() => ({
            operation: 'overwrite',
            added: copy,
            deleted: [task!.data.dataFile.filePath],
          }))
        },
      },
    )
    assert.equal(result.attempts, 2)
    assert.equal(result.replans, 1)
    assert.equal(result.deletedRows, 3)
    await table.refresh()
    assert.deepEqual(sorted(await table.readRows()), sorted(rows().filter((r) => r.user_id !== 'a')))
    assert.equal(table.currentSnapshot!.summary['total-delete-files'], '3')
  })

  it('refuses a rewrite of a file with deletes by a writer that did not apply them', async () => {
    const { table } = await memoryLake()
    await table.append(rows())
    await table.deleteRows({ column: 'user_id', in: ['a'] })
    const [task] = await table.scanTasks()
    const copy = await table.writeDataFiles(rows().slice(0, 3))
    await assert.rejects(
      table.commitChange(() => ({
        operation: 'overwrite',
        added: copy,
        deleted: [task!.data.dataFile.filePath],
      })),
      (err) => isIcebergError(err, 'UNAPPLIED_DELETES'),
    )
  })

  it('fails a rewrite whose rows were read before a delete of them landed', async () => {
    const { table, store } = await memoryLake()
    await table.append(rows())
    const readAt = table.currentSnapshot!.snapshotId
    const [task] = await table.scanTasks()
    const copy = await table.writeDataFiles(await readLiveRows(store, table.schema, task!))
    await table.deleteRows({ column: 'user_id', in: ['a'] })
    const change = {
      operation: 'overwrite' as const,
      added: copy,
      deleted: [task!.data.dataFile.filePath],
      deletesApplied: true,
      readAt,
    }
    await assert.rejects(
      table.commitChange(() => change, { retries: 0 }),
      { code: 'COMMIT_CONFLICT' },
    )
    await table.commitChange(() => ({ ...change, added: [], readAt: table.currentSnapshot!.snapshotId }))
    assert.equal(table.currentSnapshot!.summary['removed-position-deletes'], '1')
  })

  it('drops the delete files of a data file a rewrite removes', async () => {
    const { table, store } = await memoryLake()
    await table.append(rows())
    await table.deleteRows({ column: 'user_id', in: ['a'] })
    const [task] = await table.scanTasks()
    const copy = await table.writeDataFiles(await readLiveRows(store, table.schema, task!))
    await table.commitChange(() => ({
      operation: 'overwrite',
      added: copy,
      deleted: [task!.data.dataFile.filePath],
      deletesApplied: true,
    }))
    const s = table.currentSnapshot!.summary
    assert.equal(s['removed-position-delete-files'], '1')
    assert.equal(s['total-delete-files'], '2')
    assert.deepEqual(sorted(await table.readRows()), sorted(rows().filter((r) => r.user_id !== 'a')))
  })
})

describe('maintenance with position deletes', () => {
  it('compacts without the deleted rows and without the delete files', async () => {
    const { table } = await memoryLake()
    await table.append(rows())
    await table.append(rows())
    await table.deleteRows({ column: 'user_id', in: ['b'] })
    assert.deepEqual(await table.compact(), { rewrittenFiles: 6, addedFiles: 3 })
    const s = table.currentSnapshot!.summary
    assert.equal(s['total-delete-files'], '0')
    assert.equal(s['total-records'], '12')
    const kept = rows().filter((r) => r.user_id !== 'b')
    assert.deepEqual(sorted(await table.readRows()), sorted([...kept, ...kept]))
  })

  it('keeps live delete files on expiry and deletes them once only expired snapshots had them', async () => {
    const { table, store } = await memoryLake()
    await table.append(rows())
    await table.deleteRows({ column: 'user_id', in: ['b'] })
    const deleteFiles = (await table.scanTasks()).flatMap((t) => t.deletes.map((d) => d.dataFile.filePath))
    await table.expireSnapshots({ olderThanMs: Date.now() + 1 })
    for (const f of deleteFiles) assert.ok(await store.get(f))
    await table.compact({ minInputFiles: 1 })
    const { deletedFiles } = await table.expireSnapshots({ olderThanMs: Date.now() + 1 })
    for (const f of deleteFiles) assert.ok(deletedFiles.includes(f), `${f} removed`)
  })
})

describe('the row filter', () => {
  it('skips files whose bounds rule the values out and matches numbers and bigints alike', async () => {
    const { table } = await memoryLake()
    const [file] = await table.writeDataFiles([sample('b', 0, 1), sample('d', 0, 2)])
    const filter = bindFilter(table.schema, { column: 'user_id', in: ['a', 'e'] })
    assert.equal(mayMatch(filter, file!), false)
    assert.equal(mayMatch(bindFilter(table.schema, { column: 'user_id', in: ['c'] }), file!), true)
    const starts = bindFilter(table.schema, { column: 'start', in: [5] })
    assert.equal(matches(starts, 5n), true)
    assert.equal(matches(starts, '5'), false)
    assert.throws(() => bindFilter(table.schema, { column: 'nope', in: [] }), { code: 'INVALID_ARGUMENT' })
  })
})
