/** Integration test against the stack's real PostgreSQL (`npm run stack -- up postgres`). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SqlDatabase } from '@healthstream/iceberg'
import { openPostgres } from '@healthstream/iceberg'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'

function connect(t: { after(fn: () => unknown): void }, url = endpoint('LAKE_POSTGRES_URL')): SqlDatabase {
  const db = openPostgres(url, { connectTimeoutSeconds: 5 })
  t.after(() => db.close())
  return db
}

test('the healthstream database takes tables, rows and transactions', async (t) => {
  const db = connect(t)
  const table = uniqueName('stack_test').toLowerCase().replace(/\W/g, '_')
  await db.exec(`CREATE TABLE ${table} (k VARCHAR(20) PRIMARY KEY, v VARCHAR(20))`)
  try {
    assert.equal(await db.run(`INSERT INTO ${table} VALUES (?, ?)`, ['a', '1']), 1)
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${table} VALUES (?, ?)`, ['b', '2'])
        await tx.run(`INSERT INTO ${table} VALUES (?, ?)`, ['a', 'again'])
      }),
      { code: 'CATALOG_ERROR', canRetry: false },
    )
    assert.deepEqual(await db.all(`SELECT k, v FROM ${table} ORDER BY k`), [{ k: 'a', v: '1' }])
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${table}`)
  }
})

test('listens on loopback TCP only, without a Unix socket', async (t) => {
  const db = connect(t)
  assert.deepEqual(await db.all('SHOW listen_addresses'), [{ listen_addresses: '127.0.0.1' }])
  assert.deepEqual(await db.all('SHOW unix_socket_directories'), [{ unix_socket_directories: '' }])
})

test('refuses a wrong password', async (t) => {
  const url = new URL(endpoint('LAKE_POSTGRES_URL'))
  url.password = 'wrong'
  const db = connect(t, url.toString())
  await assert.rejects(db.all('SELECT 1'), { code: 'CATALOG_ERROR' })
})
