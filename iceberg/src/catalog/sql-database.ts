/**
 * The few SQL calls the SQL catalog makes, so each runtime's driver fits behind them: Node's
 * built-in `node:sqlite` (in `sqlite-node.ts`), Bun's `bun:sqlite`, or a PostgreSQL client later.
 * Parameters are positional `?`.
 */
export interface SqlDatabase {
  exec(sql: string): void
  /** Runs a statement; returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): number
  all(sql: string, params?: readonly SqlValue[]): Record<string, SqlValue>[]
  /** Runs `fn` in one transaction (committed unless it throws). */
  transaction<T>(fn: () => T): T
  close(): void
}

/** Values bound to statements. */
export type SqlValue = string | number | null
