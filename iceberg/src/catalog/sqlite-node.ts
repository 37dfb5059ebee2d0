/** `SqlDatabase` over Node's built-in `node:sqlite` (no native addon to install). */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import type { SqlDatabase, SqlValue } from './sql-database.ts'

/** Opens (creating if needed) a SQLite file; `:memory:` for a private in-memory database. */
export function openNodeSqlite(path: string, options: { busyTimeoutMs?: number } = {}): SqlDatabase {
  // An embedded catalog is created on first start: its folder may not exist yet.
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new DatabaseSync(path)
  // Other processes (pyiceberg, another writer) use the same file; wait for their locks instead of failing.
  db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 10_000)}`)
  return {
    exec: (sql) => db.exec(sql),
    run: (sql, params = []) => Number(db.prepare(sql).run(...(params as SqlValue[])).changes),
    // node:sqlite returns null-prototype rows; plain objects are friendlier to callers.
    all: (sql, params = []) =>
      db
        .prepare(sql)
        .all(...(params as SqlValue[]))
        .map((r) => ({ ...r }) as Record<string, SqlValue>),
    transaction<T>(fn: () => T): T {
      db.exec('BEGIN IMMEDIATE')
      try {
        const out = fn()
        db.exec('COMMIT')
        return out
      } catch (err) {
        db.exec('ROLLBACK')
        throw err
      }
    },
    close: () => db.close(),
  }
}
