/**
 * `SqlDatabase` over PostgreSQL with the pure-JS `postgres` client (no native addon: it runs on
 * Node.js, Bun and Deno). Driver failures become `CATALOG_ERROR`s; those of the connection (the
 * server restarting, a network blip) and serialization failures say `canRetry`.
 */
import postgres from 'postgres'
import { IcebergError } from '../errors.ts'
import type { SqlDatabase, SqlExecutor, SqlValue } from './sql-database.ts'

/** Options of {@link openPostgres}. */
export interface PostgresOptions {
  /** Most connections in the pool (default 4: the catalog makes one short statement at a time). */
  readonly maxConnections?: number
  /** Seconds to wait for a connection (default 10). */
  readonly connectTimeoutSeconds?: number
  /** Schema(s) the catalog tables live in (PostgreSQL `search_path`; default: the server's). */
  readonly searchPath?: string
}

/** Opens a pool on a `postgresql://user:password@host:port/database` URL (connects lazily). */
export function openPostgres(url: string, options: PostgresOptions = {}): SqlDatabase {
  const sql = postgres(url, {
    max: options.maxConnections ?? 4,
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    idle_timeout: 60,
    // CREATE TABLE IF NOT EXISTS tells "already exists, skipping" as a notice: not worth a log line.
    onnotice: () => undefined,
    ...(options.searchPath === undefined ? {} : { connection: { search_path: options.searchPath } }),
  })
  return {
    dialect: 'postgresql',
    ...executor(sql),
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
      guard(() => sql.begin((tx) => fn(executor(tx))) as Promise<T>),
    close: () => sql.end({ timeout: 5 }),
  }
}

function executor(sql: postgres.Sql | postgres.TransactionSql): SqlExecutor {
  const query = (text: string, params: readonly SqlValue[] = []) =>
    guard(
      () =>
        sql.unsafe(numberedParams(text), params as SqlValue[]) as Promise<postgres.RowList<postgres.Row[]>>,
    )
  return {
    exec: async (text) => {
      await query(text)
    },
    run: async (text, params) => (await query(text, params)).count,
    all: async (text, params) =>
      [...(await query(text, params))].map((r) => ({ ...r }) as Record<string, SqlValue>),
  }
}

/** Rewrites positional `?` into PostgreSQL's `$1, $2, …`, leaving quoted literals alone. */
export function numberedParams(sql: string): string {
  let n = 0
  let out = ''
  let quoted = false
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted
    out += ch === '?' && !quoted ? `$${++n}` : ch
  }
  return out
}

// SQLSTATE classes a retry can cure: connection exceptions, transaction rollbacks (serialization,
// deadlock), insufficient resources, operator intervention (shutdown), system errors.
const RETRYABLE_SQLSTATE = /^(08|40|53|57P|58)/

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (error instanceof IcebergError) throw error
    throw catalogError(error)
  }
}

/** A driver error as a typed catalog error; the SQLSTATE (e.g. 23505) stays in the message and `cause`. */
function catalogError(error: unknown): IcebergError {
  const e = error as { code?: unknown; message?: unknown }
  const code = typeof e.code === 'string' ? e.code : ''
  // Errors of the server carry a five-character SQLSTATE; the client's own (CONNECTION_CLOSED,
  // CONNECT_TIMEOUT, ECONNREFUSED …) are about the connection.
  const sqlState = /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('E')
  const canRetry = sqlState ? RETRYABLE_SQLSTATE.test(code) : code !== ''
  return new IcebergError('CATALOG_ERROR', `postgresql: ${code ? `${code} ` : ''}${String(e.message)}`, {
    canRetry,
    cause: error,
  })
}
