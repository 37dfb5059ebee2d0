/** Writing rows (objects keyed by column name) to a Parquet file, by whichever writer takes the schema. */
import { ColumnBatch } from '../batch/batch.ts'
import type { Schema } from '../schema/types.ts'
import { writeColumnBatch } from './columnar.ts'
import { writeParquetRows } from './rows.ts'
import type { ParquetWriteOptions, WrittenParquet } from './types.ts'

/**
 * Encodes rows as a Parquet file: through typed-array columns (`writeColumnBatch`, several times
 * faster) when every column is a primitive (not a decimal) or a list or map of those, otherwise
 * through hyparquet-writer (`writeParquetRows`).
 */
export function writeParquet(
  schema: Schema,
  rows: readonly Readonly<Record<string, unknown>>[],
  options: ParquetWriteOptions = {},
): WrittenParquet {
  const batch = ColumnBatch.of(schema, rows.length)
  if (batch === undefined) return writeParquetRows(schema, rows, options)
  for (const row of rows) batch.push(row)
  return writeColumnBatch(batch, options)
}
