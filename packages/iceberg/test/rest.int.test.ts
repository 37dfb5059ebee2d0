/** The REST client against Apache's REST catalog fixture: namespaces, errors, and commit conflicts. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RestCatalog } from '../src/catalog/rest-catalog.ts'
import { LocalObjectStore } from '../src/io/local.ts'
import { Table } from '../src/table/table.ts'
import { SAMPLE_FIELDS, sample, sorted } from './support/memory-table.ts'
import { stackEnv, uniqueName } from './support/stack.ts'

const catalog = (): RestCatalog =>
  new RestCatalog({ uri: stackEnv().ICEBERG_REST_URI ?? 'http://127.0.0.1:18181' })

describe('REST catalog fixture', { timeout: 120_000 }, () => {
  it('creates and loads a namespace with its properties, and refuses a duplicate', async () => {
    const c = catalog()
    const ns = [uniqueName('ns')]
    await c.createNamespace(ns, { owner: 'iceberg-tests' })
    assert.equal((await c.loadNamespace(ns)).owner, 'iceberg-tests')
    await assert.rejects(c.createNamespace(ns), { code: 'ALREADY_EXISTS' })
    await assert.rejects(c.loadNamespace([uniqueName('missing')]), { code: 'NO_SUCH_NAMESPACE' })
  })

  it('reports a missing table, and lists the tables it has', async () => {
    const c = catalog()
    const ns = [uniqueName('ns')]
    await c.createNamespace(ns)
    await assert.rejects(c.loadTable({ namespace: ns, name: 'nope' }), { code: 'NO_SUCH_TABLE' })
    assert.equal(await c.tableExists({ namespace: ns, name: 'nope' }), false)
    await c.createTable({ namespace: ns, name: 't' }, { schema: SAMPLE_FIELDS })
    assert.deepEqual(await c.listTables(ns), [{ namespace: ns, name: 't' }])
    assert.equal(await c.tableExists({ namespace: ns, name: 't' }), true)
  })

  it('answers a stale assert-ref-snapshot-id with a conflict, and a retried append lands both writes', async () => {
    const c = catalog()
    const store = new LocalObjectStore()
    const ns = [uniqueName('ns')]
    await c.createNamespace(ns)
    const first = await Table.create(c, store, { namespace: ns, name: 't' }, { schema: SAMPLE_FIELDS })
    const second = await Table.load(c, store, first.identifier)
    await first.append([sample('a', 0, 1)])
    const files = await second.writeDataFiles([sample('b', 0, 2)])
    await assert.rejects(second.newAppend().appendFiles(files).commit({ retries: 0 }), {
      name: 'CommitConflictError',
      canRetry: true,
    })
    await second.newAppend().appendFiles(files).commit()
    assert.equal(second.currentSnapshot!.sequenceNumber, 2)
    assert.equal(second.currentSnapshot!.parentSnapshotId, first.currentSnapshot!.snapshotId)
    assert.deepEqual(sorted(await second.readRows()), [sample('a', 0, 1), sample('b', 0, 2)])
  })
})
