/**
 * What goes wrong on the lake side, each with a stable code and whether a resync from the tables
 * helps (`canRetry`); the loop resyncs after any error, and an operator reads the message.
 */
import type { NewColumn } from '@healthstream/iceberg'

/** The table moved under this writer: another writer committed partitions this one thought it owned. */
export class FencedError extends Error {
  readonly code = 'LAKE_FENCED'
  /** Resync from the table and go on: the records are read again by whoever owns them now. */
  readonly canRetry = true
  constructor(table: string, problems: readonly string[]) {
    super(`${table}: offsets moved under this writer (${problems.slice(0, 3).join('; ')}); resyncing`)
    this.name = 'FencedError'
  }
}

/** A table holds rows, yet where its input stands cannot be established: it must not be re-filled. */
export class PositionUnknownError extends Error {
  readonly code = 'LAKE_POSITION_UNKNOWN'
  readonly canRetry = false
  constructor(table: string) {
    super(
      `${table} holds rows but records no Kafka offsets (table properties and snapshot summaries) and ` +
        'has no lineage to recover them from; not reading its topics from the log start',
    )
    this.name = 'PositionUnknownError'
  }
}

/** A table definition gained a column an existing table cannot take: new columns must be optional. */
export class SchemaEvolutionError extends Error {
  readonly code = 'LAKE_SCHEMA_EVOLUTION'
  /** Old files have no values for the column: fix the definition (make the column optional), then restart. */
  readonly canRetry = false
  constructor(table: string, required: readonly string[]) {
    super(`${table}: new columns must be optional to be added to an existing table: ${required.join(', ')}`)
    this.name = 'SchemaEvolutionError'
  }
}

/**
 * Rows bring extras the table has no columns for yet: the writer adds them (schema evolution, one
 * commit of metadata only) and resyncs, so the rows are read again into a batch that has them.
 */
export class MissingColumnsError extends Error {
  readonly code = 'LAKE_MISSING_COLUMNS'
  /** Add the columns, then resync: nothing to do for an operator. */
  readonly canRetry = true
  readonly table: string
  readonly columns: readonly NewColumn[]
  constructor(table: string, columns: readonly NewColumn[]) {
    super(`${table}: rows bring new extras, adding columns ${columns.map((c) => c.name).join(', ')}`)
    this.name = 'MissingColumnsError'
    this.table = table
    this.columns = columns
  }
}
