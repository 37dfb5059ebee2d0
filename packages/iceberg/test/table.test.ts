import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readManifest } from '../src/manifest/manifest.ts'
import { readManifestList } from '../src/manifest/manifest-list.ts'
import { Table } from '../src/table/table.ts'
import { memoryLake, sample, sorted } from './support/memory-table.ts'

describe('appending', () => {
  it('commits rows in one snapshot whose summary has the caller properties and the metrics', async () => {
    const { table } = await memoryLake()
    await table.append([sample('a', 0, 1), sample('b', 1, 2), sample('c', 1, null)], {
      'kafka.offsets': '{"0":41}',
    })
    const s = table.currentSnapshot!
    assert.equal(s.summary.operation, 'append')
    assert.equal(s.summary['kafka.offsets'], '{"0":41}')
    assert.equal(s.summary['added-data-files'], '2')
    assert.equal(s.summary['added-records'], '3')
    assert.equal(s.summary['total-records'], '3')
    assert.equal(s.summary['changed-partition-count'], '2')
    assert.equal(s.sequenceNumber, 1)
    assert.deepEqual(sorted(await table.readRows()), [
      sample('a', 0, 1),
      sample('b', 1, 2),
      sample('c', 1, null),
    ])
  })

  it('keeps earlier manifests and adds one per append, totals accumulating', async () => {
    const { table, store } = await memoryLake()
    await table.append([sample('a', 0, 1)])
    await table.append([sample('b', 0, 2)])
    const s = table.currentSnapshot!
    assert.equal(s.summary['total-records'], '2')
    assert.equal(s.summary['total-data-files'], '2')
    assert.equal(s.parentSnapshotId, table.metadata.snapshots[0]!.snapshotId)
    const manifests = readManifestList(await store.get(s.manifestList))
    assert.deepEqual(
      manifests.map((m) => [m.sequenceNumber, m.addedFilesCount]),
      [
        [2, 1],
        [1, 1],
      ],
    )
  })

  it('lets a caller-provided summary key not override computed metrics or the operation', async () => {
    const { table } = await memoryLake()
    await table
      .newAppend()
      .appendFiles(await table.writeDataFiles([sample('a', 0, 1)]))
      .set('operation', 'delete')
      .set('added-records', '99')
      .commit()
    assert.equal(table.currentSnapshot!.summary.operation, 'append')
    assert.equal(table.currentSnapshot!.summary['added-records'], '1')
  })
})

describe('manifest merging', () => {
  it('merges manifests into one once commit.manifest.min-count-to-merge is reached, rows unchanged', async () => {
    const { table, store } = await memoryLake()
    await table.setProperties({ 'commit.manifest.min-count-to-merge': '3' })
    for (let i = 0; i < 4; i++) await table.append([sample(`u${i}`, i % 2, i)])
    const lists = readManifestList(await store.get(table.currentSnapshot!.manifestList))
    assert.deepEqual(
      lists.map((m) => [m.addedFilesCount, m.existingFilesCount]),
      [
        [1, 0],
        [0, 3],
      ],
    )
    assert.equal(table.currentSnapshot!.summary['total-records'], '4')
    assert.deepEqual(
      sorted(await table.readRows()).map((r) => r.user_id),
      ['u0', 'u1', 'u2', 'u3'],
    )
  })
})

describe('concurrent writers', () => {
  it('re-reads and re-applies an append that lost the race, so both land', async () => {
    const { table, catalog, store } = await memoryLake()
    const other = await Table.load(catalog, store, table.identifier)
    await table.append([sample('a', 0, 1)])
    await other.append([sample('b', 0, 2)])
    assert.equal(other.currentSnapshot!.sequenceNumber, 2)
    assert.deepEqual(
      sorted(await other.readRows()).map((r) => r.user_id),
      ['a', 'b'],
    )
  })

  it('surfaces a retryable CommitConflictError when retries are exhausted, leaving no stray files', async () => {
    const { table, catalog, store } = await memoryLake()
    const other = await Table.load(catalog, store, table.identifier)
    await table.append([sample('a', 0, 1)])
    const files = await other.writeDataFiles([sample('b', 0, 2)])
    const before = store.objects.size
    await assert.rejects(other.newAppend().appendFiles(files).commit({ retries: 0 }), {
      code: 'COMMIT_CONFLICT',
      canRetry: true,
    })
    assert.equal(store.objects.size, before)
  })
})

describe('copy-on-write overwrite', () => {
  it('replaces a data file: its rows go, the new rows come, in one overwrite snapshot', async () => {
    const { table, store } = await memoryLake()
    await table.append([sample('a', 0, 1), sample('b', 1, 2)])
    const [day0] = (await table.dataFiles()).filter((f) => f.partition[0] === 20782)
    const replacement = await table.writeDataFiles([sample('a', 0, 10)])
    await table.newOverwrite().deleteFile(day0!).appendFiles(replacement).set('kafka.offsets', '7').commit()
    const s = table.currentSnapshot!
    assert.equal(s.summary.operation, 'overwrite')
    assert.equal(s.summary['deleted-data-files'], '1')
    assert.equal(s.summary['total-records'], '2')
    assert.deepEqual(sorted(await table.readRows()), [sample('a', 0, 10), sample('b', 1, 2)])
    const lists = readManifestList(await store.get(s.manifestList))
    const statuses = (
      await Promise.all(lists.map(async (m) => readManifest(await store.get(m.manifestPath)).entries))
    ).flat()
    assert.deepEqual(statuses.map((e) => e.status).sort(), [0, 1, 2])
  })

  it('fails with a conflict when another writer already removed the file', async () => {
    const { table, catalog, store } = await memoryLake()
    await table.append([sample('a', 0, 1)])
    const other = await Table.load(catalog, store, table.identifier)
    const [file] = await table.dataFiles()
    await table
      .newOverwrite()
      .deleteFile(file!)
      .appendFiles(await table.writeDataFiles([sample('a', 0, 2)]))
      .commit()
    const late = other
      .newOverwrite()
      .deleteFile(file!)
      .appendFiles(await other.writeDataFiles([sample('a', 0, 3)]))
    await assert.rejects(late.commit(), /no longer in the table/)
  })
})

