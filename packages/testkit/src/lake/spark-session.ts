/**
 * One Spark session of a `Spark` JVM (spark.ts), and the SQL text it takes: quoting of identifiers and
 * strings. A session only sends requests; the JVM, its process and its protocol stay in spark.ts.
 */
import type { Row, TableRef } from './reader.ts'

export interface SqlResult {
  readonly columns: string[]
  readonly rows: Row[]
  /** Time Spark took, from the request's arrival to the last row. */
  readonly ms: number
}

/** What a session needs of its JVM: one request, answered or rejected with Spark's message. */
export interface SparkRequests {
  request(body: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>
}

/** A backquoted Spark identifier: `a`.`b`.`c`. */
export function sparkIdentifier(...parts: readonly string[]): string {
  return parts.map((part) => `\`${part.replaceAll('`', '``')}\``).join('.')
}

/** A Spark SQL string literal. */
export function sparkString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}

/** One Spark session of a `Spark`, with its catalog as the default one. */
export class SparkSession {
  readonly #spark: SparkRequests
  readonly #key: string
  /** The Spark (and Iceberg) catalog name: `CALL ${catalog}.system.…`. */
  readonly catalog: string

  constructor(spark: SparkRequests, key: string, catalog: string) {
    this.#spark = spark
    this.#key = key
    this.catalog = catalog
  }

  /** Rows of one statement; a failing statement rejects with Spark's message (code SPARK_SQL). */
  async sql(query: string, options: { timeoutMs?: number } = {}): Promise<Row[]> {
    return (await this.query(query, options)).rows
  }

  /** Columns, rows and Spark's time for one statement. */
  async query(query: string, options: { timeoutMs?: number } = {}): Promise<SqlResult> {
    const response = await this.#spark.request({ session: this.#key, sql: query }, options.timeoutMs)
    return response as unknown as SqlResult
  }

  /** `catalog`.`ns`.`table` for a table of this session's catalog. */
  table(ref: Pick<TableRef, 'namespace' | 'table'>): string {
    return sparkIdentifier(this.catalog, ...ref.namespace.split('.'), ref.table)
  }

  /** Forgets the session (the JVM goes on). */
  async close(): Promise<void> {
    await this.#spark.request({ op: 'close', session: this.#key })
  }
}
