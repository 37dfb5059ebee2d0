import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { liveEntries } from '../src/table/scan.ts'
import { Table } from '../src/table/table.ts'
import { memoryLake, sample, sorted } from './support/memory-table.ts'

describe('a writer whose view of the table is stale', () => {
  it('sets table properties in the same metadata commit as the snapshot', async () => {
    const { table, catalog, store } = await memoryLake()
    await table.commitChange(async () => ({
      operation: 'append',
      added: await table.writeDataFiles([sample('a', 0, 1)]),
      properties: { 'app.position': '7' },
    }))
    const loaded = await catalog.loadTable(table.identifier)
    assert.equal(loaded.metadata.properties['app.position'], '7')
    assert.equal(loaded.metadata.currentSnapshotId, table.currentSnapshot!.snapshotId)
    assert.equal((await Table.load(catalog, store, table.identifier)).metadata.snapshots.length, 1)
  })

  it('commits on the new base after another engine expired the snapshot it knew (manifest list gone)', async () => {
    const { table, catalog, store } = await memoryLake()
    await table.append([sample('a', 0, 1)])
    const other = await Table.load(catalog, store, table.identifier)
    await other.append([sample('b', 0, 2)])
    await other.expireSnapshots({ olderThanMs: Date.now() + 1000, retainLast: 1 })
    assert.equal(await store.exists(table.currentSnapshot!.manifestList), false)
    await table.commitChange(async (base) => ({
      operation: 'append',
      added: await table.writeDataFiles([sample('c', 0, 3)]),
      properties: { 'app.parent': String(base.currentSnapshotId) },
    }))
    assert.deepEqual(
      sorted(await table.readRows()).map((r) => r.user_id),
      ['a', 'b', 'c'],
    )
    assert.equal(table.metadata.properties['app.parent'], String(other.currentSnapshot!.snapshotId))
  })

  it('plans a copy-on-write again on the new base after another engine compacted the file it replaces', async () => {
    const { table, catalog, store } = await memoryLake()
    await table.append([sample('a', 0, 1)])
    await table.append([sample('b', 0, 2)])
    const other = await Table.load(catalog, store, table.identifier)
    assert.equal((await other.compact({ minInputFiles: 2 })).rewrittenFiles, 2)
    await other.expireSnapshots({ olderThanMs: Date.now() + 1000, retainLast: 1 })
    let bases = 0
    await table.commitChange(async (base) => {
      bases++
      // Reading the stale base's files fails: they were compacted away and expired
      const [old] = (await liveEntries(store, base)).map((e) => e.dataFile)
      return {
        operation: 'overwrite',
        added: await table.writeDataFiles([sample('a', 0, 10), sample('b', 0, 2)]),
        deleted: [old!.filePath],
      }
    })
    assert.equal(bases, 2)
    assert.deepEqual(
      sorted(await table.readRows()).map((r) => [r.user_id, r.value]),
      [
        ['a', 10],
        ['b', 2],
      ],
    )
  })
})
