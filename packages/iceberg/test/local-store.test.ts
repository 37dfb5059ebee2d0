import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileUri, LocalObjectStore, localPath } from '../src/io/local.ts'

describe('local object store', () => {
  it('stores, reads, lists by prefix, and deletes objects at file:// locations', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ice-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const store = new LocalObjectStore()
    const base = fileUri(dir)
    await store.put(`${base}/t/metadata/snap-1.avro`, Uint8Array.of(1))
    await store.put(`${base}/t/metadata/m-1.avro`, Uint8Array.of(2, 3))
    await store.put(`${base}/t/data/d=1/x.parquet`, Uint8Array.of(4))
    assert.deepEqual(await store.get(`${base}/t/metadata/m-1.avro`), Uint8Array.of(2, 3))
    assert.deepEqual(
      (await store.list(`${base}/t/metadata/snap-`)).map((o) => [o.location, o.size]),
      [[`${base}/t/metadata/snap-1.avro`, 1]],
    )
    assert.equal((await store.list(`${base}/t/`)).length, 3)
    await store.delete(`${base}/t/data/d=1/x.parquet`)
    await store.delete(`${base}/t/data/d=1/x.parquet`)
    assert.equal(await store.exists(`${base}/t/data/d=1/x.parquet`), false)
  })

  it('never overwrites: a second put to a location fails with OBJECT_EXISTS and leaves no temp file', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ice-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const store = new LocalObjectStore()
    await store.put(join(dir, 'a'), Uint8Array.of(1))
    await assert.rejects(store.put(join(dir, 'a'), Uint8Array.of(2)), { code: 'OBJECT_EXISTS' })
    assert.deepEqual(await store.get(join(dir, 'a')), Uint8Array.of(1))
    assert.deepEqual(await readdir(dir), ['a'])
  })

  it('reports a missing object as OBJECT_NOT_FOUND', async () => {
    await assert.rejects(new LocalObjectStore().get('/nonexistent/iceberg/x'), { code: 'OBJECT_NOT_FOUND' })
  })

  it('maps file: URIs and absolute paths both ways, percent-encoding included', () => {
    assert.equal(localPath('file:///a/b%20c'), '/a/b c')
    assert.equal(localPath('file:/a/b'), '/a/b')
    assert.equal(fileUri('/a/b c/'), 'file:///a/b%20c')
    assert.throws(() => localPath('s3://b/k'), { code: 'INVALID_ARGUMENT' })
  })
})
