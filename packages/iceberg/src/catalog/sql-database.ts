/**
 * The few SQL calls the SQL catalog makes, so each driver fits behind them: Node's built-in
 * `node:sqlite` (`sqlite-node.ts`) and PostgreSQL through the pure-JS `postgres` client
 * (`postgres-sql.ts`). Every call is asynchronous because a network database is. Parameters are
 * positional `?`; the PostgreSQL adapter numbers them.
 */
export interface SqlExecutor {
  exec(sql: string): Promise<void>
  /** Runs a statement; resolves to how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>
  all(sql: string, params?: readonly SqlValue[]): Promise<Record<string, SqlValue>[]>
}

/** A database connection (or pool) the SQL catalog owns. */
export interface SqlDatabase extends SqlExecutor {
  /** Which SQL the database speaks, for the few statements that differ. */
  readonly dialect: 'sqlite' | 'postgresql'
  /** Runs `fn` in one transaction on `tx` (committed unless it throws; rolled back otherwise). */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Values bound to statements. */
export type SqlValue = string | number | null