describe('schema evolution', () => {
  it('adds an optional column with the next id; old files read it as null', async () => {
    const { table } = await memoryLake()
    await table.append([sample('a', 0, 1)])
    await table.addColumns([{ name: 'unit', type: 'string', doc: 'unit of value' }])
    assert.deepEqual(table.schema.fields.at(-1), {
      id: 4,
      name: 'unit',
      type: 'string',
      required: false,
      doc: 'unit of value',
    })
    assert.equal(table.metadata.lastColumnId, 4)
    await table.append([{ ...sample('b', 0, 2), unit: 'bpm' }])
    assert.deepEqual(
      sorted(await table.readRows()).map((r) => r.unit),
      [null, 'bpm'],
    )
  })

  it('skips existing columns with ifNotExists and rejects them otherwise', async () => {
    const { table } = await memoryLake()
    await table.addColumns([{ name: 'value', type: 'double' }], { ifNotExists: true })
    assert.equal(table.metadata.schemas.length, 1)
    await assert.rejects(table.addColumns([{ name: 'value', type: 'double' }]), { code: 'ALREADY_EXISTS' })
  })

  it('gives nested types of a new column fresh ids', async () => {
    const { table } = await memoryLake()
    await table.addColumns([
      {
        name: 'm',
        type: { type: 'map', keyId: 0, key: 'string', valueId: 0, value: 'long', valueRequired: false },
      },
    ])
    assert.deepEqual(table.schema.fields.at(-1)!.type, {
      type: 'map',
      keyId: 5,
      key: 'string',
      valueId: 6,
      value: 'long',
      valueRequired: false,
    })
  })
})

describe('maintenance', () => {
  it('expires old snapshots and deletes the files only they used, keeping the current rows', async () => {
    const { table, store } = await memoryLake()
    await table.append([sample('a', 0, 1)])
    const [old] = await table.dataFiles()
    await table
      .newOverwrite()
      .deleteFile(old!)
      .appendFiles(await table.writeDataFiles([sample('a', 0, 2)]))
      .commit()
    const { expired, deletedFiles } = await table.expireSnapshots({
      olderThanMs: Date.now() + 1000,
      retainLast: 1,
    })
    assert.equal(expired.length, 1)
    assert.equal(table.metadata.snapshots.length, 1)
    assert.ok(deletedFiles.includes(old!.filePath))
    assert.equal(await store.exists(old!.filePath), false)
    assert.deepEqual(await table.readRows(), [sample('a', 0, 2)])
  })

  it('keeps the snapshots a keep option names, however old', async () => {
    const { table } = await memoryLake()
    for (let i = 0; i < 3; i++) await table.append([sample('a', 0, i)])
    const [first, middle] = table.metadata.snapshots
    const { expired } = await table.expireSnapshots({
      olderThanMs: Date.now() + 1000,
      retainLast: 1,
      keep: (m) => [m.snapshots[0]!.snapshotId],
    })
    assert.deepEqual(expired, [middle!.snapshotId])
    assert.deepEqual(
      table.metadata.snapshots.map((s) => s.snapshotId),
      [first!.snapshotId, table.metadata.currentSnapshotId],
    )
  })

  it('compacts small files of a partition into one replace snapshot with the same rows', async () => {
    const { table } = await memoryLake()
    for (let i = 0; i < 4; i++) await table.append([sample(`u${i}`, 0, i), sample(`v${i}`, 1, i)])
    const before = sorted(await table.readRows())
    const result = await table.compact({ targetFileSizeBytes: 1 << 20 })
    assert.deepEqual(result, { rewrittenFiles: 8, addedFiles: 2 })
    assert.equal(table.currentSnapshot!.summary.operation, 'replace')
    assert.equal((await table.dataFiles()).length, 2)
    assert.deepEqual(sorted(await table.readRows()), before)
  })

  it('rewrites a partition in bins of at most maxRowsPerRewrite rows, leaving a lone small file as it is', async () => {
    const { table } = await memoryLake()
    // five files of 3 rows in one partition: bins of 6, 6 and 3 rows at a bound of 7
    for (let i = 0; i < 5; i++) await table.append([0, 1, 2].map((j) => sample(`u${i}`, 0, j)))
    const before = sorted(await table.readRows())
    const result = await table.compact({ targetFileSizeBytes: 1 << 20, maxRowsPerRewrite: 7 })
    assert.deepEqual(result, { rewrittenFiles: 4, addedFiles: 2 })
    const counts = (await table.dataFiles()).map((f) => Number(f.recordCount)).sort((x, y) => x - y)
    assert.deepEqual(counts, [3, 6, 6])
    assert.deepEqual(sorted(await table.readRows()), before)
  })

  it('removes orphan files older than the threshold and keeps every referenced one', async () => {
    const { table, store } = await memoryLake()
    await table.append([sample('a', 0, 1)])
    const orphan = `${table.metadata.location}/data/orphan.parquet`
    await store.put(orphan, Uint8Array.of(1))
    const removed = await table.removeOrphanFiles({ olderThanMs: Date.now() + 1000 })
    assert.deepEqual(removed, [orphan])
    assert.deepEqual(await table.readRows(), [sample('a', 0, 1)])
    assert.deepEqual(await table.removeOrphanFiles({ olderThanMs: 0 }), [])
  })
})
