import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keyOf, newestByKey, upsertPlan } from '../../src/committing/upsert.ts'

const K = { key: ['user', 'start'], version: 'rev' }
const row = (user: string, start: number | bigint, rev: number | bigint, extra = '') => ({
  user,
  start,
  rev,
  extra,
})

describe('upsert selection', () => {
  it('keys Avro numbers and Parquet bigints alike', () => {
    assert.equal(keyOf(row('a', 5, 1), K.key), keyOf(row('a', 5n, 1n), K.key))
    assert.notEqual(keyOf(row('a', 5, 1), K.key), keyOf(row('a', 6, 1), K.key))
  })

  it('keeps the newest revision per key within a batch, the later row winning a tie', () => {
    const batch = [
      row('a', 1, 2, 'x'),
      row('a', 1, 3, 'y'),
      row('a', 1, 1, 'z'),
      row('a', 1, 3, 'w'),
      row('b', 1, 1),
    ]
    const newest = newestByKey(batch, K)
    assert.deepEqual([...newest.values()], [row('a', 1, 3, 'w'), row('b', 1, 1)])
  })

  it('rewrites only files holding a key, keeping their other rows', () => {
    const files = [
      { path: 'f1', rows: [row('a', 1, 1n, 'old'), row('c', 1, 1n, 'keep')] },
      { path: 'f2', rows: [row('d', 1, 1n, 'untouched')] },
    ]
    const plan = upsertPlan(files, newestByKey([row('a', 1, 2, 'new'), row('b', 1, 1, 'fresh')], K), K)
    assert.deepEqual(plan.deleted, ['f1'])
    assert.deepEqual(plan.rows, [row('c', 1, 1n, 'keep'), row('a', 1, 2, 'new'), row('b', 1, 1, 'fresh')])
    assert.equal(plan.stale, 0)
  })

  it('lets a newer revision already in the table win over a late older one', () => {
    const files = [{ path: 'f1', rows: [row('a', 1, 5n, 'table')] }]
    const plan = upsertPlan(files, newestByKey([row('a', 1, 3, 'late')], K), K)
    assert.deepEqual(plan.rows, [row('a', 1, 5n, 'table')])
    assert.equal(plan.stale, 1)
  })

  it('leaves one row per key even when the table held the key twice', () => {
    const files = [
      { path: 'f1', rows: [row('a', 1, 2n, 'one')] },
      { path: 'f2', rows: [row('a', 1, 4n, 'two')] },
    ]
    const plan = upsertPlan(files, newestByKey([row('a', 1, 3, 'new')], K), K)
    assert.deepEqual(plan.deleted, ['f1', 'f2'])
    assert.deepEqual(plan.rows, [row('a', 1, 4n, 'two')])
  })

  it('appends without deleting anything when no file holds the keys', () => {
    const plan = upsertPlan([{ path: 'f1', rows: [row('x', 1, 1n)] }], newestByKey([row('a', 1, 1)], K), K)
    assert.deepEqual(plan, { deleted: [], rows: [row('a', 1, 1)], stale: 0 })
  })
})
