/** `SqlDatabase` over Node's built-in `node:sqlite` (no native addon to install). */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import type { SqlDatabase, SqlExecutor, SqlValue } from './sql-database.ts'

/** Opens (creating if needed) a SQLite file; `:memory:` for a private in-memory database. */
export function openNodeSqlite(path: string, options: { busyTimeoutMs?: number } = {}): SqlDatabase {
  // An embedded catalog is created on first start: its folder may not exist yet.
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new DatabaseSync(path)
  // Other processes (pyiceberg, another writer) use the same file; wait for their locks instead of failing.
  db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 10_000)}`)
  const direct: SqlExecutor = {
    exec: async (sql) => db.exec(sql),
    run: async (sql, params = []) => Number(db.prepare(sql).run(...(params as SqlValue[])).changes),
    // node:sqlite returns null-prototype rows; plain objects are friendlier to callers.
    all: async (sql, params = []) =>
      db
        .prepare(sql)
        .all(...(params as SqlValue[]))
        .map((r) => ({ ...r }) as Record<string, SqlValue>),
  }
  // One connection: while a transaction awaits between statements, other callers must wait, or
  // their statements would run inside it (and be rolled back with it).
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const out = queue.then(fn)
    queue = out.catch(() => undefined)
    return out
  }
  return {
    dialect: 'sqlite',
    exec: (sql) => serial(() => direct.exec(sql)),
    run: (sql, params) => serial(() => direct.run(sql, params)),
    all: (sql, params) => serial(() => direct.all(sql, params)),
    transaction: (fn) =>
      serial(async () => {
        db.exec('BEGIN IMMEDIATE')
        try {
          const out = await fn(direct)
          db.exec('COMMIT')
          return out
        } catch (err) {
          db.exec('ROLLBACK')
          throw err
        }
      }),
    close: () => serial(async () => db.close()),
  }
}
